"""Finish a restore that was cut off, before any command does anything else."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from sync.errors import Busy
from sync.layout.state import SavedFile, SavedState, save_state
from sync.local.journal import Journal, complete_swap, read_journal
from sync.local.snapshot import scan
from sync.workspace import Workspace

log = logging.getLogger(__name__)


def recover(ws: Workspace) -> bool:
    """Roll a journaled restore forward; drop an unjournaled staging directory.

    Call with the operation lock held. Returns True when a restore was finished.
    """
    _clear_stale_git_locks(ws)
    _clear_scratch(ws)
    journal = read_journal(ws.journal_file)
    finished = False
    if journal is not None:
        finished = complete_swap(journal)
        if finished:
            log.warning("Finished a restore of %s that was cut off", journal.commit[:8])
            record_restored(ws, journal)
        ws.journal_file.unlink()
    elif ws.staging_dir.exists():
        # Staged but never journaled: live data was not touched, so just clean up.
        shutil.rmtree(ws.staging_dir)
    return finished


# Scratch directories operations make in KURA_HOME while they hold the lock (a database's
# snapshot copy can be as large as the database). `extract-` is not among them: its copy
# outlives the lock, in the caller's hands.
_SCRATCH = ("snapshot-", "blobs-", "index-", "verify-", "merge-")


def _clear_scratch(ws: Workspace) -> None:
    """What a killed operation left behind in KURA_HOME; the lock says none is running."""
    if not ws.home.is_dir():
        return
    for entry in ws.home.iterdir():
        if entry.is_dir() and entry.name.startswith(_SCRATCH):
            log.warning("Removing scratch left by a killed operation: %s", entry.name)
            shutil.rmtree(entry, ignore_errors=True)


def _clear_stale_git_locks(ws: Workspace) -> None:
    """A git process killed mid-fetch leaves `*.lock` files that would fail every later call.

    Only Kura uses the cache, and the caller holds the operation lock, so any lock
    file there now belongs to a process that died.
    """
    if not ws.has_cache():
        return
    try:
        with ws.fetching(wait=0):  # a read of older backups may be fetching right now
            _remove_git_locks(ws.cache_dir)
    except Busy:
        pass


def _remove_git_locks(cache: Path) -> None:
    for directory, subdirectories, names in os.walk(cache):
        # Object and LFS stores hold no git locks and grow with history: not walked.
        subdirectories[:] = [d for d in subdirectories if d not in ("objects", "lfs")]
        for name in names:
            if name.endswith(".lock"):
                log.warning("Removing a stale git lock left by a killed process: %s", name)
                (Path(directory) / name).unlink(missing_ok=True)


def record_restored(ws: Workspace, journal: Journal) -> None:
    """Save the restored state with the new files' signatures, so `dirty` is false."""
    local = {f.path: f for f in scan(ws.data_dir)}
    state = SavedState(journal.commit)
    for path, (oid, size, blob) in journal.files.items():
        if path in local:
            state.files[path] = SavedFile(local[path].signature, oid, size, blob)
    save_state(ws.state_file, state)
    ws.keep_saved(journal.commit)
    ws.set_restore_pending(False)
