"""Row-level merges of chatbot.db copies: real SQLite files, the rules they declare."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatbot.history import ChatHistory
from sync.merge.rows import is_mergeable, merge_into


def _copy(history: ChatHistory, path: Path, host: str) -> ChatHistory:
    shutil.copyfile(history.path, path)
    return ChatHistory(path, host=host)


def _contents(history: ChatHistory) -> dict[str, tuple[str, list[str]]]:
    return {
        c.id: (c.title, [m.content for m in history.messages(c.id)])
        for c in history.conversations()
    }


def test_two_writers_merge_into_the_union_and_again_changes_nothing(tmp_path: Path) -> None:
    base = ChatHistory(tmp_path / "base.db", host="base")
    shared = base.start("shared")
    base.add(shared.id, "user", "first")
    a, b = _copy(base, tmp_path / "a.db", "a"), _copy(base, tmp_path / "b.db", "b")
    only_a = a.start("from a")
    a.add(only_a.id, "user", "question on a")
    only_b = b.start("from b")
    b.add(only_b.id, "user", "question on b")
    b.add(shared.id, "assistant", "answered on b")

    first = merge_into(a.path, b.path)
    assert (first.inserted, first.deleted) == (3, 0)  # b's conversation and two messages...
    assert first.updated >= 1  # ...and the shared one's newer updated_at
    assert not merge_into(a.path, b.path)  # idempotent
    merge_into(b.path, a.path)

    assert _contents(a) == _contents(b)
    assert _contents(a)[shared.id] == ("shared", ["first", "answered on b"])
    assert {c.host for c in a.conversations()} == {"base", "a", "b"}


def test_renames_and_deletes_follow_the_newest_change(tmp_path: Path) -> None:
    base = ChatHistory(tmp_path / "base.db")
    renamed = base.start("renamed on a")
    deleted = base.start("deleted on a")
    revived = base.start("deleted on a, then answered on b")
    a, b = _copy(base, tmp_path / "a.db", "a"), _copy(base, tmp_path / "b.db", "b")
    b.add(renamed.id, "user", "b keeps talking")  # a later message: the title stays a's
    a.rename(renamed.id, "A's title")
    b.rename(renamed.id, "B's older title")
    a.rename(renamed.id, "A's newest title")
    a.delete(deleted.id)
    a.delete(revived.id)
    b.add(revived.id, "user", "a message after the delete")

    merge_into(a.path, b.path)
    merge_into(b.path, a.path)

    for copy in (a, b):
        titles = {c.id: c.title for c in copy.conversations()}
        assert titles[renamed.id] == "A's newest title"
        assert deleted.id not in titles
        assert revived.id in titles
        assert [m.content for m in copy.messages(renamed.id)] == ["b keeps talking"]
    assert _contents(a) == _contents(b)


def test_a_deletion_drops_the_other_copys_messages_too(tmp_path: Path) -> None:
    base = ChatHistory(tmp_path / "base.db")
    gone = base.start("gone", at=datetime.now(UTC) - timedelta(days=200))
    a, b = _copy(base, tmp_path / "a.db", "a"), _copy(base, tmp_path / "b.db", "b")
    assert a.cleanup(days=90) == 1
    connection = sqlite3.connect(b.path)
    with connection:  # b's message is older than the cleanup: written before the delete
        connection.execute(
            "INSERT INTO messages VALUES ('m1', ?, 'user', 'old', '[]', '2020-01-01T00:00:00')",
            (gone.id,),
        )
    connection.close()

    merge_into(a.path, b.path)
    assert a.conversations() == []
    assert sqlite3.connect(a.path).execute("SELECT count(*) FROM messages").fetchone() == (0,)


def test_only_files_that_declare_rules_are_mergeable(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "chatbot.db")
    history.start("hello")
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    text = tmp_path / "notes.md"
    text.write_text("# not a database\n")

    assert is_mergeable(history.path)
    assert not is_mergeable(plain)
    assert not is_mergeable(text)
    assert not is_mergeable(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
