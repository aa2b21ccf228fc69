"""One clock: every time on a page in the viewer's timezone, with the zone shown.

The browser tells Streamlit its IANA zone (`st.context.timezone`); until it has, and for
a zone Python does not know, times are shown in UTC, and say so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from components.i18n import language


def viewer_zone() -> tzinfo:
    try:
        name = st.context.timezone
    except Exception:  # noqa: BLE001 - no browser context (a script run without a page)
        name = None
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def when(moment: datetime | str, *, seconds: bool = False) -> str:
    """2026-11-28 15:10 JST: the moment in the viewer's zone (naive times are UTC)."""
    if isinstance(moment, str):
        if not moment:
            return ""
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(viewer_zone())
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def time_of_day(moment: datetime) -> str:
    """15:10:42 JST: a time today (the next run, the last check), in the viewer's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(viewer_zone()).strftime("%H:%M:%S %Z")


_WEEKDAYS_JA = "月火水木金土日"


def day_label(day: date) -> str:
    """Thursday, 3 December 2026 / 2026年12月3日（木）, in the page's language."""
    if language() == "ja":
        return f"{day.year}年{day.month}月{day.day}日（{_WEEKDAYS_JA[day.weekday()]}）"
    return f"{day.strftime('%A')}, {day.day} {day.strftime('%B')} {day.year}"
