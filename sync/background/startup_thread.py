"""The start-up restore in the background: retried until it settles, watched by pages.

It never calls Streamlit: pages read `state` (a frozen snapshot taken under a lock)
and `progress`.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sync.actions.startup import StartupResult, startup_restore
from sync.background.notify import Notifier
from sync.background.worker import Loop
from sync.errors import Busy, SyncError
from sync.local.progress import RestoreProgress
from sync.local.snapshot import scan
from sync.workspace import Workspace

log = logging.getLogger(__name__)

Phase = Literal["checking", "restoring", "failed", "diverged", "done"]
HOLDING: frozenset[str] = frozenset({"checking", "restoring", "failed", "diverged"})


@dataclass(frozen=True)
class StartupState:
    """checking: an attempt runs on data that is already here. restoring: an attempt runs
    that will replace the data (it was empty, or pages were written after an empty start).
    failed: the last attempt failed; `next_retry` says when the next one runs. diverged:
    the data was never restored from the remote's backups; someone must choose. done."""

    phase: Phase = "checking"
    result: StartupResult | None = None
    error: str | None = None
    error_code: str | None = None
    attempts: int = 0
    next_retry: datetime | None = None
    started_at: datetime | None = None  # when the newest attempt began
    finished_at: datetime | None = None

    @property
    def holds_backups(self) -> bool:
        return self.phase in HOLDING


class StartupRestore:
    """Restore the latest backup at start-up, in a daemon thread, until it settles.

    Until then `state.holds_backups` is true: the auto-backup holds its backups, so an
    empty or half-written data directory never becomes the newest backup. Failures are
    retried with exponential backoff and jitter; `retry_now()` wakes the thread early
    (a "Retry now" button, or after someone restored or started fresh by hand).

    Example::

        startup = StartupRestore(workspace=ws).start()
        while startup.state.phase == "restoring":
            print(startup.progress.snapshot().fraction)
            time.sleep(1)
        startup.stop()
    """

    def __init__(
        self,
        *,
        workspace: Workspace,
        notifier: Notifier | None = None,
        first_retry_seconds: float = 5.0,
        max_retry_seconds: float = 300.0,
        jitter: float = 0.2,
    ) -> None:
        self.workspace = workspace
        self.notifier = notifier or Notifier()
        self.first_retry = first_retry_seconds
        self.max_retry = max_retry_seconds
        self.jitter = jitter
        self.progress = RestoreProgress()
        self._lock = threading.Lock()
        self._loop = Loop("kura-startup", self._round)
        self._state = StartupState()

    @property
    def state(self) -> StartupState:
        with self._lock:
            return self._state

    def start(self) -> StartupRestore:
        if not self._loop.started:
            self._update(phase=self._coming_phase())  # right away: the first page load reads it
            self._loop.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._loop.stop(timeout)

    def retry_now(self) -> None:
        """Run the next attempt now (also to settle after a restore or fresh start by hand)."""
        self._loop.wake()

    def wait_settled(self, timeout: float) -> StartupState:
        """Block until an attempt has finished (for tests and the command line)."""
        deadline = datetime.now(UTC) + timedelta(seconds=timeout)
        while self.state.phase in ("checking", "restoring") and datetime.now(UTC) < deadline:
            self._loop.pause(0.05)
        return self.state

    def attempt(self) -> StartupState:
        """One attempt, in the calling thread."""
        ws = self.workspace
        self.progress = RestoreProgress()
        self._update(phase=self._coming_phase(), next_retry=None, started_at=datetime.now(UTC))
        try:
            result = startup_restore(ws, progress=self.progress)
        except SyncError as exc:
            return self._failed(exc)
        phase: Phase = "diverged" if result.holds_backups else "done"
        if phase == "diverged":
            log.warning(
                "Start-up: the data here was never restored from %s, which holds backups; "
                "backups are held until someone restores the latest or starts fresh",
                ws.remote_display,
            )
        return self._update(
            phase=phase,
            result=result,
            error=None,
            error_code=None,
            finished_at=datetime.now(UTC),
            attempts=self.state.attempts + 1,
        )

    def _coming_phase(self) -> Phase:
        """restoring when the next attempt will replace the data, checking otherwise."""
        ws = self.workspace
        if not ws.settings.sync_enabled:
            return "checking"
        return "restoring" if ws.restore_pending or not scan(ws.data_dir) else "checking"

    def _failed(self, exc: SyncError) -> StartupState:
        attempts = self.state.attempts + 1
        delay = self._delay(attempts)
        if not isinstance(exc, Busy):  # busy: someone else restores; just look again soon
            log.error("Start-up restore failed (attempt %d): %s", attempts, exc.message)
            self.notifier.failed("start-up restore", exc.code, exc.message)
        return self._update(
            phase="failed",
            error=exc.message,
            error_code=exc.code,
            attempts=attempts,
            next_retry=datetime.now(UTC) + timedelta(seconds=delay),
        )

    def _delay(self, attempts: int) -> float:
        base = min(self.max_retry, self.first_retry * 2 ** (attempts - 1))
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    def _round(self) -> float | None:
        try:
            state = self.attempt()
        except Exception:
            log.exception("Start-up restore attempt crashed")
            state = self._update(phase="failed", next_retry=None)
        if state.phase == "done":
            return None
        # diverged: look again now and then (someone may restore from a shell)
        return self._delay(max(state.attempts, 1)) if state.phase == "failed" else self.max_retry

    def _update(self, **changes: object) -> StartupState:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)
            return self._state
