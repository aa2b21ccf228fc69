"""Backups whose manifests are in format 1 (one blob per file, every chunk line in it)
keep restoring, listing and diffing, and a backup on top of one writes format 2 only
for the files that changed."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sync import Workspace, backup, diff, history, restore, verify
from sync.layout.build import write_blobs
from sync.layout.stored import PIECES_PREFIX, read_data_files
from sync.repo.git import TreeEntry
from tests.conftest import files_of, message_ids, write_db


def as_format_1(ws: Workspace, commit: str, remote_dir: Path) -> str:
    """The same backup as Kura's format 1 wrote it, pushed as the branch's only commit."""
    git = ws.git
    files = read_data_files(git, commit)
    entries = [e for e in git.ls_tree(commit) if not e.path.startswith(PIECES_PREFIX)]
    old = {
        path: dataclasses.replace(f.manifest, version=1).encode()
        for path, f in files.items()
        if f.manifest
    }
    blobs = dict(zip(old, write_blobs(git, ws.home, list(old.values())), strict=True))
    entries = [
        TreeEntry(e.mode, e.kind, blobs.get(e.path.removeprefix("data/"), e.sha), e.path)
        for e in entries
    ]
    tree = git.write_tree(entries, ws.home / "format-1-index")
    message = "Backup in format 1\n\nKura-Kind: manual\nKura-Files: 2\n"
    root = git.commit_tree(tree, parent=None, message=message)
    subprocess.run(
        ["git", "push", "-q", "-f", str(remote_dir), f"{root}:refs/heads/main"],
        cwd=ws.cache_dir,
        check=True,
    )
    return root


@pytest.fixture
def format_1(make_workspace: Callable[..., Workspace], remote) -> tuple[str, dict[str, bytes]]:
    writer = make_workspace("old-kura")
    write_db(writer.data_dir / "chatbot.db", range(2000))
    (writer.data_dir / "notes.txt").write_text("kept as it was\n" * 500)
    made = backup(writer).commit
    return as_format_1(writer, made, Path(remote.git_dir)), files_of(writer.data_dir)


def test_a_format_1_backup_restores_lists_and_diffs(
    make_workspace: Callable[..., Workspace], format_1
) -> None:
    commit, data = format_1
    ws = make_workspace("fresh")
    assert restore(ws, "latest").status == "restored"
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(2000))
    assert (ws.data_dir / "notes.txt").read_bytes() == data["notes.txt"]
    stored = read_data_files(ws.git, commit)
    assert {f.manifest.version for f in stored.values()} == {1}
    assert {p: f.size for p, f in stored.items()} == {
        p: (ws.data_dir / p).stat().st_size for p in data
    }
    point = next(b for b in history(ws) if b.commit == commit)
    assert point.files == 2
    (ws.data_dir / "notes.txt").write_text("changed\n")
    assert [c.path for c in diff(ws, commit).changed] == ["notes.txt"]
    assert verify(ws, commit, deep=True).sqlite_checked == 1


def test_a_backup_on_a_format_1_tip_writes_format_2_for_what_changed(
    make_workspace: Callable[..., Workspace], format_1
) -> None:
    commit, _ = format_1
    ws = make_workspace("upgraded")
    restore(ws, "latest")
    write_db(ws.data_dir / "chatbot.db", range(2000, 2100))
    result = backup(ws)
    before, after = read_data_files(ws.git, commit), read_data_files(ws.git, result.commit)
    assert after["notes.txt"].blob == before["notes.txt"].blob  # unchanged: kept in format 1
    assert after["chatbot.db"].manifest.version == 2
    pieces = [e for e in ws.git.ls_tree(result.commit) if e.path.startswith(PIECES_PREFIX)]
    assert {e.sha for e in pieces} == set(after["chatbot.db"].manifest.piece_blobs)
    for ref, rows in ((commit, 2000), (result.commit, 2100)):
        fresh = make_workspace(f"fresh-{ref[:7]}")
        restore(fresh, ref)
        assert message_ids(fresh.data_dir / "chatbot.db") == list(range(rows))
