"""Auto-backup: one daemon thread that backs up when the data changed.

It never calls Streamlit: pages read `state`, a frozen snapshot taken under a lock.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sync.actions.backup import backup
from sync.errors import Busy, SyncError
from sync.locking import is_locked
from sync.notify import Notifier
from sync.snapshot import scan
from sync.state import load_state
from sync.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerState:
    enabled: bool
    interval_seconds: float
    next_run: datetime | None = None
    last_run: datetime | None = None
    last_outcome: str | None = None  # created | unchanged | busy | held | failed
    last_error: str | None = None
    consecutive_failures: int = 0


class AutoBackup:
    """Back up the data directory every `every_minutes` minutes, when it changed.

    Change detection is a stat of each data file (and its -wal), so an idle tick
    costs microseconds. A tick is skipped while a backup or restore runs, and
    while `hold()` is true (the start-up restore has not settled: backing up then
    could bury the team's data under an empty start); failures are retried with
    exponential backoff and jitter, notified once, and the first success after
    them sends a recovery. `stop()` takes one last backup if there are unsaved
    changes and nothing holds it.

    Example::

        scheduler = AutoBackup(workspace=ws, every_minutes=30, notifier=Notifier())
        scheduler.start()
        print(scheduler.state.next_run)
        scheduler.stop()
    """

    def __init__(
        self,
        *,
        workspace: Workspace,
        every_minutes: float,
        notifier: Notifier | None = None,
        hold: Callable[[], bool] = lambda: False,
        first_retry_seconds: float = 30.0,
        jitter: float = 0.2,
    ) -> None:
        self.workspace = workspace
        self.hold = hold
        self.interval = every_minutes * 60.0
        self.notifier = notifier or Notifier()
        self.first_retry = min(first_retry_seconds, self.interval) if self.interval else 0.0
        self.jitter = jitter
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = SchedulerState(enabled=self.interval > 0, interval_seconds=self.interval)

    @property
    def state(self) -> SchedulerState:
        with self._lock:
            return self._state

    def start(self) -> AutoBackup:
        if self.interval <= 0 or self._thread is not None:
            return self
        self._update(next_run=datetime.now(UTC) + timedelta(seconds=self.interval))
        self._thread = threading.Thread(target=self._run, name="kura-auto-backup", daemon=True)
        self._thread.start()
        return self

    def stop(self, *, final_backup: bool = True, timeout: float = 120.0) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if final_backup and self.interval > 0 and self._has_changes():
            if self.hold():
                log.warning("Not backing up at shutdown: the start-up restore has not settled")
                return
            log.info("Taking a last backup before shutting down")
            self.tick()

    def tick(self) -> str:
        """Check once and back up if needed; returns the outcome."""
        if not self._has_changes():
            outcome = "unchanged"  # nothing to do, and no network call: no heartbeat either
        elif self.hold():
            outcome = "held"
        elif is_locked(self.workspace.lock_file):
            outcome = "busy"
        else:
            outcome = self._backup()
        self._update(last_run=datetime.now(UTC), last_outcome=outcome)
        return outcome

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
        return result.status

    def _has_changes(self) -> bool:
        data = self.workspace.data_dir
        if not data.is_dir():
            return False  # never back up a data directory that is not there
        return load_state(self.workspace.state_file).is_dirty(scan(data))

    def _run(self) -> None:
        while not self._stopped.is_set():
            delay = (self.state.next_run - datetime.now(UTC)).total_seconds()
            if delay > 0 and self._wake.wait(delay):
                continue  # woken by stop()
            try:
                self.tick()
            except Exception:
                log.exception("Auto-backup tick failed")
            self._update(next_run=datetime.now(UTC) + timedelta(seconds=self._next_delay()))

    def _next_delay(self) -> float:
        failures = self.state.consecutive_failures
        base = (
            self.interval
            if not failures
            else min(self.interval, self.first_retry * 2 ** (failures - 1))
        )
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)
