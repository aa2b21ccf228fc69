"""Chat history in data/chatbot.db: conversations and their messages with sources.

Every write is one short transaction, so a backup can snapshot at any moment.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.db import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
"""
TITLE_CHARS = 60


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    sources: list[dict]
    created_at: str


def _now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="seconds")


class ChatHistory:
    """Example::

    history = ChatHistory(Path("data/chatbot.db"))
    conversation = history.start("How do I restore a backup?")
    history.add(conversation.id, "user", "How do I restore a backup?")
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, _SCHEMA)

    def _write(self, sql: str, values: tuple) -> sqlite3.Cursor:
        connection = self._connect()
        try:
            with connection:
                return connection.execute(sql, values)
        finally:
            connection.close()

    def _read(self, sql: str, values: tuple = ()) -> list[tuple]:
        connection = self._connect()
        try:
            return connection.execute(sql, values).fetchall()
        finally:
            connection.close()

    def start(self, first_question: str, *, at: datetime | None = None) -> Conversation:
        """A new conversation, titled from its first question."""
        title = " ".join(first_question.split())
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        stamp = _now(at)
        cursor = self._write(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
            (title or "New chat", stamp, stamp),
        )
        return Conversation(cursor.lastrowid, title or "New chat", stamp, stamp)

    def add(self, conversation_id: int, role: str, content: str, sources: list[dict] = ()) -> None:
        stamp = _now()
        connection = self._connect()
        try:
            with connection:
                connection.execute(
                    "INSERT INTO messages (conversation_id, role, content, sources, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, role, content, json.dumps(list(sources)), stamp),
                )
                connection.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation_id)
                )
        finally:
            connection.close()

    def conversations(self) -> list[Conversation]:
        rows = self._read(
            "SELECT id, title, created_at, updated_at FROM conversations "
            "ORDER BY updated_at DESC, id DESC"
        )
        return [Conversation(*row) for row in rows]

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self._read(
            "SELECT role, content, sources, created_at FROM messages "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [
            Message(role, content, json.loads(sources), at) for role, content, sources, at in rows
        ]

    def rename(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())[:200] or "New chat"
        self._write("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        self._write("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def cleanup(self, *, days: int) -> int:
        """Delete conversations untouched for more than `days` days; return how many."""
        cutoff = _now(datetime.now(UTC) - timedelta(days=days))
        cursor = self._write("DELETE FROM conversations WHERE updated_at < ?", (cutoff,))
        return cursor.rowcount
