"""Start-up restore: bring the latest backup back onto a wiped host, never over data."""

from __future__ import annotations

import logging

from sync.actions.recovery import recover
from sync.actions.restore import restore_locked
from sync.errors import Busy
from sync.locking import operation_lock
from sync.models import RestoreResult
from sync.oplog import record
from sync.refs import LATEST
from sync.snapshot import scan
from sync.workspace import Workspace

log = logging.getLogger(__name__)


def startup_restore(ws: Workspace) -> RestoreResult | None:
    """Restore `latest` when the data directory is missing or empty and backups exist.

    Returns None when there was nothing to do: data present, no backups, sync off,
    or another process already busy with it.
    """
    if not ws.settings.sync_enabled:
        return None
    try:
        with operation_lock(ws.lock_file):
            recover(ws)
            if scan(ws.data_dir):
                return None
            ws.require_lfs()
            ws.ensure_cache()
            if ws.fetch() is None:
                return None
            with record(ws.home, "restore", "startup") as recording:
                result = restore_locked(ws, LATEST)
                recording.status = result.status
            log.info("Restored backup %s at start-up", result.commit[:8])
            return result
    except Busy:
        return None
