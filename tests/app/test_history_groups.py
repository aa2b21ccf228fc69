"""How a page of backups is grouped: by hour, by day when hours would make too many
tables, and one table past that (outside a page the viewer's clock is UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from components.history_table import MAX_TABLES, groups
from sync import BackupInfo

NOW = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)


def page(step: timedelta, count: int = 50) -> list[BackupInfo]:
    return [
        BackupInfo(f"{n:040x}", NOW - n * step, "Automatic backup", "auto", 1, 10)
        for n in range(count)
    ]


def test_minute_backups_are_grouped_by_hour() -> None:
    found = groups(page(timedelta(minutes=1)))
    assert [(g.span, g.start.hour, len(g.backups)) for g in found] == [
        ("hour", 14, 31),
        ("hour", 13, 19),
    ]


def test_hourly_backups_are_grouped_by_day() -> None:
    found = groups(page(timedelta(hours=1)))
    assert {g.span for g in found} == {"day"} and len(found) == 3
    assert sum(len(g.backups) for g in found) == 50
    assert found[0].start == datetime(2026, 12, 3, tzinfo=UTC)


def test_daily_backups_make_one_table() -> None:
    [only] = groups(page(timedelta(days=1)))
    assert only.span == "page" and only.start is None and len(only.backups) == 50


def test_a_few_scattered_backups_keep_their_hours() -> None:
    found = groups(page(timedelta(days=1), count=MAX_TABLES))
    assert [g.span for g in found] == ["hour"] * MAX_TABLES
