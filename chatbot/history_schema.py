"""chatbot.db's schema, its migration, and the merge rules it declares for backups.

Version 1 gives conversations and messages globally unique text ids, so two
instances' histories merge without collisions. The file declares how it merges
(`kura_merge_rules`, `kura_tombstones`); sync/ reads those rules and never learns
this schema. Version 0 (integer ids, Kura before near-real-time sync) is migrated
in one transaction, with ids derived from each row's own content: two instances
that restored the same old backup migrate to the same ids, so their copies merge
instead of doubling.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
import uuid

VERSION = 1
_IDS = uuid.UUID("6b7572612d636861742d686973746f72")  # namespace of migrated ids

_TABLES = """
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_at TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, created_at);
CREATE TABLE kura_merge_rules (
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    version TEXT,
    columns TEXT NOT NULL DEFAULT ''
);
CREATE TABLE kura_tombstones (
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    PRIMARY KEY (tbl, key)
);
"""
# A title and the time of the latest message each follow their own newest change;
# messages never change once written, so they are only ever added.
_RULES = [
    ("conversations", "id", 1, "title_at", "title"),
    ("conversations", "id", 1, "updated_at", "updated_at"),
    ("messages", "id", 2, None, ""),
]


def new_id() -> str:
    """A UUIDv7 (RFC 9562) in hex: 48 bits of Unix milliseconds, then random bits.

    Time-ordered ids land at the right edge of the tables' key indexes instead of on
    random pages, so fewer of chatbot.db's 16 KiB chunks change per backup: in
    bench/realtime.py's chat (a 50 MB chatbot.db, six messages a minute) a minute's
    backup added 34 KiB to LFS with these ids, 40 KiB with uuid4 ones. Python gains
    uuid.uuid7 in 3.14; until then, these few lines.
    """
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC 9562 variant
    return uuid.UUID(int=value).hex


def ensure_schema(connection: sqlite3.Connection) -> None:
    """Create version 1, or migrate version 0 to it; a no-op once done."""
    if connection.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
        return
    connection.create_function("kura_id", -1, _derived_id, deterministic=True)
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] < VERSION:
            _create(connection, migrate=_has_table(connection, "conversations"))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _create(connection: sqlite3.Connection, *, migrate: bool) -> None:
    if migrate:
        connection.execute("DROP INDEX IF EXISTS messages_by_conversation")
        connection.execute("ALTER TABLE conversations RENAME TO conversations_v0")
        connection.execute("ALTER TABLE messages RENAME TO messages_v0")
    for statement in _TABLES.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.executemany("INSERT INTO kura_merge_rules VALUES (?, ?, ?, ?, ?)", _RULES)
    if migrate:
        _copy_version_0(connection)
    connection.execute(f"PRAGMA user_version = {VERSION}")


def _copy_version_0(connection: sqlite3.Connection) -> None:
    connection.execute(
        "INSERT INTO conversations (id, title, title_at, host, created_at, updated_at) "
        "SELECT kura_id(id, created_at, title), title, created_at, '', created_at, updated_at "
        "FROM conversations_v0 ORDER BY id"
    )
    connection.execute(
        "INSERT INTO messages (id, conversation_id, role, content, sources, created_at) "
        "SELECT kura_id(m.id, m.created_at, m.role, m.content, c.id), "
        "kura_id(c.id, c.created_at, c.title), m.role, m.content, m.sources, m.created_at "
        "FROM messages_v0 m JOIN conversations_v0 c ON c.id = m.conversation_id ORDER BY m.id"
    )
    connection.execute("DROP TABLE messages_v0")
    connection.execute("DROP TABLE conversations_v0")


def _derived_id(*parts: object) -> str:
    return uuid.uuid5(_IDS, "\x1f".join(str(p) for p in parts)).hex


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None
