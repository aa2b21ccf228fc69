"""Compaction in real backups: the newest backup names few, dense packs; old points restore."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sync import Workspace, backup, restore
from sync.content.compact import TIER_LIMIT, pack_uses
from sync.layout.stored import read_data_files
from tests.conftest import message_ids


def grow(db: Path, start: int, rows: int = 20) -> None:
    """Chat rows of about 1 KB: each backup fills a 16 KiB block for good (its pack stays
    partly live) and rewrites the block after it (dead a backup later)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, body TEXT)")
        rows_ = ((i, os.urandom(500).hex()) for i in range(start, start + rows))
        conn.executemany("INSERT INTO messages VALUES (?, ?)", rows_)
    conn.close()


def packs_of(ws: Workspace, commit: str):
    files = read_data_files(ws.git, commit)
    return pack_uses(f.manifest for f in files.values() if f.manifest)


def test_minute_backups_stay_in_few_dense_packs_and_every_point_restores(
    make_workspace: Callable[..., Workspace],
) -> None:
    ws = make_workspace("writer")
    db = ws.data_dir / "chatbot.db"
    grow(db, 0, rows=3000)
    commits = []
    for n in range(2 * TIER_LIMIT + 4):  # each a small pack
        grow(db, 10_000 + 20 * n)
        commits.append(backup(ws, kind="auto").commit)
    uses = packs_of(ws, commits[-1])
    assert len(uses) < TIER_LIMIT + 3  # without compaction: one pack per backup
    assert sum(u.size for u in uses) <= 1.2 * sum(u.live for u in uses)

    fresh = make_workspace("fresh")
    result = restore(fresh, "latest")
    assert result.downloaded <= 1.2 * sum(u.live for u in uses)
    assert message_ids(fresh.data_dir / "chatbot.db") == message_ids(db)

    old = make_workspace("old")
    restore(old, commits[3])  # its packs were merged away from the newest tree, not deleted
    assert message_ids(old.data_dir / "chatbot.db")[-1] == 10_000 + 20 * 3 + 19
