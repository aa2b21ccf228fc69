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
RECENT = 20  # backups behind the median growth
# The forecast's rate: the median day of the last two weeks (days without a backup count,
# as nothing), once three whole days are known. A median, so a first import or a one-off
# jump moves it no more than any other day.
WINDOW_DAYS = 14
MIN_DAYS = 3


def storage_usage(ws: Workspace, *, now: datetime | None = None) -> StorageUsage:
    now = now or datetime.now(UTC)
    bandwidth = bandwidth_this_month(ws, now)
    tip = ws.tip()
    if tip is None:
        return StorageUsage(0, 0, 0, 0, 0, None, bandwidth)
    today = _day(now.timestamp())
    since = (today - WINDOW_DAYS) * 86400
    growth = HistoryIndex(ws.history_index_file).growth(ws.git, tip, recent=RECENT + 1, since=since)
    daily = daily_growth(growth.window, today=today)
    left = ws.settings.lfs_quota_gb * 1024**3 - growth.lfs_bytes
    return StorageUsage(
        lfs_bytes=growth.lfs_bytes,
        lfs_objects=growth.lfs_objects,
        backups=growth.backups,
        last_growth=growth.recent[-1][1],
        median_growth=int(statistics.median(g for _, g in growth.recent[-RECENT:])),
        days_until_full=0.0 if left <= 0 else left / daily if daily else None,
        bandwidth_this_month=bandwidth,
        daily_growth=daily,
    )


def daily_growth(backups: list[tuple[int, int]], *, today: int) -> int | None:
    """The steady rate, in bytes a day: the median of the whole days (UTC) since the first
    backup of the window, today left out as unfinished. None until MIN_DAYS are known."""
    days = [_day(stamp) for stamp, _ in backups]
    first = max(min(days, default=today), today - WINDOW_DAYS)
    if today - first < MIN_DAYS:
        return None
    per_day = dict.fromkeys(range(first, today), 0)
    for day, (_, growth) in zip(days, backups, strict=True):
        if day in per_day:
            per_day[day] += growth
    return int(statistics.median(per_day.values()))


def _day(stamp: float) -> int:
    return int(stamp // 86400)


def bandwidth_this_month(ws: Workspace, now: datetime) -> int:
    """LFS bytes downloaded since the first of this month (UTC), by every operation."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return downloaded_since(ws.home, start)
