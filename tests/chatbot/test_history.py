import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.history import ChatHistory


def test_conversations_are_titled_listed_renamed_and_deleted(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "chatbot.db")
    first = history.start("How do I restore a backup from last week, step by step, please?")
    assert first.title == "How do I restore a backup from last week, step by step, ple…"
    history.add(first.id, "user", "How do I restore?")
    history.add(first.id, "assistant", "Pick a restore point.", [{"document": "a.md"}])
    second = history.start("バックアップの頻度は?")
    history.add(second.id, "user", "バックアップの頻度は?")

    assert history.conversations()[0].title == "バックアップの頻度は?"
    messages = history.messages(first.id)
    assert [(m.role, m.content) for m in messages] == [
        ("user", "How do I restore?"),
        ("assistant", "Pick a restore point."),
    ]
    assert messages[1].sources == [{"document": "a.md"}]

    history.rename(first.id, "  Restoring   backups ")
    assert {c.title for c in history.conversations()} == {
        "Restoring backups",
        "バックアップの頻度は?",
    }
    history.delete(second.id)
    assert [c.id for c in history.conversations()] == [first.id]
    assert history.messages(second.id) == []


def test_cleanup_deletes_only_old_conversations(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "chatbot.db")
    old = history.start("old question", at=datetime.now(UTC) - timedelta(days=120))
    history.start("fresh question")
    assert history.cleanup(days=90) == 1
    assert [c.title for c in history.conversations()] == ["fresh question"]
    assert history.messages(old.id) == []


_VERSION_0 = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE messages (id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
INSERT INTO conversations VALUES (1, 'Restoring', '2026-01-01T10:00:00+00:00',
    '2026-01-01T10:00:05+00:00');
INSERT INTO conversations VALUES (2, 'バックアップ', '2026-01-02T10:00:00+00:00',
    '2026-01-02T10:00:00+00:00');
INSERT INTO messages VALUES (1, 1, 'user', 'How?', '[]', '2026-01-01T10:00:05+00:00');
INSERT INTO messages VALUES (2, 1, 'assistant', 'Like this.', '[{"document": "a.md"}]',
    '2026-01-01T10:00:05+00:00');
INSERT INTO messages VALUES (3, 2, 'user', '頻度は?', '[]', '2026-01-02T10:00:00+00:00');
"""


def _version_0(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(_VERSION_0)
    connection.close()
    return path


def test_a_chat_history_of_earlier_kura_is_migrated_with_every_message(tmp_path: Path) -> None:
    history = ChatHistory(_version_0(tmp_path / "chatbot.db"))
    conversations = history.conversations()
    assert [(c.title, c.messages) for c in conversations] == [("バックアップ", 1), ("Restoring", 2)]
    assert all(len(c.id) == 32 for c in conversations)
    restoring = conversations[1]
    assert [(m.role, m.content, m.sources) for m in history.messages(restoring.id)] == [
        ("user", "How?", []),
        ("assistant", "Like this.", [{"document": "a.md"}]),  # same second: order kept
    ]
    assert sqlite3.connect(history.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    history.add(restoring.id, "user", "And after the migration?")
    assert history.conversations()[0].id == restoring.id


def test_two_copies_of_one_old_file_migrate_to_the_same_ids(tmp_path: Path) -> None:
    """Two instances that restored one old backup migrate on their own: their ids must
    agree, or merging their histories would double every conversation."""
    first = ChatHistory(_version_0(tmp_path / "a.db"))
    second = ChatHistory(_version_0(tmp_path / "b.db"))
    assert [c.id for c in first.conversations()] == [c.id for c in second.conversations()]
    other = ChatHistory(tmp_path / "other.db")
    other.start("a different history")
    assert not {c.id for c in other.conversations()} & {c.id for c in first.conversations()}
