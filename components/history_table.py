"""A page of backups, grouped by day and then by hour in the viewer's zone (as GitHub's
commit list groups by day): one small table per hour. Selecting a row in any of them
picks the restore point, in one click."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from components import charts, clock
from components.i18n import MESSAGES, size, t
from sync import BackupInfo
from sync.actions.backup import DEFAULT_MESSAGES

RESTORE_POINT = "kura_restore_point"
_TABLES = "kura_history_tables"  # per hour's table: its selection and its key's generation


@dataclass(frozen=True)
class Hour:
    """The backups of one hour of one day, newest first."""

    start: datetime  # in the viewer's zone
    backups: list[BackupInfo]

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def id(self) -> str:
        return self.start.strftime("%Y%m%d%H")


def hours(backups: list[BackupInfo]) -> list[Hour]:
    """Consecutive backups (newest first) in the same hour of the viewer's clock."""
    zone = clock.viewer_zone()

    def hour_of(backup: BackupInfo) -> datetime:
        return backup.date.astimezone(zone).replace(minute=0, second=0, microsecond=0)

    return [Hour(start, list(group)) for start, group in itertools.groupby(backups, hour_of)]


def render(backups: list[BackupInfo]) -> BackupInfo | None:
    """Show the page's backups by day and hour; return the picked restore point, if any."""
    if not backups:
        st.info(t("history.none"))
        return None
    st.caption(t("history.pick"))
    # A table remembers a selected row by its position. A new backup (a restore makes
    # one) shifts every row, so a kept selection would point at a backup nobody picked:
    # a new newest backup starts new tables, and clears the pick.
    tip = backups[0].commit
    tables = st.session_state.get(_TABLES)
    if tables is None or tables["tip"] != tip:
        tables = {"tip": tip, "selected": {}, "generation": {}}
        st.session_state[_TABLES] = tables
        if st.session_state.get(RESTORE_POINT, (None,))[0] != tip:
            st.session_state.pop(RESTORE_POINT, None)
    selected: dict[str, str] = {}
    day = None
    for hour in hours(backups):
        if hour.day != day:
            day = hour.day
            st.markdown(f"**{clock.day_label(day)}**")
        picked = _table(hour, tip, tables["generation"].get(hour.id, 0))
        if picked is not None:
            selected[hour.id] = picked
    _note_pick(tables, selected, tip)
    seen_at, picked = st.session_state.get(RESTORE_POINT, (None, None))
    if seen_at != tip:
        return None
    return next((b for b in backups if b.commit == picked), None)


def _table(hour: Hour, tip: str, generation: int) -> str | None:
    """One hour's table; the commit selected in it, if any."""
    end = hour.start.strftime("%H:59")
    key = "history.hour_one" if len(hour.backups) == 1 else "history.hour"
    st.caption(t(key, start=hour.start.strftime("%H:00"), end=end, count=len(hour.backups)))
    event = st.dataframe(
        _frame(hour.backups),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"kura_history_table_{tip}_{hour.id}_{generation}",
    )
    rows = event.selection.rows if event else []
    return hour.backups[rows[0]].commit if rows else None


def _note_pick(tables: dict, selected: dict[str, str], tip: str) -> None:
    """The row selected since the last run is the pick. Other hours' tables that still
    show a selection start again empty (a new key), so one row is highlighted at a time."""
    fresh = [hour for hour, commit in selected.items() if tables["selected"].get(hour) != commit]
    tables["selected"] = selected
    if not fresh:
        return
    st.session_state[RESTORE_POINT] = (tip, selected[fresh[-1]])
    stale = [hour for hour in selected if hour != fresh[-1]]
    for hour in stale:
        tables["generation"][hour] = tables["generation"].get(hour, 0) + 1
        del tables["selected"][hour]
    if stale:
        st.rerun()


def _frame(backups: list[BackupInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.date"): [clock.when(b.date, seconds=True) for b in backups],
            t("col.message"): [_message(b) for b in backups],
            t("col.kind"): [_kind(b.kind) for b in backups],
            t("col.host"): [b.host for b in backups],
            t("col.files"): [b.files for b in backups],
            t("col.size"): [size(b.bytes) for b in backups],
            t("col.commit"): [b.short for b in backups],
        }
    )


def _message(backup: BackupInfo) -> str:
    """Kura's default notes in the page's language; what people wrote, as they wrote it."""
    if backup.message == DEFAULT_MESSAGES.get(backup.kind):
        return t(f"default.{backup.kind}")
    return backup.message


def _kind(kind: str) -> str:
    key = f"kind.{kind}"
    return t(key) if key in MESSAGES else kind


def size_chart(backups: list[BackupInfo]) -> None:
    if len(backups) < 2:
        return
    st.subheader(t("history.chart"))
    charts.over_time(
        [b.date for b in backups],
        [b.bytes / 2**20 for b in backups],
        title=t("chart.size"),
        unit="MiB",
        area=True,
    )
