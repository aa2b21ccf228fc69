"""Keep the cache repository small over a long history: git's own repacking, in the
background, under the operation lock (never during a backup or a restore).

Every backup writes its new manifests and trees as loose objects (`gc.auto` is off on
every git call, so git never stops a backup to pack). Thousands of backups would leave
tens of thousands of loose files, hundreds of megabytes for what packs into a few,
since a backup's manifests differ from the last one's by little. So after a backup,
once the loose objects or the packs pass a bound, the cache is repacked
(`git repack -d --geometric=2`): loose objects go into a pack, small packs roll into
bigger ones, and only the small ones are rewritten. LFS objects need no such care: a
backup keeps in the cache only those of its own and the previous backup
(`sync/actions/backup.py`).

Packed history still grows, by a few kilobytes a backup: at a backup a minute, half a
gigabyte a year. So a cache holds the newest HISTORY_KEPT backups: once it holds twice
that, it is made shallow at that depth (`git fetch --depth`) and repacked whole, which
drops the older commits' trees and manifests. The remote keeps them, and browsing or
restoring an older backup fetches what it needs, as on a fresh host.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sync.errors import Busy, SyncError
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)

LOOSE_LIMIT = 1000  # loose objects before the cache is packed (git's gc.auto is 6700)
PACK_LIMIT = 16  # packs before they are rolled together (git's gc.autoPackLimit is 50)
HISTORY_KEPT = 1000  # backups a cache keeps: two days at a backup a minute


@dataclass(frozen=True)
class CacheShape:
    loose: int  # loose objects
    packs: int

    def due(self, *, loose_limit: int = LOOSE_LIMIT, pack_limit: int = PACK_LIMIT) -> bool:
        return self.loose >= loose_limit or self.packs > pack_limit


def cache_shape(ws: Workspace) -> CacheShape:
    """Counted from the object directory's listing: no git process, a few milliseconds."""
    objects = ws.cache_dir / "objects"
    loose = sum(_count(objects / f"{i:02x}") for i in range(256))
    packs = sum(1 for name in _names(objects / "pack") if name.endswith(".pack"))
    return CacheShape(loose, packs)


def maintain(ws: Workspace, *, history_kept: int = HISTORY_KEPT) -> CacheShape:
    """Repack the cache now (after dropping history past `history_kept` backups, when it
    holds twice that); Busy while a backup or restore holds the operation lock, or a
    read of older backups (ls, diff, history) holds the cache for longer than PACK_WAIT."""
    with operation_lock(ws.lock_file), ws.packing():  # and no reader in the cache
        if ws.has_cache():
            if _trim_history(ws, history_kept):
                ws.git.repack_all()
            else:
                ws.git.repack(packs=cache_shape(ws).packs, pack_limit=PACK_LIMIT)
    return cache_shape(ws)


def _trim_history(ws: Workspace, kept: int) -> bool:
    """Make the cache shallow at `kept` backups when it holds more than twice that."""
    tip = ws.tip()
    if tip is None or ws.git.count_first_parents(tip) <= 2 * kept:
        return False
    try:
        ws.fetch(depth=f"--depth={kept}")
    except SyncError as exc:  # offline: the next maintenance tries again
        log.info("Keeping the cache's whole history for now: %s", exc.message)
        return False
    return True


def maintain_if_due(ws: Workspace, **limits: int) -> CacheShape | None:
    """Repack when the cache has passed a bound and nothing else runs; the new shape, or
    None when nothing was done. Never raises for a busy lock or a failed repack: the
    next backup tries again."""
    if not ws.has_cache() or not cache_shape(ws).due(**limits):
        return None
    try:
        shape = maintain(ws)
    except Busy:
        return None
    except Exception:  # a cache that could not be packed still works as it was
        log.warning("Packing the cache failed; it works as it is", exc_info=True)
        return None
    log.info("Packed the cache: %d loose objects, %d packs left", shape.loose, shape.packs)
    return shape


def _count(directory: Path) -> int:
    return sum(1 for name in _names(directory) if len(name) == 38)


def _names(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except FileNotFoundError:
        return []
