"""Auto-backup: one daemon thread that backs up soon after the data changes.

It never calls Streamlit: pages read `state`, a frozen snapshot taken under a lock.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sync.actions.backup import backup
from sync.background.cadence import Cadence
from sync.background.notify import Notifier
from sync.background.worker import Loop
from sync.errors import Busy, SyncError
from sync.layout.state import load_state
from sync.local.snapshot import scan
from sync.repo.locking import is_locked
from sync.workspace import Workspace

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # how often the data directory is looked at (a stat of each file)


@dataclass(frozen=True)
class SchedulerState:
    enabled: bool
    interval_seconds: float
    bound_seconds: float = 0.0  # the longest an unsaved change waits (unless throttled)
    next_run: datetime | None = None  # when unsaved changes will be backed up
    last_run: datetime | None = None
    last_outcome: str | None = None  # created | unchanged | busy | held | failed
    last_error: str | None = None
    consecutive_failures: int = 0
    unsaved_since: datetime | None = None  # the first change no backup holds yet
    throttled_to: float | None = None  # seconds between backups the LFS quota allows


@dataclass
class _Changes:
    """Unsaved changes as the polls saw them (monotonic seconds)."""

    first: float
    last: float
    seen: tuple
    since: datetime


class AutoBackup:
    """Back up the data directory soon after it changes.

    Every `poll_seconds` it stats the data files (and their -wal): when they differ
    from the last backup, a backup is due once they have not changed for
    `quiet_seconds`, and at most `max_delay_seconds` after the first unsaved change
    (`every_minutes`, AUTO_BACKUP_MINUTES, bounds both; `quiet_seconds=0` waits the
    whole bound). `after_backup()` runs after each backup that worked (conversation
    retention). `spacing()` may push backups further apart (the LFS quota's
    throttle). Between polls, `maintain()` keeps the cache packed (it takes the
    operation lock itself, so it never runs during a backup). A backup is skipped
    while another operation runs and while `hold()` is true (the start-up restore has
    not settled: backing up then could bury the team's data under an empty start);
    failures are retried with exponential backoff and jitter, notified once, and the
    first success after them sends a recovery. `stop()` takes one last backup if there
    are unsaved changes and nothing holds it.

    Example::

        scheduler = AutoBackup(workspace=ws, every_minutes=30, quiet_seconds=30,
                               max_delay_seconds=60, notifier=Notifier())
        scheduler.start()
        print(scheduler.state.unsaved_since, scheduler.state.next_run)
        scheduler.stop()
    """

    def __init__(
        self,
        *,
        workspace: Workspace,
        every_minutes: float,
        quiet_seconds: float = 0.0,
        max_delay_seconds: float = 0.0,
        notifier: Notifier | None = None,
        hold: Callable[[], bool] = lambda: False,
        spacing: Callable[[], float] = lambda: 0.0,
        maintain: Callable[[], object] = lambda: None,
        after_backup: Callable[[], object] = lambda: None,
        poll_seconds: float = POLL_SECONDS,
        first_retry_seconds: float = 30.0,
        jitter: float = 0.2,
    ) -> None:
        self.workspace = workspace
        self.hold = hold
        self.spacing = spacing
        self.maintain = maintain
        self.after_backup = after_backup
        self.interval = every_minutes * 60.0
        self.cadence = Cadence(
            interval=self.interval, quiet=quiet_seconds, max_delay=max_delay_seconds
        )
        self.poll = min(poll_seconds, self.cadence.bound) if self.interval else poll_seconds
        self.notifier = notifier or Notifier()
        self.first_retry = min(first_retry_seconds, self.interval) if self.interval else 0.0
        self.jitter = jitter
        self._changes: _Changes | None = None
        self._not_before = 0.0  # monotonic: throttling or a retry's backoff
        self._lock = threading.Lock()
        self._loop = Loop("kura-auto-backup", self._round)
        self._state = SchedulerState(
            enabled=self.interval > 0,
            interval_seconds=self.interval,
            bound_seconds=self.cadence.bound,
        )

    @property
    def state(self) -> SchedulerState:
        with self._lock:
            return self._state

    def start(self) -> AutoBackup:
        if self.interval > 0:
            self._loop.start()
        return self

    def stop(self, *, final_backup: bool = True, timeout: float = 120.0) -> None:
        self._loop.stop(timeout)
        if final_backup and self.interval > 0 and self._unsaved() is not None:
            if self.hold():
                log.warning("Not backing up at shutdown: the start-up restore has not settled")
                return
            log.info("Taking a last backup before shutting down")
            self.tick()

    def tick(self) -> str:
        """Check once and back up if needed; returns the outcome."""
        if self._unsaved() is None:
            outcome = "unchanged"  # nothing to do, and no network call: no heartbeat either
        elif self.hold():
            outcome = "held"
        elif is_locked(self.workspace.lock_file):
            outcome = "busy"
        else:
            outcome = self._backup()
        self._update(last_run=datetime.now(UTC), last_outcome=outcome)
        return outcome

    def poll_once(self) -> str | None:
        """Look at the data once; back up when due. The outcome, or None if not due."""
        now = time.monotonic()
        seen = self._unsaved()
        if seen is None:
            self._changes = None
            self._update(unsaved_since=None, next_run=None)
            return None
        changes = self._changes
        if changes is None:
            changes = self._changes = _Changes(now, now, seen, datetime.now(UTC))
        elif seen != changes.seen:
            changes.last, changes.seen = now, seen
        due = self.cadence.due(
            first_change=changes.first, last_change=changes.last, not_before=self._not_before
        )
        when = changes.since + timedelta(seconds=due - changes.first)
        self._update(unsaved_since=changes.since, next_run=when)
        return self._back_up_now(now) if now >= due else None

    def _back_up_now(self, started: float) -> str:
        since = datetime.now(UTC)
        outcome = self.tick()
        if outcome in ("created", "unchanged"):
            # A write after the snapshot began is the next backup's first change.
            fresh = _Changes(started, started, (), since)
            self._changes = None if outcome == "unchanged" else fresh
            self._not_before = time.monotonic() + self._spacing()
        elif outcome == "failed":
            self._not_before = time.monotonic() + self._retry_delay()
        return outcome

    def _spacing(self) -> float:
        try:
            wanted = self.spacing()
        except Exception:  # a throttle that cannot measure must not stop backups
            log.warning("Could not measure the LFS quota for throttling", exc_info=True)
            wanted = 0.0
        spacing = min(wanted, self.interval)
        self._update(throttled_to=spacing if spacing > self.cadence.bound else None)
        return spacing

    def _backup(self) -> str:
        try:
            result = backup(self.workspace, kind="auto")
        except Busy:
            return "busy"
        except SyncError as exc:
            self._update(
                last_error=exc.message, consecutive_failures=self.state.consecutive_failures + 1
            )
            self.notifier.failed("backup", exc.code, exc.message)
            return "failed"
        self._update(last_error=None, consecutive_failures=0)
        self.notifier.succeeded("backup")
        try:
            self.after_backup()  # retention: what it deletes is the next backup's change
        except Exception:
            log.exception("The after-backup task failed")
        return result.status

    def _unsaved(self) -> tuple | None:
        """The data files' signatures when they differ from the last backup, else None."""
        data = self.workspace.data_dir
        if not data.is_dir():
            return None  # never back up a data directory that is not there
        local = scan(data)
        signatures = tuple((f.path, f.signature) for f in local)
        if self.workspace.unrecorded_file.exists():
            return ("restore-unrecorded", *signatures)  # a restore to record: due like a change
        if not load_state(self.workspace.state_file).is_dirty(local):
            return None
        return signatures

    def _round(self) -> float:
        try:
            self.poll_once()
        except Exception:
            log.exception("Auto-backup poll failed")
        try:
            self.maintain()
        except Exception:
            log.exception("Cache maintenance failed")
        return self.poll

    def _retry_delay(self) -> float:
        failures = self.state.consecutive_failures
        base = min(self.interval, self.first_retry * 2 ** max(failures - 1, 0))
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)
