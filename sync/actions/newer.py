"""Is there a newer backup from another instance that this host has not loaded?

The newest backup may hold versions of files that this host does not have: another
instance changed, added or deleted them, and this host did not change them since
its last backup or restore (those it changed are its own, and its next backup
keeps them). Reads the cache: call it after a fetch.
"""

from __future__ import annotations

from sync.actions.origins import file_origins
from sync.layout.state import SavedFile, load_state
from sync.layout.stored import StoredFile, read_data_files
from sync.local.snapshot import scan
from sync.models import NewerBackup
from sync.workspace import Workspace


def newer_backup(ws: Workspace) -> NewerBackup | None:
    tip = ws.tip()
    if tip is None:
        return None
    saved = load_state(ws.state_file)
    if saved.commit is None:
        return None  # this host never saved or restored: the start-up restore handles it
    theirs = read_data_files(ws.git, tip)
    local = {f.path: f for f in scan(ws.data_dir)}
    differ = {
        p for p in set(theirs) | set(saved.files) if not _same(theirs.get(p), saved.files.get(p))
    }
    files = sorted(
        p
        for p in differ
        # untouched here (theirs changed or deleted it), or missing here while theirs has it
        if (saved.matching(local[p]) if p in local else p in theirs)
    )
    if not files:
        return None
    origins = file_origins(ws, tip)
    known = [origins[p] for p in files if p in origins]
    latest = max(known, key=lambda o: o.date) if known else None
    return NewerBackup(
        commit=tip,
        date=latest.date if latest else None,
        host=latest.host if latest else "",
        kind=latest.kind if latest else "external",
        files=tuple(files),
    )


def _same(theirs: StoredFile | None, seen: SavedFile | None) -> bool:
    """The same version: the same blob, or the same content stored anew (compaction
    moves a file's chunks into other packs, which changes its manifest, not its bytes)."""
    if theirs is None or seen is None:
        return theirs is seen
    return theirs.blob == seen.blob or theirs.content_id == seen.oid
