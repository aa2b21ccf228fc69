"""Before a backup on another instance's newer tip: merge that tip's rows into the live
databases that declare merge rules, so the backup holds both instances' rows."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sync.content.pack import PackReader
from sync.errors import VerificationFailed
from sync.layout.build import Parent
from sync.layout.staging import drop_damaged, fetch_objects, write_file
from sync.layout.state import SavedState
from sync.layout.stored import StoredFile
from sync.local.snapshot import LocalFile
from sync.merge.files import content_of
from sync.merge.rows import MergeCount, is_mergeable, merge_into
from sync.workspace import Workspace

log = logging.getLogger(__name__)


def merge_tip(
    ws: Workspace, parent: Parent, saved: SavedState, local: list[LocalFile]
) -> dict[str, MergeCount]:
    """Merge the tip's version of each mergeable database this host has not seen yet
    into the live file; what each merge changed (only the files it changed)."""
    if parent.commit is None:
        return {}
    live = {f.path: f for f in local}
    theirs = {
        path: stored
        for path, stored in parent.files.items()
        if path in live and _unseen(stored, saved) and is_mergeable(live[path].absolute)
    }
    if not theirs:
        return {}
    fetch_objects(ws, parent.commit, theirs)
    try:
        return _merge(ws, theirs, live)
    except VerificationFailed:
        if not drop_damaged(ws, theirs.values()):
            raise
        fetch_objects(ws, parent.commit, theirs)  # the remote's copies of damaged cached packs
        return _merge(ws, theirs, live)


def _merge(
    ws: Workspace, theirs: dict[str, StoredFile], live: dict[str, LocalFile]
) -> dict[str, MergeCount]:
    merged: dict[str, MergeCount] = {}
    with (
        tempfile.TemporaryDirectory(dir=ws.home, prefix="merge-") as tmp,
        PackReader(ws.store) as packs,
    ):
        for index, (path, stored) in enumerate(sorted(theirs.items())):
            copy = Path(tmp) / str(index)
            write_file(ws, stored, copy, packs)
            if not is_mergeable(copy):
                continue  # the other copy predates merge rules: nothing to merge by
            count = merge_into(live[path].absolute, copy)
            if count:
                log.info("Merged %s from the latest backup: %s", path, count)
                merged[path] = count
    return merged


def _unseen(stored: StoredFile, saved: SavedState) -> bool:
    """True when the tip's version is not one this host saved or restored itself."""
    known = saved.files.get(stored.path)
    return known is None or known.oid != content_of(stored)
