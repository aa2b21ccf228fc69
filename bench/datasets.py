"""Realistic data directories: a chat database, a vector-store database, an index segment."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

MB = 1024 * 1024


def make_data(root: Path, *, total_mb: int) -> None:
    """About `total_mb` of data in the proportions of a real deployment (1 : 2 : 3)."""
    root.mkdir(parents=True, exist_ok=True)
    unit = total_mb / 6
    _chat_db(root / "chatbot.db", int(unit * MB))
    _vector_db(root / "chroma_db" / "chroma.sqlite3", int(2 * unit * MB))
    segment = root / "chroma_db" / "7c1f" / "data_level0.bin"
    segment.parent.mkdir(parents=True, exist_ok=True)
    _random_file(segment, int(3 * unit * MB))
    (root / "settings.json").write_text('{"theme": "light"}\n')
    (root / "README.txt").write_text("Kura data directory\n")


def append_messages(db: Path, count: int = 300) -> None:
    """The typical small change between two backups: a few hundred chat rows."""
    with sqlite3.connect(db) as connection:
        start = connection.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
        connection.executemany(
            "INSERT INTO messages (id, conversation, body) VALUES (?, ?, ?)",
            ((start + i + 1, i % 7, f"new message {i} " + "x" * 200) for i in range(count)),
        )
    connection.close()


def _chat_db(path: Path, size: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation INT, body TEXT)")
        row = 400
        db.executemany(
            "INSERT INTO messages VALUES (?, ?, ?)",
            ((i, i % 50, os.urandom(row // 2).hex()) for i in range(size // (row + 30))),
        )
    db.close()


def _vector_db(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, vector BLOB)")
        width = 1536
        db.executemany(
            "INSERT INTO embeddings VALUES (?, ?)",
            ((i, os.urandom(width)) for i in range(size // (width + 40))),
        )
    db.close()


def _random_file(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        for _ in range(size // MB):
            handle.write(os.urandom(MB))
