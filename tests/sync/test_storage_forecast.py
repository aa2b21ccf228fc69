"""The quota forecast's rate: the median whole day of the last two weeks, so a first
import or a one-off jump does not make the quota look full in days, and a burst of
backups in one afternoon forecasts nothing yet."""

from __future__ import annotations

from sync.actions.storage import daily_growth

DAY = 86400
TODAY = 20_000  # days since the epoch
MB = 2**20


def at(day: int, hour: int = 12) -> int:
    return day * DAY + hour * 3600


def test_a_first_import_and_a_jump_do_not_set_the_rate() -> None:
    backups = [(at(TODAY - 10), 3_000 * MB)]  # the first import
    backups += [(at(TODAY - d, h), MB // 4) for d in range(9, 0, -1) for h in (9, 13, 15, 17)]
    backups.insert(5, (at(TODAY - 8, 14), 900 * MB))  # one day's large upload
    assert daily_growth(backups, today=TODAY) == MB


def test_twenty_backups_in_one_afternoon_forecast_nothing_yet() -> None:
    backups = [(at(TODAY, 14) + 30 * i, 50 * MB if i == 0 else 10_000) for i in range(20)]
    assert daily_growth(backups, today=TODAY) is None
    assert daily_growth([], today=TODAY) is None


def test_quiet_days_count_as_nothing() -> None:
    backups = [(at(TODAY - 6), 5 * MB), (at(TODAY - 1), MB)]  # four days without a backup
    assert daily_growth(backups, today=TODAY) == 0


def test_only_the_last_two_weeks_count() -> None:
    old = [(at(TODAY - 40 + d), 100 * MB) for d in range(20)]
    recent = [(at(TODAY - d), 2 * MB) for d in range(14, 0, -1)]
    assert daily_growth(old[-1:] + recent, today=TODAY) == 2 * MB
