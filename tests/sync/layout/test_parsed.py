"""Parsed manifests left on disk for the next process: only the last backup's, never
trusted past their hash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sync import Workspace, backup, restore
from sync.layout import parsed
from sync.layout.stored import read_data_files
from tests.conftest import cli_env, message_ids, write_db

ROOT = Path(__file__).resolve().parents[3]


def manifests_of(ws: Workspace, commit: str) -> dict:
    files = read_data_files(ws.git, commit)
    return {f.blob: f.manifest for f in files.values() if f.manifest}


def entries(ws: Workspace) -> set[str]:
    return {p.name for p in (ws.cache_dir / parsed.DIRECTORY).iterdir()}


def cli(ws: Workspace, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync", *args],
        cwd=ROOT,
        env=cli_env(ws),
        capture_output=True,
        text=True,
        check=True,
    )


def test_only_the_last_backups_manifests_are_kept_and_they_read_back_equal(ws: Workspace) -> None:
    for n in range(5):
        write_db(ws.data_dir / "chatbot.db", range(n * 400, n * 400 + 400))
        (ws.data_dir / f"notes-{n}.bin").write_bytes(bytes([n]) * 300_000)
        commit = backup(ws).commit
    stored = manifests_of(ws, commit)
    assert entries(ws) == set(stored)  # five backups, one backup's entries
    for blob, manifest in stored.items():
        loaded = parsed.load(ws.cache_dir, blob)
        assert loaded == manifest and loaded.piece_blobs == manifest.piece_blobs


def test_a_damaged_entry_is_ignored_dropped_and_parsed_again(ws: Workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(2000))
    backup(ws)
    (blob,) = entries(ws)
    entry = ws.cache_dir / parsed.DIRECTORY / blob
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0x01  # a flipped bit in the chunk table
    entry.write_bytes(bytes(data))
    assert parsed.load(ws.cache_dir, blob) is None and not entry.exists()
    write_db(ws.data_dir / "chatbot.db", range(2000, 2100))
    cli(ws, "backup")  # a new process: the parent parsed from git
    cli(ws, "restore", "latest", "--yes")
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(2100))


def test_an_entry_from_another_python_is_parsed_again(ws: Workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(500))
    backup(ws)
    (blob,) = entries(ws)
    entry = ws.cache_dir / parsed.DIRECTORY / blob
    entry.write_bytes(b"kura-parsed 1 99\n" + entry.read_bytes()[len(parsed.MAGIC) :])
    assert parsed.load(ws.cache_dir, blob) is None


def test_a_new_process_backs_up_and_restores_from_the_kept_parse(ws: Workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(3000))
    first = backup(ws).commit
    for n in range(3):
        write_db(ws.data_dir / "chatbot.db", range(3000 + n * 10, 3010 + n * 10))
        cli(ws, "backup")
    last = ws.tip()
    assert entries(ws) == set(manifests_of(ws, last))
    cli(ws, "restore", first, "--yes")
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(3000))
    assert restore(ws, last).status == "restored"
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(3030))
