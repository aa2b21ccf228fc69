from sync import backup, startup_restore
from tests.conftest import files_of, message_ids, write_db


def test_a_wiped_host_gets_the_latest_backup(ws, make_workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(7))
    point = backup(ws)
    wiped = make_workspace("wiped")
    wiped.data_dir.rmdir()  # the disk came back empty
    result = startup_restore(wiped)
    assert result is not None and result.commit == point.commit
    assert message_ids(wiped.data_dir / "chatbot.db") == list(range(7))


def test_existing_data_is_never_overwritten(ws, make_workspace) -> None:
    (ws.data_dir / "a.txt").write_text("backed up")
    backup(ws)
    other = make_workspace("other")
    (other.data_dir / "a.txt").write_text("local work")
    assert startup_restore(other) is None
    assert files_of(other.data_dir) == {"a.txt": b"local work"}


def test_nothing_to_restore_from_an_empty_remote(ws) -> None:
    assert startup_restore(ws) is None
    assert files_of(ws.data_dir) == {}


def test_sync_turned_off_does_nothing(ws, make_workspace) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    off = make_workspace("off", sync_enabled=False)
    assert startup_restore(off) is None
    assert files_of(off.data_dir) == {}
