import os
import sqlite3
from pathlib import Path

import pytest

from sync import Workspace, backup, history, restore, status
from sync.errors import InvalidRef
from tests.conftest import files_of, message_ids, write_db


def test_restore_an_older_backup_by_short_prefix(ws) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(10))
    old = backup(ws, message="old")
    write_db(db, range(10, 20))
    backup(ws, message="new")

    result = restore(ws, old.commit[:7])

    assert result.status == "restored"
    assert result.commit == old.commit
    assert message_ids(db) == list(range(10))


def test_restore_removes_stale_files_and_stale_wal(ws) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(5))
    point = backup(ws)
    write_db(db, range(5, 8))
    (ws.data_dir / "stale.txt").write_text("not in the backup")
    holder = sqlite3.connect(db)
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("INSERT INTO messages VALUES (100, 'only in the wal')")
    holder.commit()
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0
    stale_wal = wal.read_bytes()
    holder.close()
    # a crashed writer leaves its WAL behind
    wal.write_bytes(stale_wal)

    restore(ws, point.commit)

    assert sorted(p.name for p in ws.data_dir.iterdir()) == ["chatbot.db"]
    assert message_ids(db) == list(range(5))


def test_restore_makes_the_directory_exactly_the_backup(ws, make_workspace) -> None:
    (ws.data_dir / "nested" / "deep").mkdir(parents=True)
    (ws.data_dir / "nested" / "deep" / "x.bin").write_bytes(bytes(range(256)) * 50)
    (ws.data_dir / "top.txt").write_text("top")
    point = backup(ws)
    expected = files_of(ws.data_dir)
    (ws.data_dir / "top.txt").write_text("changed")
    (ws.data_dir / "extra").mkdir()
    (ws.data_dir / "extra" / "new.txt").write_text("new")

    restore(ws, point.commit)

    assert files_of(ws.data_dir) == expected
    assert not (ws.data_dir / "extra").exists()
    assert not ws.staging_dir.exists()


def test_dirty_data_is_saved_first_and_the_restore_can_be_undone(ws) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(3))
    point = backup(ws)
    write_db(db, range(3, 6))  # not backed up

    result = restore(ws, point.commit)

    assert result.safety_backup is not None
    kinds = {b.commit: b.kind for b in history(ws)}
    assert kinds[result.safety_backup] == "pre-restore"
    assert message_ids(db) == [0, 1, 2]

    restore(ws, result.safety_backup)  # undo
    assert message_ids(db) == list(range(6))


def test_clean_data_needs_no_safety_backup(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    (ws.data_dir / "a.txt").write_text("b")
    backup(ws)
    result = restore(ws, point.commit)
    assert result.safety_backup is None
    assert (ws.data_dir / "a.txt").read_text() == "a"


def test_restoring_what_is_there_is_unchanged(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    result = restore(ws, "latest")
    assert (result.status, result.commit, result.safety_backup) == ("unchanged", point.commit, None)


def test_the_restored_state_becomes_the_newest_backup(ws) -> None:
    """So that a host wiped right after a restore comes back with the restored data."""
    (ws.data_dir / "a.txt").write_text("old")
    old = backup(ws)
    (ws.data_dir / "a.txt").write_text("new")
    backup(ws)
    restore(ws, old.commit)
    newest = history(ws)[0]
    assert newest.message == f"Restore of {old.commit[:8]}"
    assert status(ws).dirty is False
    assert status(ws).last_backup.commit == newest.commit


@pytest.mark.parametrize(
    "ref", ["--output=/tmp/kura-pwned", "HEAD~1", "ABCDEF0", "deadbeefdeadbeef", "main", "-h"]
)
def test_refused_refs_touch_nothing(ws, ref: str, tmp_path: Path, remote) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    (ws.data_dir / "a.txt").write_text("unsaved")
    before_remote = files_of(remote.git_dir)
    with pytest.raises(InvalidRef):
        restore(ws, ref)
    assert (ws.data_dir / "a.txt").read_text() == "unsaved"
    assert files_of(remote.git_dir) == before_remote
    assert not Path("/tmp/kura-pwned").exists()


def test_a_commit_off_the_backup_branch_is_refused(ws, tmp_path: Path) -> None:
    from tests.conftest import git

    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    stray = git(
        "commit-tree", "-m", "stray", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", cwd=ws.cache_dir
    ).strip()
    with pytest.raises(InvalidRef):
        restore(ws, stray)
    with pytest.raises(InvalidRef):
        restore(ws, stray[:10])


def test_restore_onto_a_fresh_host(ws, make_workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(50))
    (ws.data_dir / "docs").mkdir()
    (ws.data_dir / "docs" / "guide.md").write_text("# guide")
    point = backup(ws)
    fresh = make_workspace("fresh")
    result = restore(fresh, "latest")
    assert result.commit == point.commit
    assert sorted(files_of(fresh.data_dir)) == ["chatbot.db", "docs/guide.md"]
    assert (fresh.data_dir / "docs" / "guide.md").read_text() == "# guide"
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(50))
    assert status(fresh).dirty is False


def test_a_restore_to_a_point_from_a_stale_cache_lands_on_the_newest_backup(
    make_workspace,
) -> None:
    one, two = make_workspace("one"), make_workspace("two")
    (one.data_dir / "a.txt").write_text("first")
    first = backup(one)
    (one.data_dir / "a.txt").write_text("second")
    backup(one)
    restore(two, "latest")
    (two.data_dir / "b.txt").write_text("from two")
    theirs = backup(two)  # one's cache does not know this backup yet

    result = restore(one, first.commit)  # a full id: resolved from the cache, no fetch

    assert result.status == "restored"
    assert files_of(one.data_dir) == {"a.txt": b"first"}
    newest = one.git.rev_parse(one.tracking_ref)
    assert one.git.is_ancestor(theirs.commit, newest)  # recorded on top of two's backup
    assert history(one)[0].message == f"Restore of {first.commit[:8]}"


def test_a_live_database_whose_rows_sit_in_its_wal_is_copied_with_them(ws) -> None:
    db = ws.data_dir / "chatbot.db"
    app = sqlite3.connect(db, isolation_level=None)  # the app keeps it open, unchecked
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("PRAGMA wal_autocheckpoint=0")
    app.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    app.executemany("INSERT INTO messages VALUES (?, ?)", ((i, "x" * 100) for i in range(300)))
    (ws.data_dir / "notes.txt").write_text("first")
    first = backup(ws)  # the database's rows are in its WAL, not yet in its file
    (ws.data_dir / "notes.txt").write_text("second")
    backup(ws)

    restore(ws, first.commit)  # the database is as backed up: it comes from the live one

    app.close()
    assert len(message_ids(db)) == 300


def test_a_live_database_lends_its_pages_each_checked_against_its_id(ws: Workspace) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(4000))
    first = backup(ws).commit
    write_db(db, range(4000, 4100))
    backup(ws)
    # A page that changed behind the stat signature's back (same size, mtime, inode): the
    # restore to the first backup borrows the live file's other pages, finds this one
    # does not hash to its id, and rebuilds the file from its packs alone.
    info = db.stat()
    with db.open("r+b") as handle:
        handle.seek(2 * 4096 + 100)
        byte = handle.read(1)
        handle.seek(2 * 4096 + 100)
        handle.write(bytes([byte[0] ^ 1]))
    os.utime(db, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert restore(ws, first).status == "restored"
    assert message_ids(db) == list(range(4000))
