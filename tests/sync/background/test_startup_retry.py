"""The start-up restore in the background: retries, holds the auto-backup, reports progress."""

import contextlib
import os
import time
from collections.abc import Iterator

from sync import backup, history
from sync.background.scheduler import AutoBackup
from sync.background.startup_thread import StartupRestore
from tests.conftest import Remote, files_of


@contextlib.contextmanager
def remote_away(remote: Remote) -> Iterator[None]:
    """The remote's repository is gone (a wrong URL, a GitHub outage) until the block ends."""
    away = remote.git_dir.with_name(remote.git_dir.name + ".away")
    remote.git_dir.rename(away)
    try:
        yield
    finally:
        away.rename(remote.git_dir)


def _team(ws) -> str:
    for name in ("a", "b", "c"):
        (ws.data_dir / f"{name}.md").write_text(f"team page {name}")
    return backup(ws).commit


def test_a_remote_that_comes_back_is_restored_and_nothing_is_lost(
    ws, make_workspace, remote
) -> None:
    team = _team(ws)
    fresh = make_workspace("fresh")
    startup = StartupRestore(workspace=fresh, first_retry_seconds=0.05)
    held = lambda: startup.state.holds_backups  # noqa: E731
    auto = AutoBackup(workspace=fresh, every_minutes=0.001, hold=held)
    with remote_away(remote):
        state = startup.attempt()
        assert state.phase == "failed" and state.error and state.next_retry
        assert "Traceback" not in state.error
        (fresh.data_dir / "new.md").write_text("a page written while the remote was away")
        assert auto.tick() == "held"
        assert auto.tick() == "held"  # held, not failed: no failure notifications either
    assert [b.commit for b in history(ws)] == [team]  # nothing was pushed meanwhile

    startup.start()
    state = startup.wait_settled(60)
    while state.phase == "failed":  # the first retry may still have seen the remote away
        startup.retry_now()
        time.sleep(0.1)
        state = startup.wait_settled(60)
    startup.stop()
    assert state.phase == "done" and state.result.outcome == "restored"
    assert files_of(fresh.data_dir) == files_of(ws.data_dir)
    safety = state.result.restore.safety_backup
    kept = {b.commit: b for b in history(ws)}[safety]
    assert kept.kind == "pre-restore" and kept.files == 1
    assert history(ws)[0].message == f"Restore of {team[:8]}"  # the team's data on top
    assert startup.progress.snapshot().fraction == 1.0

    (fresh.data_dir / "d.md").write_text("work after the restore")
    assert auto.tick() == "created"  # released
    assert {"a.md", "b.md", "c.md", "d.md"} <= set(files_of(fresh.data_dir))


def test_a_host_with_foreign_data_is_held_until_someone_chooses(ws, make_workspace) -> None:
    _team(ws)
    laptop = make_workspace("laptop")
    (laptop.data_dir / "mine.md").write_text("my own notes")
    startup = StartupRestore(workspace=laptop)
    assert startup.attempt().phase == "diverged"
    assert startup.state.holds_backups
    assert files_of(laptop.data_dir) == {"mine.md": b"my own notes"}  # never overwritten

    backup(laptop, force=True, message="Start fresh")  # the deliberate choice
    assert startup.attempt().phase == "done"


def test_failures_back_off_exponentially(ws) -> None:
    startup = StartupRestore(workspace=ws, first_retry_seconds=5, max_retry_seconds=60, jitter=0)
    assert [startup._delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_progress_counts_the_bytes_of_the_restore(ws, make_workspace) -> None:
    (ws.data_dir / "big.bin").write_bytes(os.urandom(3_000_000))
    backup(ws)
    packed = sum(ws.store.path(oid).stat().st_size for oid in ws.store.oids())
    wiped = make_workspace("wiped")
    startup = StartupRestore(workspace=wiped)
    state = startup.attempt()
    assert state.result.outcome == "restored"
    snapshot = startup.progress.snapshot()
    # what is downloaded: the packs, a little over the random content they hold
    assert (snapshot.phase, snapshot.total_bytes, snapshot.done_bytes) == ("done", packed, packed)
    assert packed > 3_000_000
    assert state.result.restore.bytes == 3_000_000
    assert state.result.restore.downloaded == packed
