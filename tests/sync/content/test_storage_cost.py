"""A backup costs what changed: in uploads, in LFS objects, across files and backups."""

import os

from sync import backup, restore
from tests.conftest import write_db


def test_a_small_change_uploads_its_chunks_in_one_pack(ws, remote) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(20_000), wal=False)
    first = backup(ws)
    before = set(ws.store.oids())
    write_db(db, range(20_000, 20_020), wal=False)
    second = backup(ws)
    assert second.status == "created"
    assert second.uploaded < db.stat().st_size / 20, (second.uploaded, db.stat().st_size)
    assert len(set(ws.store.oids()) - before) == 1  # one new LFS object: one round trip
    assert first.uploaded > second.uploaded


def test_identical_content_is_stored_once_across_files_and_backups(ws) -> None:
    content = os.urandom(400_000)
    (ws.data_dir / "a.bin").write_bytes(content)
    (ws.data_dir / "copy.bin").write_bytes(content)
    first = backup(ws)
    assert 400_000 < first.uploaded < 420_000
    (ws.data_dir / "third.bin").write_bytes(content)
    assert backup(ws).uploaded == 0  # a new commit, no new object


def test_a_restore_commit_uploads_nothing(ws) -> None:
    (ws.data_dir / "a.bin").write_bytes(os.urandom(100_000))
    old = backup(ws)
    (ws.data_dir / "a.bin").write_bytes(os.urandom(100_000))
    backup(ws)
    oids = set(ws.store.oids())
    restore(ws, old.commit)
    assert set(ws.store.oids()) <= oids | set(ws.store.oids())
    assert backup(ws).status == "unchanged"  # the restore committed the old manifests as is
