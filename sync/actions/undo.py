"""Undo: bring back the data the newest restore replaced, from the history (any session,
any process), not from the tab or command that restored."""

from __future__ import annotations

from sync.actions.history import history
from sync.actions.recovery import recover
from sync.actions.restore import note_restore, restore_locked
from sync.errors import NothingToUndo
from sync.local.progress import RestoreProgress
from sync.models import BackupInfo, RestoreResult
from sync.oplog import record
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

UNDOABLE = ("restore",)  # an undo is not undone: restore a point instead


def undoable(ws: Workspace, *, refresh: bool = False) -> BackupInfo | None:
    """The newest backup when it is a restore that replaced backed-up data."""
    newest = history(ws, limit=1, refresh=refresh)
    if newest and newest[0].kind in UNDOABLE and newest[0].replaced:
        return newest[0]
    return None


def undo(ws: Workspace, *, progress: RestoreProgress | None = None) -> RestoreResult:
    """Restore what the newest restore replaced; NothingToUndo when the newest backup is
    not a restore. The target is chosen under the operation lock, after a fetch: a backup
    that landed since the restore (from any host) makes it nothing to undo. A restore
    this host could not record yet is the newest restore, and undone the same way."""
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        target = _undo_target(ws)
        with record(ws.home, "restore", "undo") as recording:
            result = restore_locked(ws, target, progress, undo=True)
            note_restore(recording, result)
    return result


def _undo_target(ws: Workspace) -> str:
    unrecorded = ws.restore_unrecorded
    if unrecorded is not None and unrecorded.replaced:
        return unrecorded.replaced
    ws.require_lfs()
    ws.ensure_cache()
    ws.fetch()  # under the lock: history's own refresh would find it taken
    newest = undoable(ws, refresh=False)
    if newest is None or newest.replaced is None:
        raise NothingToUndo(
            "The newest backup is not a restore, so there is nothing to undo; "
            "pick a restore point in the history instead."
        )
    return newest.replaced
