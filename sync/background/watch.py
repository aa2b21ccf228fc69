"""Remote watch: one daemon thread that notices newer backups from other instances.

It never calls Streamlit: pages read `state`, a frozen snapshot taken under a lock.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sync.actions.newer import newer_backup
from sync.actions.recovery import recover
from sync.actions.restore import restore
from sync.background.worker import Loop
from sync.errors import Busy, SyncError
from sync.layout.state import load_state
from sync.models import NewerBackup
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)

HELD_RETRY_SECONDS = 2.0  # while the start-up restore holds: look again soon after it settles


@dataclass(frozen=True)
class WatchState:
    enabled: bool
    every_seconds: float
    follow: bool
    checked_at: datetime | None = None
    remote_tip: str | None = None
    newer: NewerBackup | None = None  # what "Load it" would bring
    followed: str | None = None  # the last backup auto-follow loaded
    error: str | None = None


class RemoteWatch:
    """Check the remote's newest backup every `every_seconds`, for one `ls-remote`.

    Only when the remote's tip moved does it fetch (commits and trees, no LFS
    content) and work out whether that backup holds files this host lacks
    (`state.newer`). With `follow`, it restores such a backup at once, as a restore
    from the admin page would (a safety backup first if this host has unsaved
    changes); that suits an instance that only reads. It skips a round while an
    operation runs or while `hold()` is true (the start-up restore has not settled).

    Example::

        watch = RemoteWatch(workspace=ws, every_seconds=60).start()
        if watch.state.newer:
            print(watch.state.newer.host, watch.state.newer.files)
        watch.stop()
    """

    def __init__(
        self,
        *,
        workspace: Workspace,
        every_seconds: float,
        follow: bool = False,
        hold: Callable[[], bool] = lambda: False,
    ) -> None:
        self.workspace = workspace
        self.every = every_seconds
        self.follow = follow
        self.hold = hold
        self._seen: tuple[str | None, str | None] | None = None  # (remote tip, saved commit)
        self._lock = threading.Lock()
        self._loop = Loop("kura-watch", self._round)
        self._state = WatchState(
            enabled=every_seconds > 0, every_seconds=every_seconds, follow=follow
        )

    @property
    def state(self) -> WatchState:
        with self._lock:
            return self._state

    def start(self) -> RemoteWatch:
        if self.every > 0:
            self._loop.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._loop.stop(timeout)

    def check_once(self) -> WatchState:
        """One round: ask the remote, fetch if it moved, follow if asked to."""
        if self.hold():
            return self.state
        try:
            tip = self._remote_tip()
            saved = load_state(self.workspace.state_file).commit
            if (tip, saved) != self._seen:
                self._update(newer=self._newer(tip))
                self._seen = (tip, saved)
            self._update(remote_tip=tip, error=None)
            if self.follow and self.state.newer is not None:
                self._follow(self.state.newer)
        except Busy:
            pass  # a backup or restore runs: look again next round
        except SyncError as exc:
            self._update(error=exc.message)
        self._update(checked_at=datetime.now(UTC))
        return self.state

    def forget(self) -> None:
        """This host just loaded a backup: drop `newer` and look again at once."""
        self._seen = None
        self._update(newer=None)
        self._loop.wake()

    def _remote_tip(self) -> str | None:
        ws = self.workspace
        if not ws.has_cache():
            with operation_lock(ws.lock_file):
                ws.ensure_cache()
        return ws.remote_tip()

    def _newer(self, tip: str | None) -> NewerBackup | None:
        ws = self.workspace
        if tip is None:
            return None
        if tip != ws.tip():
            with operation_lock(ws.lock_file):  # Busy at once if a backup runs: next round
                recover(ws)
                ws.fetch()
        return newer_backup(ws)

    def _follow(self, newer: NewerBackup) -> None:
        log.info("Following the remote: loading %s from %s", newer.commit[:8], newer.host or "?")
        restore(self.workspace, newer.commit)
        self._seen = None
        self._update(newer=None, followed=newer.commit)

    def _round(self) -> float:
        try:
            self.check_once()
        except Exception:
            log.exception("Remote watch round failed")
        held = self.hold() or self.state.checked_at is None
        return min(self.every, HELD_RETRY_SECONDS) if held else self.every

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)
