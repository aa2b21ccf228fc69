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
