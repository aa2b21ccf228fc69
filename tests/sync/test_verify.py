import sqlite3

import pytest

from sync import backup, restore, verify
from sync.errors import VerificationFailed
from tests.conftest import files_of, write_db


def test_verify_a_complete_backup(ws) -> None:
    write_db(ws.data_dir / "chatbot.db", range(10))
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    result = verify(ws)
    assert (result.commit, result.files, result.sqlite_checked) == (point.commit, 2, 1)


def test_missing_object_on_the_remote_fails_verify_and_restore(ws, make_workspace, remote) -> None:
    (ws.data_dir / "a.bin").write_bytes(b"a" * 5000)
    point = backup(ws)
    oid = next(iter(ws.store.oids()))
    remote.lfs_object(oid).unlink()

    with pytest.raises(VerificationFailed, match=r"a\.bin"):
        verify(ws, point.commit)

    fresh = make_workspace("fresh")
    (fresh.data_dir / "mine.txt").write_text("live data")
    with pytest.raises(VerificationFailed):
        restore(fresh, point.commit)
    assert files_of(fresh.data_dir) == {"mine.txt": b"live data"}


def test_corrupt_database_fails_verify_and_restore_stops_before_live_data(
    ws, make_workspace
) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(2000), wal=False)
    # damage an interior page but keep the size: only an integrity check notices
    with sqlite3.connect(db) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(db.read_bytes())
    data[page_size * 3 : page_size * 3 + 200] = b"\xff" * 200
    db.write_bytes(bytes(data))
    point = backup(ws)

    with pytest.raises(VerificationFailed, match=r"chatbot\.db"):
        verify(ws, point.commit)

    fresh = make_workspace("fresh")
    (fresh.data_dir / "mine.txt").write_text("live data")
    with pytest.raises(VerificationFailed, match=r"chatbot\.db"):
        restore(fresh, point.commit)
    assert files_of(fresh.data_dir) == {"mine.txt": b"live data"}
    assert not fresh.staging_dir.exists()
