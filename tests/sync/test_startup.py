from sync import backup, history, startup_restore
from sync.errors import RestoreFirst
from tests.conftest import files_of, message_ids, write_db


def test_a_wiped_host_gets_the_latest_backup(ws, make_workspace) -> None:
    write_db(ws.data_dir / "chatbot.db", range(7))
    point = backup(ws)
    wiped = make_workspace("wiped")
    wiped.data_dir.rmdir()  # the disk came back empty
    result = startup_restore(wiped)
    assert result.outcome == "restored" and result.restore.commit == point.commit
    assert message_ids(wiped.data_dir / "chatbot.db") == list(range(7))
    assert not wiped.restore_pending


def test_existing_data_is_never_overwritten(ws, make_workspace) -> None:
    (ws.data_dir / "a.txt").write_text("backed up")
    backup(ws)
    other = make_workspace("other")
    (other.data_dir / "a.txt").write_text("local work")
    assert startup_restore(other).outcome == "diverged"  # held: someone must choose
    assert files_of(other.data_dir) == {"a.txt": b"local work"}


def test_a_host_in_step_with_the_remote_is_left_alone(ws) -> None:
    (ws.data_dir / "a.txt").write_text("backed up")
    backup(ws)
    (ws.data_dir / "a.txt").write_text("edited since")
    assert startup_restore(ws).outcome == "in_step"
    assert files_of(ws.data_dir) == {"a.txt": b"edited since"}


def test_nothing_to_restore_from_an_empty_remote(ws) -> None:
    assert startup_restore(ws).outcome == "nothing_to_restore"
    assert files_of(ws.data_dir) == {}
    assert not ws.restore_pending


def test_sync_turned_off_does_nothing(ws, make_workspace) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    off = make_workspace("off", sync_enabled=False)
    assert startup_restore(off).outcome == "off"
    assert files_of(off.data_dir) == {}


def test_pages_written_after_a_failed_empty_start_are_kept_and_the_team_data_restored(
    ws, make_workspace, remote
) -> None:
    for name in ("a", "b", "c"):
        (ws.data_dir / f"{name}.md").write_text(f"team page {name}")
    team = backup(ws)
    # An empty host whose remote is briefly wrong: the attempt fails before any restore.
    fresh = make_workspace("fresh", data_repo=remote.url + ".missing")
    try:
        startup_restore(fresh)
    except Exception as exc:  # noqa: BLE001 - any typed SyncError will do
        assert getattr(exc, "code", None) in ("remote_unreachable", "git_failed", "auth_failed")
    else:
        raise AssertionError("the attempt should fail")
    assert fresh.restore_pending

    back = make_workspace("fresh")  # same host, the remote is back
    (back.data_dir / "new.md").write_text("written while the remote was away")
    try:
        backup(back, kind="auto")
    except RestoreFirst as exc:
        assert "empty data directory" in exc.message
    else:
        raise AssertionError("a pending host must not back up")

    result = startup_restore(back)
    assert result.outcome == "restored" and result.restore.commit == team.commit
    assert files_of(back.data_dir) == files_of(ws.data_dir)
    safety = result.restore.safety_backup
    assert safety is not None
    kinds = {b.commit: b.kind for b in history(back)}
    assert kinds[safety] == "pre-restore"
    assert history(back)[0].message == f"Restore of {team.commit[:8]}"  # the team's data on top
    assert not back.restore_pending
