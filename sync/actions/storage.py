"""How much Git LFS storage and bandwidth the backups use, against GitHub's quota.

GitHub keeps every LFS object ever pushed (even after history rewrites), so the
storage used is the sum of the distinct LFS objects across the history: whole
files of older backups, and packs. A backup's growth is the bytes of the
objects that first appear in it. Bandwidth is what restores and verifies
downloaded this month, from the operations log. All of it is read from the
local cache and KURA_HOME (the per-backup figures from `sync/layout/history_index.py`, brought
up to date with the commits since the last read): no network call.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from sync.layout.history_index import HistoryIndex
from sync.models import StorageUsage
from sync.oplog import downloaded_since
from sync.workspace import Workspace

LONG_HISTORY = 5000
RECENT = 20  # backups behind the median and the rate


def storage_usage(ws: Workspace, *, now: datetime | None = None) -> StorageUsage:
    now = now or datetime.now(UTC)
    bandwidth = bandwidth_this_month(ws, now)
    tip = ws.tip()
    if tip is None:
        return StorageUsage(0, 0, 0, 0, 0, None, bandwidth)
    growth = HistoryIndex(ws.history_index_file).growth(ws.git, tip, recent=RECENT + 1)
    left = ws.settings.lfs_quota_gb * 1024**3 - growth.lfs_bytes
    return StorageUsage(
        lfs_bytes=growth.lfs_bytes,
        lfs_objects=growth.lfs_objects,
        backups=growth.backups,
        last_growth=growth.recent[-1][1],
        median_growth=int(statistics.median(g for _, g in growth.recent[-RECENT:])),
        days_until_full=_days_until_full(left, growth.recent),
        bandwidth_this_month=bandwidth,
    )


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
    return downloaded_since(ws.home, start)
