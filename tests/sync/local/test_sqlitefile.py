"""Reading a live database's own bytes as a consistent snapshot (`sqlitefile.frozen`)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sync.local import sqlitefile
from sync.local.sqlitefile import backup_copy, frozen, is_healthy, is_live_sqlite


def _wal_db(path: Path, rows: int) -> sqlite3.Connection:
    """A WAL database whose newest rows sit in the WAL, its writer's connection open."""
    app = sqlite3.connect(path, isolation_level=None)
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("PRAGMA wal_autocheckpoint=0")  # the rows stay in the WAL
    app.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    for i in range(rows):
        app.execute("INSERT INTO messages VALUES (?, ?)", (i, "x" * 300))
    return app


def _rows(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        connection.close()


def test_the_file_read_while_frozen_holds_the_rows_still_in_the_wal(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    app = _wal_db(db, 200)
    assert (tmp_path / "chat.db-wal").stat().st_size > 0

    with frozen(db) as raw:
        assert raw is not None
        copy = tmp_path / "copy.db"
        copy.write_bytes(raw.read())

    assert is_healthy(copy, thorough=True)
    assert _rows(copy) == 200
    app.close()


def test_no_one_commits_while_the_file_is_read(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    app = _wal_db(db, 10)
    other = sqlite3.connect(db, timeout=0, isolation_level=None)

    with frozen(db) as raw:
        assert raw is not None
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO messages VALUES (1000, 'too soon')")
        raw.read()
    other.execute("INSERT INTO messages VALUES (1000, 'after')")  # free again

    other.close()
    app.close()


def test_a_reader_on_an_older_snapshot_means_a_copy_instead(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    app = _wal_db(db, 10)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM messages").fetchone()  # holds the snapshot of 10
    app.execute("INSERT INTO messages VALUES (500, 'newer')")  # a frame it keeps from the file

    with frozen(db) as raw:
        assert raw is None  # the checkpoint could not move every frame

    reader.execute("ROLLBACK")
    reader.close()
    app.close()


def test_a_writer_that_holds_on_means_a_copy_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlitefile, "_WRITERS_WAIT", 0.05)
    db = tmp_path / "chat.db"
    app = _wal_db(db, 10)
    app.execute("BEGIN IMMEDIATE")

    with frozen(db) as raw:
        assert raw is None

    app.execute("ROLLBACK")
    app.close()


@pytest.mark.parametrize("wal", [False, True])
def test_the_bytes_read_are_those_a_backup_api_copy_holds(tmp_path: Path, wal: bool) -> None:
    # Two hosts with the same rows must back up the same bytes, whichever way they read.
    db = tmp_path / "wiki.db"
    connection = sqlite3.connect(db)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("CREATE INDEX bodies ON messages (body)")  # the schema cookie moves on
    for i in range(50):  # many commits: the file's change counter moves on
        connection.execute("INSERT INTO messages VALUES (?, ?)", (i, "y" * 200))
        connection.commit()
    copy = tmp_path / "copy.db"
    backup_copy(db, copy)

    with frozen(db) as raw:
        assert raw is not None
        assert raw.read() == copy.read_bytes()

    connection.close()


def _exclusive_from_another_process(db: Path) -> subprocess.CompletedProcess:
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None);"
        " c.execute('BEGIN EXCLUSIVE')"
    )
    return subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)


def test_reading_the_file_keeps_the_locks_the_app_holds(tmp_path: Path) -> None:
    # Closing any descriptor of a database drops every POSIX lock the process holds on it.
    db = tmp_path / "wiki.db"
    setup = sqlite3.connect(db)
    setup.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    setup.commit()
    setup.close()
    app = sqlite3.connect(db, isolation_level=None)
    app.execute("BEGIN")
    app.execute("SELECT count(*) FROM messages").fetchone()  # the app reads: a shared lock

    for _ in range(2):
        assert is_live_sqlite(db)  # a backup's check, then its read
        with frozen(db) as raw:
            assert raw is not None
            raw.read()

    probe = _exclusive_from_another_process(db)
    assert probe.returncode != 0 and "locked" in probe.stderr  # the app's lock still holds
    app.execute("ROLLBACK")
    assert _exclusive_from_another_process(db).returncode == 0
    app.close()


def test_backups_keep_one_descriptor_a_database_and_none_for_other_files(tmp_path: Path) -> None:
    db, note = tmp_path / "chat.db", tmp_path / "note.txt"
    _wal_db(db, 5).close()
    note.write_text("not a database")
    assert is_live_sqlite(db)
    opened = len(os.listdir("/proc/self/fd"))

    for _ in range(20):
        assert is_live_sqlite(db) and not is_live_sqlite(note)
        with frozen(db) as raw:
            assert raw is not None
            raw.read()

    assert len(os.listdir("/proc/self/fd")) == opened
