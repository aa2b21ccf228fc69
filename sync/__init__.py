"""Kura's sync engine: backups of the data directory to Git + Git LFS, and restores.

All git work lives here; the app and `python -m sync` share it. Example::

    from config import load_settings
    from sync import Workspace, backup, history, restore

    ws = Workspace(load_settings())
    result = backup(ws, message="before the import")
    oldest = history(ws)[-1]
    restore(ws, oldest.commit)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names below, imported when first used: `python -m sync` starts fast
    from sync.actions.backup import backup
    from sync.actions.diff import diff
    from sync.actions.extract import backup_file
    from sync.actions.history import history
    from sync.actions.recovery import recover
    from sync.actions.restore import restore
    from sync.actions.startup import startup_restore
    from sync.actions.status import status
    from sync.actions.verify import verify
    from sync.errors import SyncError
    from sync.models import BackupInfo, BackupResult, FileInfo, RestorePlan, RestoreResult, Status
    from sync.workspace import Workspace

_HOMES = {
    "backup": "sync.actions.backup",
    "diff": "sync.actions.diff",
    "backup_file": "sync.actions.extract",
    "history": "sync.actions.history",
    "recover": "sync.actions.recovery",
    "restore": "sync.actions.restore",
    "startup_restore": "sync.actions.startup",
    "status": "sync.actions.status",
    "verify": "sync.actions.verify",
    "SyncError": "sync.errors",
    "Workspace": "sync.workspace",
    **dict.fromkeys(
        ["BackupInfo", "BackupResult", "FileInfo", "RestorePlan", "RestoreResult", "Status"],
        "sync.models",
    ),
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "BackupInfo",
    "BackupResult",
    "FileInfo",
    "RestorePlan",
    "RestoreResult",
    "Status",
    "SyncError",
    "Workspace",
    "backup",
    "backup_file",
    "diff",
    "history",
    "recover",
    "restore",
    "startup_restore",
    "status",
    "verify",
]
