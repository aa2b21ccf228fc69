"""Conversation retention: conversations untouched for CONVERSATION_RETENTION_DAYS go.

The original guide's maintenance list deleted conversations older than 90 days by
hand. Kura runs it after each backup (the deletion is the next backup's change, so a
backup follows it), and a restore preview counts what a restore would bring back
only for retention to delete it again.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.history import ChatHistory


def enforce(path: Path, days: float) -> int:
    """Delete the conversations untouched for more than `days` days (0: keep all)."""
    if days <= 0 or not path.is_file():
        return 0
    return ChatHistory(path).cleanup(days=days)


def expired(path: Path, days: float, *, now: datetime | None = None) -> int:
    """How many conversations of the database at `path` retention would delete."""
    if days <= 0 or not path.is_file():
        return 0
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    cutoff = moment.isoformat(timespec="microseconds")  # as the history writes its times
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT count(*) FROM conversations WHERE updated_at < ?", (cutoff,)
        ).fetchone()
        return int(row[0])
    except sqlite3.DatabaseError:
        return 0  # not a conversation database (or none yet)
    finally:
        connection.close()
