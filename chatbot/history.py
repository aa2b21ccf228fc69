"""Chat history in data/chatbot.db: conversations and their messages with sources.

Every write is one short transaction, so a backup can snapshot at any moment. Ids are
globally unique and deletions leave a tombstone, so a backup can merge another
instance's history into this one (chatbot/history_schema.py declares how).
"""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.db import connect
from chatbot.history_schema import ensure_schema, new_id

TITLE_CHARS = 60


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: str
    updated_at: str
    host: str = ""
    messages: int = 0


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    sources: list[dict]
    created_at: str


def _now(moment: datetime | None = None) -> str:
    # Microseconds: two instances' changes in the same second still order by time.
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds")


class ChatHistory:
    """Example::

    history = ChatHistory(Path("data/chatbot.db"))
    conversation = history.start("How do I restore a backup?")
    history.add(conversation.id, "user", "How do I restore a backup?")
    """

    def __init__(self, path: Path, *, host: str | None = None) -> None:
        self.path = path
        self.host = host or socket.gethostname()

    def _connect(self) -> sqlite3.Connection:
        connection = connect(self.path, "")
        ensure_schema(connection)
        return connection

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> int:
        """Run the statements in one transaction; the rows the last one changed."""
        connection = self._connect()
        try:
            with connection:
                changed = 0
                for sql, values in statements:
                    changed = connection.execute(sql, values).rowcount
                return changed
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
        title, stamp, conversation_id = title or "New chat", _now(at), new_id()
        self._write(
            [
                (
                    "INSERT INTO conversations (id, title, title_at, host, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (conversation_id, title, stamp, self.host, stamp, stamp),
                )
            ]
        )
        return Conversation(conversation_id, title, stamp, stamp, self.host)

    def add(self, conversation_id: str, role: str, content: str, sources: list[dict] = ()) -> None:
        stamp = _now()
        self._write(
            [
                (
                    "INSERT INTO messages (id, conversation_id, role, content, sources, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (new_id(), conversation_id, role, content, json.dumps(list(sources)), stamp),
                ),
                ("UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation_id)),
            ]
        )

    def conversations(
        self, *, search: str = "", limit: int | None = None, offset: int = 0
    ) -> list[Conversation]:
        """Newest first; with `search`, only those whose title or a message holds it (any
        case); `limit` and `offset` page through them, reading only that page's counts."""
        where, values = _matching(search)
        rows = self._read(
            f"{_CONVERSATION} {where} ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?",
            (*values, -1 if limit is None else limit, offset),
        )
        return [Conversation(*row) for row in rows]

    def count(self, *, search: str = "") -> int:
        where, values = _matching(search)
        return self._read(f"SELECT count(*) FROM conversations c {where}", values)[0][0]

    def conversation(self, conversation_id: str) -> Conversation | None:
        rows = self._read(f"{_CONVERSATION} WHERE c.id = ?", (conversation_id,))
        return Conversation(*rows[0]) if rows else None

    def exists(self, conversation_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)))

    def messages(self, conversation_id: str) -> list[Message]:
        rows = self._read(
            "SELECT role, content, sources, created_at FROM messages "
            "WHERE conversation_id = ? ORDER BY created_at, rowid",
            (conversation_id,),
        )
        return [
            Message(role, content, json.loads(sources), at) for role, content, sources, at in rows
        ]

    def rename(self, conversation_id: str, title: str) -> None:
        title = " ".join(title.split())[:200] or "New chat"
        self._write(
            [
                (
                    "UPDATE conversations SET title = ?, title_at = ? WHERE id = ?",
                    (title, _now(), conversation_id),
                )
            ]
        )

    def delete(self, conversation_id: str) -> None:
        self._write(_deletion("id = ?", (conversation_id,)))

    def cleanup(self, *, days: float) -> int:
        """Delete conversations untouched for more than `days` days; return how many."""
        cutoff = _now(datetime.now(UTC) - timedelta(days=days))
        return self._write(_deletion("updated_at < ?", (cutoff,)))


def _deletion(where: str, values: tuple) -> list[tuple[str, tuple]]:
    """Tombstones first, so another instance's copy of these conversations is not merged
    back in (unless it changed after the deletion: the newest change wins)."""
    return [
        (
            "INSERT OR REPLACE INTO kura_tombstones (tbl, key, deleted_at) "
            f"SELECT 'conversations', id, ? FROM conversations WHERE {where}",
            (_now(), *values),
        ),
        (f"DELETE FROM conversations WHERE {where}", values),
    ]


# A conversation as the Conversation dataclass holds it, its messages counted.
_CONVERSATION = (
    "SELECT c.id, c.title, c.created_at, c.updated_at, c.host, "
    "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c"
)


def _matching(search: str) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause for a search of titles and messages: the words as typed, `%` and
    `_` matched as themselves. SQLite's LIKE ignores ASCII case."""
    text = " ".join(search.split())
    if not text:
        return "", ()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    clause = (
        "WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
        "WHERE m.conversation_id = c.id AND m.content LIKE ? ESCAPE '\\')"
    )
    return clause, (pattern, pattern)
