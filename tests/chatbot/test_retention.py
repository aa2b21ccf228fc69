"""CONVERSATION_RETENTION_DAYS: old conversations go after a backup, and a backup follows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.history import ChatHistory
from chatbot.retention import enforce, expired
from sync import Workspace, backup_file, history
from sync.background.scheduler import AutoBackup


def age(path: Path, conversation: str, days: float) -> None:
    """Make a conversation look untouched for `days` days."""
    stamp = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation))
    db.close()


def chats(path: Path) -> ChatHistory:
    chat = ChatHistory(path)
    for title, days in (("old", 120), ("older", 400), ("recent", 10), ("today", 0)):
        conversation = chat.start(title)
        chat.add(conversation.id, "user", f"a question {title}")
        if days:
            age(path, conversation.id, days)
    return chat


def titles(chat: ChatHistory) -> list[str]:
    return sorted(c.title for c in chat.conversations())


def test_conversations_older_than_the_days_go_and_recent_ones_stay(tmp_path) -> None:
    path = tmp_path / "chatbot.db"
    chat = chats(path)
    assert expired(path, 90) == 2 and expired(path, 0) == 0
    assert enforce(path, 0) == 0 and titles(chat) == ["old", "older", "recent", "today"]
    assert enforce(path, 90) == 2
    assert titles(chat) == ["recent", "today"]
    assert expired(path, 90) == 0 and enforce(path, 90) == 0
    assert enforce(tmp_path / "none.db", 90) == 0 and not (tmp_path / "none.db").exists()


def test_retention_runs_after_a_backup_and_the_next_backup_holds_it(ws: Workspace) -> None:
    path = ws.data_dir / "chatbot.db"
    chats(path)
    scheduler = AutoBackup(workspace=ws, every_minutes=1, after_backup=lambda: enforce(path, 90))
    assert scheduler.tick() == "created"  # the backup, then retention deletes two
    assert titles(ChatHistory(path)) == ["recent", "today"]
    assert scheduler.tick() == "created"  # the deletion is a change: a backup follows
    first, second = history(ws)[1], history(ws)[0]
    with backup_file(ws, first.commit, "chatbot.db") as before:
        assert expired(before, 90) == 2  # what a restore of it would bring back to delete
    with backup_file(ws, second.commit, "chatbot.db") as after:
        assert titles(ChatHistory(after)) == ["recent", "today"]
    assert scheduler.tick() == "unchanged"
