import os
import sqlite3

import pytest

from sync import backup, restore, verify
from sync.errors import VerificationFailed
from tests.conftest import files_of, write_db


def test_verify_a_complete_backup(ws) -> None:
    write_db(ws.data_dir / "chatbot.db", range(10))
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    cheap = verify(ws)
    assert (cheap.commit, cheap.files, cheap.mode, cheap.objects) == (
        point.commit,
        2,
        "presence",
        1,
    )
    assert (cheap.sqlite_checked, cheap.downloaded) == (0, 0)
    deep = verify(ws, deep=True)
    assert (deep.commit, deep.files, deep.sqlite_checked, deep.mode) == (point.commit, 2, 1, "deep")
    assert deep.downloaded == sum(ws.store.path(o).stat().st_size for o in ws.store.oids())


def test_missing_object_on_the_remote_fails_verify_and_restore(ws, make_workspace, remote) -> None:
    (ws.data_dir / "a.bin").write_bytes(b"a" * 5000)
    point = backup(ws)
    oid = next(iter(ws.store.oids()))
    remote.lfs_object(oid).unlink()

    with pytest.raises(VerificationFailed, match=r"a\.bin"):
        verify(ws, point.commit)
    with pytest.raises(VerificationFailed, match=r"a\.bin"):
        verify(ws, point.commit, deep=True)

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

    assert verify(ws, point.commit).mode == "presence"  # every object is there...
    with pytest.raises(VerificationFailed, match=r"chatbot\.db"):
        verify(ws, point.commit, deep=True)  # ...but the database inside is damaged

    fresh = make_workspace("fresh")
    (fresh.data_dir / "mine.txt").write_text("live data")
    with pytest.raises(VerificationFailed, match=r"chatbot\.db"):
        restore(fresh, point.commit)
    assert files_of(fresh.data_dir) == {"mine.txt": b"live data"}
    assert not fresh.staging_dir.exists()


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_damaged_pack_fails_deep_verify_and_restore_naming_the_file(
    ws, make_workspace, remote, damage: str
) -> None:
    (ws.data_dir / "notes.bin").write_bytes(os.urandom(200_000))
    point = backup(ws)
    (oid,) = ws.store.oids()
    stored = remote.lfs_object(oid)
    data = bytearray(stored.read_bytes())
    if damage == "truncated":
        del data[-1000:]
    else:
        data[5000:5100] = bytes(100)
    stored.write_bytes(bytes(data))

    with pytest.raises(VerificationFailed, match=r"notes\.bin"):
        verify(ws, point.commit, deep=True)
    fresh = make_workspace("fresh")
    (fresh.data_dir / "mine.txt").write_text("live data")
    with pytest.raises(VerificationFailed, match=r"notes\.bin"):
        restore(fresh, point.commit)
    assert files_of(fresh.data_dir) == {"mine.txt": b"live data"}
    assert not fresh.staging_dir.exists()


def test_a_truncated_pack_fails_the_cheap_check(ws, remote) -> None:
    (ws.data_dir / "notes.bin").write_bytes(os.urandom(50_000))
    point = backup(ws)
    (oid,) = ws.store.oids()
    stored = remote.lfs_object(oid)
    stored.write_bytes(stored.read_bytes()[:-10])
    with pytest.raises(VerificationFailed, match=r"notes\.bin.*(instead of|recorded size)"):
        verify(ws, point.commit)
