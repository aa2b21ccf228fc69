"""When a change-driven backup is due, and how the LFS quota spaces backups out."""

from __future__ import annotations

import math

from sync.background.cadence import Cadence
from sync.background.throttle import spacing_for_quota
from sync.models import StorageUsage


def test_a_backup_waits_for_writes_to_settle_but_never_past_the_bound() -> None:
    cadence = Cadence(interval=1800, quiet=30, max_delay=60)
    assert cadence.due(first_change=0, last_change=5, not_before=0) == 35  # settled
    assert cadence.due(first_change=0, last_change=50, not_before=0) == 60  # still writing
    assert cadence.due(first_change=0, last_change=5, not_before=90) == 90  # throttled


def test_auto_backup_minutes_stays_the_upper_bound() -> None:
    assert Cadence(interval=30, quiet=30, max_delay=60).bound == 30
    assert Cadence(interval=1800, quiet=0, max_delay=0).bound == 1800
    interval_only = Cadence(interval=1800)
    assert interval_only.due(first_change=10, last_change=20, not_before=0) == 1810


def _usage(stored: int, growth: int) -> StorageUsage:
    return StorageUsage(stored, 10, 10, growth, growth, None, 0)


def test_the_quota_spaces_backups_so_it_lasts_the_horizon() -> None:
    gib = 1024**3
    spacing = spacing_for_quota(_usage(1 * gib, 1024 * 1024), quota_bytes=10 * gib)
    backups_per_day = 86400 / spacing
    days = 9 * gib / (backups_per_day * 1024 * 1024)
    assert math.isclose(days, 90)
    assert spacing_for_quota(_usage(gib, 0), quota_bytes=10 * gib) == 0  # nothing grows
    assert spacing_for_quota(_usage(gib, 20_000), quota_bytes=10 * gib) < 60  # not throttled
    assert spacing_for_quota(_usage(11 * gib, 10), quota_bytes=10 * gib) == math.inf
