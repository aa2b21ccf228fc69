"""How much Git LFS storage and bandwidth the backups use, against GitHub's quota.

GitHub keeps every LFS object ever pushed (even after history rewrites), so the
storage used is the sum of the distinct LFS objects across the history: whole
files of older backups, and packs. A backup's growth is the bytes of the
objects that first appear in it. Bandwidth is what restores and verifies
downloaded this month, from the operations log. All of it is read from the
local cache and KURA_HOME: no network call.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from sync.git import ZERO_SHA, parse_raw_log
from sync.lfs import MAX_POINTER_SIZE, parse_pointer
from sync.models import StorageUsage
from sync.oplog import read_operations
from sync.tree import DATA_PREFIX, PACKS_PREFIX
from sync.workspace import Workspace

LONG_HISTORY = 5000
RECENT = 20  # backups behind the median and the rate
_FORMAT = "%x1e%ct"
_LFS_PATHS = (DATA_PREFIX, PACKS_PREFIX)


def storage_usage(ws: Workspace, *, now: datetime | None = None) -> StorageUsage:
    now = now or datetime.now(UTC)
    bandwidth = bandwidth_this_month(ws, now)
    tip = ws.tip()
    if tip is None:
        return StorageUsage(0, 0, 0, 0, 0, None, bandwidth)
    growth, objects = _growth(ws, tip)
    stored = sum(g for _, g in growth)
    recent = growth[-RECENT:]
    left = ws.settings.lfs_quota_gb * 1024**3 - stored
    return StorageUsage(
        lfs_bytes=stored,
        lfs_objects=objects,
        backups=len(growth),
        last_growth=growth[-1][1],
        median_growth=int(statistics.median(g for _, g in recent)),
        days_until_full=_days_until_full(left, growth),
        bandwidth_this_month=bandwidth,
    )


def _growth(ws: Workspace, tip: str) -> tuple[list[tuple[int, int]], int]:
    """Each backup's commit time and the bytes of LFS objects first seen in it, oldest
    first; and how many distinct objects there are."""
    commits = list(reversed(_added_blobs(ws, tip)))
    pointers = _pointers(ws, {sha for _, shas in commits for sha in shas})
    seen: set[str] = set()
    growth = []
    for stamp, shas in commits:
        new = {pointers[s] for s in shas if s in pointers and pointers[s][0] not in seen}
        seen |= {oid for oid, _ in new}
        growth.append((stamp, sum(size for _, size in new)))
    return growth, len(seen)


def _added_blobs(ws: Workspace, tip: str) -> list[tuple[int, list[str]]]:
    """(commit time, blobs it added or changed under data/ and packs/), newest first."""
    return [
        (
            int(stamp),
            [c.new for c in changes if c.path.startswith(_LFS_PATHS) and c.new != ZERO_SHA],
        )
        for stamp, changes in parse_raw_log(ws.git.log(tip, _FORMAT, raw=True))
    ]


def _pointers(ws: Workspace, blobs: set[str]) -> dict[str, tuple[str, int]]:
    """{blob: (LFS oid, size)} for the blobs that are LFS pointers."""
    sizes = ws.git.blob_sizes(blobs)
    contents = ws.git.cat_blobs(b for b in blobs if sizes.get(b, 0) <= MAX_POINTER_SIZE)
    found = {}
    for blob, content in contents.items():
        pointer = parse_pointer(content)
        if pointer:
            found[blob] = (pointer.oid, pointer.size)
    return found


def _days_until_full(left: float, growth: list[tuple[int, int]]) -> float | None:
    """At the rate of the last RECENT backups: their growth over the time they took."""
    if left <= 0:
        return 0.0
    window = growth[-RECENT - 1 :]
    added = sum(g for _, g in window[1:])
    seconds = window[-1][0] - window[0][0]
    if added <= 0 or seconds <= 0:
        return None
    return left / (added / seconds) / 86400


def bandwidth_this_month(ws: Workspace, now: datetime) -> int:
    """LFS bytes downloaded since the first of this month (UTC), by every operation."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return sum(e.downloaded for e in read_operations(ws.home) if e.started_at >= start)
