"""Auto-backup with sub-second intervals and a real webhook receiver."""

from __future__ import annotations

import itertools
import json
import socket
import time
from collections.abc import Iterator

import pytest

from config import Settings
from sync import Workspace, backup, history
from sync.background.notify import Notifier
from sync.background.scheduler import AutoBackup
from sync.oplog import read_operations
from tests.conftest import TOKEN
from tests.webhook import Receiver

EVERY = 0.3 / 60  # 0.3 s


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver().start()
    yield instance
    instance.stop()


def notifier(receiver: Receiver, ws: Workspace) -> Notifier:
    return Notifier(
        webhook_url=f"{receiver.url}/hook", heartbeat_url=f"{receiver.url}/ping", secrets=ws.secrets
    )


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_change_triggers_one_backup_and_no_change_none(ws, receiver) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    scheduler = AutoBackup(workspace=ws, every_minutes=EVERY, notifier=notifier(receiver, ws))
    scheduler.start()
    try:
        wait_until(lambda: len(history(ws, refresh=False)) == 1)
        time.sleep(1.5)  # several idle ticks
        assert [b.kind for b in history(ws, refresh=False)] == ["auto"]
        (ws.data_dir / "a.txt").write_text("changed")
        wait_until(lambda: len(history(ws, refresh=False)) == 2)
        time.sleep(1.0)
        assert len(history(ws, refresh=False)) == 2
    finally:
        scheduler.stop()
    assert scheduler.state.last_outcome in ("unchanged", "created")
    pings = [path for path, _ in receiver.posts if path == "/ping"]
    assert len(pings) == 2, "one heartbeat per successful backup"
    assert receiver.payloads("/hook") == []
    kinds = {(o.operation, o.kind, o.ok) for o in read_operations(ws.home)}
    assert kinds == {("backup", "auto", True)}


def dead_remote_host(tmp_path) -> Workspace:
    """A host with a change to back up and a remote where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/team/data.git"
    root = tmp_path / "h"
    (root / "data").mkdir(parents=True)
    (root / "data" / "a.txt").write_text("a")
    return Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=dead, token=TOKEN)
    )


def test_failure_notifies_once_then_recovery(tmp_path, receiver) -> None:
    ws = dead_remote_host(tmp_path)
    root = tmp_path / "h"
    scheduler = AutoBackup(
        workspace=ws, every_minutes=EVERY, notifier=notifier(receiver, ws), first_retry_seconds=0.2
    )
    scheduler.start()
    try:
        wait_until(lambda: scheduler.state.consecutive_failures >= 3)
    finally:
        scheduler.stop(final_backup=False)
    failures = receiver.payloads("/hook")
    assert len(failures) == 1, "identical failures are sent once"
    [failure] = failures
    assert failure["event"] == "failure" and failure["operation"] == "backup"
    assert failure["code"] == "remote_unreachable"
    assert failure["text"].startswith(":warning: Kura backup failed")
    assert {"host", "time", "message"} <= set(failure)
    assert scheduler.state.last_error and "could not be reached" in scheduler.state.last_error
    assert [o.code for o in read_operations(ws.home)][:3] == ["remote_unreachable"] * 3

    # the remote comes back: point at a working one and tick
    good = Workspace(
        Settings(
            data_dir=root / "data", home=root / ".kura", data_repo=str(tmp_path / "remote.git")
        )
    )
    from tests.conftest import git

    git("init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git"))
    scheduler.workspace = good
    assert scheduler.tick() == "created"
    recovery = receiver.wait_for(2)
    events = [body["event"] for path, body in recovery if path == "/hook"]
    assert events == ["failure", "recovery"]
    everything = json.dumps(receiver.posts)
    assert TOKEN not in everything


def test_failures_are_retried_further_and_further_apart(tmp_path) -> None:
    """The README's backoff: 30 s, 60 s, 2 min … (here 0.2 s, 0.4 s, 0.8 s, without
    jitter), read from when each failed attempt started in the operations log."""
    ws = dead_remote_host(tmp_path)
    scheduler = AutoBackup(
        workspace=ws,
        every_minutes=2 / 60,  # retries may double up to 2 s
        quiet_seconds=0.05,
        max_delay_seconds=0.1,
        first_retry_seconds=0.2,
        jitter=0.0,
        poll_seconds=0.02,
    )
    scheduler.start()
    try:
        wait_until(lambda: scheduler.state.consecutive_failures >= 4, timeout=60)
    finally:
        scheduler.stop(final_backup=False)
    starts = [o.started_at for o in read_operations(ws.home) if o.operation == "backup"][:4]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    # Each wait is at least the doubled delay (a slow machine only adds to it).
    assert [g >= wanted for g, wanted in zip(gaps, (0.2, 0.4, 0.8), strict=True)] == [True] * 3


def test_skips_a_tick_while_another_operation_runs(ws) -> None:
    from sync.repo.locking import operation_lock

    (ws.data_dir / "a.txt").write_text("a")
    scheduler = AutoBackup(workspace=ws, every_minutes=EVERY)
    with operation_lock(ws.lock_file):
        assert scheduler.tick() == "busy"
    assert scheduler.tick() == "created"
    assert scheduler.tick() == "unchanged"


def test_stop_takes_a_last_backup_of_unsaved_changes(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    scheduler = AutoBackup(workspace=ws, every_minutes=60).start()
    (ws.data_dir / "a.txt").write_text("unsaved at shutdown")
    scheduler.stop()
    assert [b.kind for b in history(ws, refresh=False)] == ["auto", "manual"]


def test_off_means_off(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    scheduler = AutoBackup(workspace=ws, every_minutes=0).start()
    assert scheduler.state.enabled is False and scheduler.state.next_run is None
    scheduler.stop()
    assert history(ws) == []


def test_notifications_never_break_a_backup(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    scheduler = AutoBackup(
        workspace=ws,
        every_minutes=EVERY,
        notifier=Notifier(webhook_url=nowhere, heartbeat_url=nowhere),
    )
    assert scheduler.tick() == "created"


def _write_for(path, seconds: float, every: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        path.write_text(f"write {n}")
        time.sleep(every)


def test_backs_up_once_writes_settle(ws) -> None:
    target = ws.data_dir / "a.txt"
    scheduler = AutoBackup(
        workspace=ws, every_minutes=1, quiet_seconds=0.5, max_delay_seconds=30, poll_seconds=0.05
    ).start()
    try:
        _write_for(target, 1.5)  # never quiet for 0.5 s meanwhile: no backup yet
        stopped = time.monotonic()
        assert history(ws, refresh=False) == []
        assert scheduler.state.unsaved_since is not None and scheduler.state.next_run
        wait_until(lambda: len(history(ws, refresh=False)) == 1, timeout=10)
        assert time.monotonic() - stopped >= 0.45  # the quiet period, not at once
        wait_until(lambda: scheduler.state.unsaved_since is None, timeout=5)
        assert history(ws, refresh=False)[0].kind == "auto"
        assert scheduler.state.next_run is None
    finally:
        scheduler.stop(final_backup=False)


def test_backs_up_within_the_bound_while_writes_go_on(ws) -> None:
    target = ws.data_dir / "a.txt"
    scheduler = AutoBackup(
        workspace=ws, every_minutes=1, quiet_seconds=5, max_delay_seconds=1.0, poll_seconds=0.05
    ).start()
    try:
        _write_for(target, 4.0)  # never quiet for 5 s: only the 1 s bound backs up
        assert len(history(ws, refresh=False)) >= 1
        assert scheduler.state.unsaved_since is not None  # the last writes wait for the next
    finally:
        scheduler.stop(final_backup=False)


def test_the_quota_throttle_spaces_backups_apart(ws) -> None:
    target = ws.data_dir / "a.txt"
    scheduler = AutoBackup(
        workspace=ws,
        every_minutes=1,
        quiet_seconds=0.1,
        max_delay_seconds=0.2,
        poll_seconds=0.05,
        spacing=lambda: 1.5,
    ).start()
    try:
        _write_for(target, 2.5)
    finally:
        scheduler.stop(final_backup=False)
    # At 0.2 s, then not before 1.5 s after that one ended; unthrottled, one every ~0.5 s.
    assert 1 <= len(history(ws, refresh=False)) <= 2
    assert scheduler.state.throttled_to == 1.5
