"""Thousands of real backups, made quickly: a growing chat database stored exactly as a
backup stores it (Kura's content writer, manifests in pieces, compaction), but committed
in one `git fast-import` and uploaded once, instead of 14 git processes a backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sync.content.chunker import SQLITE_CHUNKER
from sync.content.compact import compact
from sync.content.index import ChunkIndex
from sync.content.manifest import Manifest
from sync.content.writer import ContentWriter
from sync.layout.commits import Storage
from sync.layout.stored import (
    ATTRIBUTES,
    FORMAT_MARK,
    FORMAT_MARK_TARGET,
    LFS_RULES,
    pack_path,
    piece_path,
)
from sync.local.sqlitefile import backup_copy
from sync.repo.lfs import LfsStore, Pointer
from tests.conftest import Remote

ROWS = 20


def grow(db: Path, backup: int) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, body TEXT)")
        conn.executemany(
            "INSERT INTO messages VALUES (?, ?)",
            ((i, f"message {i} " + os.urandom(20).hex()) for i in range(*_ids(backup))),
        )
    conn.close()


def _ids(backup: int) -> tuple[int, int]:
    return backup * ROWS, (backup + 1) * ROWS


def make_history(remote: Remote, scratch: Path, count: int) -> list[str]:
    """`count` backups on `remote`'s branch, each adding ROWS messages; their commit ids."""
    store = LfsStore(scratch / "store")
    db, copy = scratch / "chatbot.db", scratch / "copy.db"
    script = _Script()
    manifest: Manifest | None = None
    storage = Storage(0, 0, 0, 0)
    packs: dict[str, int] = {}
    for n in range(count):
        grow(db, n)
        copy.unlink(missing_ok=True)
        backup_copy(db, copy)
        writer = ContentWriter(store, ChunkIndex([manifest] if manifest else []))
        with copy.open("rb") as source:
            pending = writer.add(source, SQLITE_CHUNKER)
        new = writer.finish()
        manifest = writer.manifest(pending)
        rewritten, merged = compact(store, {"chatbot.db": manifest})
        manifest = rewritten.get("chatbot.db", manifest)
        new |= merged
        packs |= new
        storage = Storage(
            sum(new.values()),
            storage.bytes + sum(new.values()),
            storage.objects + len(new),
            n + 1,
        )
        script.commit(n, manifest, storage)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=remote.git_dir, input=script.text(), check=True
    )
    for oid in packs:
        target = remote.lfs_object(oid)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store.path(oid), target)
    listed = subprocess.run(
        ["git", "rev-list", "--reverse", "main"],
        cwd=remote.git_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


class _Script:
    """A fast-import stream: each distinct blob once (by mark), each backup's full tree."""

    def __init__(self) -> None:
        self._lines: list[bytes] = []
        self._marks: dict[bytes, int] = {}
        self._stamp = 1_700_000_000

    def commit(self, n: int, manifest: Manifest, storage: Storage) -> None:
        entries = [
            ("100644", ATTRIBUTES, ("\n".join(LFS_RULES) + "\n").encode()),
            ("120000", FORMAT_MARK, FORMAT_MARK_TARGET),
            ("100644", "data/chatbot.db", manifest.encode()),
        ]
        entries += [("100644", piece_path(p.id), p.data) for p in manifest.pieces]
        entries += [
            ("100644", pack_path(oid), Pointer(oid, size).encode())
            for oid, size in manifest.pack_sizes.items()
        ]
        marks = [(mode, path, self._blob(data)) for mode, path, data in entries]
        message = (
            f"Automatic backup\n\nKura-Kind: auto\nKura-Files: 1\nKura-Bytes: {manifest.size}\n"
            f"Kura-Host: generator\n{storage.trailer()}\n"
        ).encode()
        self._stamp += 60
        self._lines.append(b"commit refs/heads/main\n")
        self._lines.append(b"committer Kura <kura@localhost> %d +0000\n" % self._stamp)
        self._lines.append(b"data %d\n%s\n" % (len(message), message))
        self._lines.append(b"deleteall\n")
        for mode, path, mark in marks:
            self._lines.append(f"M {mode} :{mark} {path}\n".encode())
        self._lines.append(b"\n")

    def _blob(self, data: bytes) -> int:
        mark = self._marks.get(data)
        if mark is None:
            mark = self._marks[data] = len(self._marks) + 1
            self._lines.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    def text(self) -> bytes:
        return b"".join(self._lines)


def scratch_dir(root: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=root, prefix="history-"))
