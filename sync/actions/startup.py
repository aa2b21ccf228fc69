"""Start-up restore: bring the latest backup back onto a wiped host, never over data.

One attempt; `sync.background.startup_thread.StartupRestore` retries it in the background until it
settles. An attempt on an empty data directory first marks the host as *pending*
(`Workspace.restore_pending`): until a restore succeeds, or someone deliberately
starts fresh, backups refuse with `restore_first`, and the next attempt restores
the latest backup even over pages written meanwhile (kept in a `pre-restore`
backup first, as every restore does).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

from sync.actions.recovery import recover
from sync.actions.restore import note_restore, restore_locked
from sync.guards import in_lineage
from sync.layout.state import load_state
from sync.local.progress import RestoreProgress
from sync.local.snapshot import scan
from sync.models import RestoreResult
from sync.oplog import record
from sync.refs import LATEST
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)

Outcome = Literal["restored", "nothing_to_restore", "in_step", "diverged", "off"]


@dataclass(frozen=True)
class StartupResult:
    """restored: the latest backup is here. nothing_to_restore: the remote holds no backups.
    in_step: the data is this host's own, on the remote's line. diverged: the data was
    never restored from the remote's backups (someone must choose). off: sync is off."""

    outcome: Outcome
    restore: RestoreResult | None = None

    @property
    def holds_backups(self) -> bool:
        return self.outcome == "diverged"


def startup_restore(ws: Workspace, *, progress: RestoreProgress | None = None) -> StartupResult:
    """Restore `latest` when the data directory is empty (or was, when this host started).

    Raises SyncError (busy included) when the attempt failed; callers retry.
    """
    if not ws.settings.sync_enabled:
        return StartupResult("off")
    with operation_lock(ws.lock_file):
        recover(ws)
        empty = not scan(ws.data_dir)
        if empty:
            ws.set_restore_pending(True)  # before any network call: the call may fail
        ws.require_lfs()
        ws.ensure_cache()
        tip = ws.fetch()
        if tip is None:
            ws.set_restore_pending(False)  # nothing to restore: this host's data is the first
            return StartupResult("nothing_to_restore")
        if not (empty or ws.restore_pending):
            known = load_state(ws.state_file).commit
            return StartupResult("in_step" if in_lineage(ws, known, tip) else "diverged")
        return StartupResult("restored", _restore_latest(ws, progress))


def _restore_latest(ws: Workspace, progress: RestoreProgress | None) -> RestoreResult:
    log.info("Start-up restore: restoring the latest backup from %s", ws.remote_display)
    started = time.monotonic()
    with record(ws.home, "restore", "startup") as recording:
        result = restore_locked(ws, LATEST, progress)
        note_restore(recording, result)
    log.info(
        "Start-up restore: restored %s (%d bytes) in %.1f s",
        result.commit[:8],
        result.bytes,
        time.monotonic() - started,
    )
    return result
