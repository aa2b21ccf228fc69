"""Diff: what restoring REF would add, remove and change in the data directory.

Read-only and lock-free, so it answers while a backup or restore runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sync.actions.resolve import resolve
from sync.errors import InvalidRef
from sync.layout.state import SavedState, load_state
from sync.layout.stored import StoredFile, read_data_files
from sync.local.snapshot import LocalFile, hash_file, is_side_file, scan
from sync.local.sqlitefile import is_sqlite
from sync.models import FileChange, RestorePlan
from sync.refs import validate_ref
from sync.workspace import Workspace


def diff(ws: Workspace, ref: str) -> RestorePlan:
    validate_ref(ref)
    ws.require_enabled()
    if not ws.has_cache():
        raise InvalidRef("No backup history is available yet: back up or open the history first.")
    with ws.reading():
        commit = resolve(ws, ref, ws.tip())
        stored = read_data_files(ws.git, commit)
    target = {p: f for p, f in stored.items() if not is_side_file(p)}
    local = {f.path: f for f in scan(ws.data_dir)}
    saved = load_state(ws.state_file)
    plan = RestorePlan(commit)
    for path in sorted(set(target) | set(local)):
        before, after = local.get(path), target.get(path)
        if before is None:
            plan.added.append(FileChange(path, None, after.size))
        elif after is None:
            plan.removed.append(FileChange(path, before.size, None))
        elif not _same(before, after, saved):
            plan.changed.append(FileChange(path, before.size, after.size))
    return plan


def _same(local: LocalFile, stored: StoredFile, state: SavedState) -> bool:
    saved = state.matching(local)
    if saved is not None:  # the same blob, or the same bytes stored anew (compaction)
        return saved.blob == stored.blob or saved.oid == stored.content_id
    if local.size != stored.size or is_sqlite(local.absolute):
        # A live SQLite file's bytes are not its snapshot's; changed since the backup.
        return False
    if stored.content_id is None:  # a raw blob (the guide's non-LFS files): git's own id
        return _git_blob_id(local.absolute, local.size) == stored.blob
    return hash_file(local.absolute)[0] == stored.content_id


def _git_blob_id(path: Path, size: int) -> str:
    digest = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
