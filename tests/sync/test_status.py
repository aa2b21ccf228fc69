import os

from sync import backup, status
from tests.conftest import write_db


def test_status_lists_files_with_kind_and_tracks_dirty(ws) -> None:
    write_db(ws.data_dir / "chatbot.db", range(3))
    (ws.data_dir / "notes.md").write_text("# notes")
    (ws.data_dir / "blob.bin").write_bytes(b"\x00\xff" * 10)
    before = status(ws)
    assert before.dirty is True and before.last_backup is None
    assert {f.path: f.kind for f in before.files} == {
        "blob.bin": "binary",
        "chatbot.db": "sqlite",
        "notes.md": "text",
    }
    point = backup(ws)
    after = status(ws)
    assert after.dirty is False
    assert after.last_backup.commit == point.commit
    assert after.total_bytes == sum(f.size for f in after.files)
    (ws.data_dir / "notes.md").write_text("# notes, edited")
    assert status(ws).dirty is True


def test_reading_a_wal_database_does_not_make_it_dirty(ws) -> None:
    import sqlite3

    db = ws.data_dir / "chatbot.db"
    write_db(db, range(3))
    backup(ws)
    reader = sqlite3.connect(db)
    reader.execute("SELECT count(*) FROM messages").fetchone()
    try:
        assert status(ws).dirty is False  # an empty -wal appeared; no change
        writer = sqlite3.connect(db)
        with writer:
            writer.execute("INSERT INTO messages VALUES (99, 'new')")
        writer.close()
        assert status(ws).dirty is True
    finally:
        reader.close()


def test_status_makes_no_network_call(ws, remote) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    os.rename(remote.git_dir, f"{remote.git_dir}.gone")  # the remote vanishes
    result = status(ws)
    assert result.last_backup is not None and result.dirty is False


def test_symlinks_are_never_followed(ws, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not data")
    (ws.data_dir / "real.txt").write_text("data")
    os.symlink(outside, ws.data_dir / "linked-dir")
    os.symlink(outside / "secret.txt", ws.data_dir / "linked-file.txt")
    assert [f.path for f in status(ws).files] == ["real.txt"]
    result = backup(ws)
    assert result.files == 1
