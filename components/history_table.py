"""A page of backups, grouped by day and then by hour in the viewer's zone (as GitHub's
commit list groups by day): one small table per hour. Selecting a row in any of them
picks the restore point, in one click.

At a backup a minute a page is an hour or two: two or three tables. A sparse history
(a backup a day) would make a table per row, and every table costs the browser; past
MAX_TABLES groups a page is grouped by day alone, and past that it is one table."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from components import charts, clock
from components.i18n import cell, host_label, kind_label, size, t
from sync import BackupInfo
from sync.actions.backup import DEFAULT_MESSAGES
from sync.models import MOVED_NOTE, NOTE_PREFIXES

RESTORE_POINT = "kura_restore_point"
_SHORT_ID = re.compile(r"[0-9a-f]{8}")
_TABLES = "kura_history_tables"  # per group's table: its selection and its key's generation
MAX_TABLES = 8


@dataclass(frozen=True)
class Group:
    """Consecutive backups (newest first) of one hour, one day, or the whole page."""

    start: datetime | None  # in the viewer's zone; None for the whole page
    span: str  # "hour", "day" or "page"
    backups: list[BackupInfo]

    @property
    def day(self) -> date | None:
        return self.start.date() if self.start else None

    @property
    def id(self) -> str:
        return self.start.strftime("%Y%m%d%H") if self.start else "page"


def groups(backups: list[BackupInfo]) -> list[Group]:
    """By hour of the viewer's clock; by day when that makes too many tables; else one."""
    zone = clock.viewer_zone()
    for span, cut in (("hour", {"minute": 0}), ("day", {"hour": 0, "minute": 0})):

        def start_of(backup: BackupInfo, cut: dict = cut) -> datetime:
            return backup.date.astimezone(zone).replace(**cut, second=0, microsecond=0)

        found = [Group(s, span, list(g)) for s, g in itertools.groupby(backups, start_of)]
        if len(found) <= MAX_TABLES:
            return found
    return [Group(None, "page", backups)]


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
    for group in groups(backups):
        if group.day is not None and group.day != day:
            day = group.day
            st.markdown(f"**{clock.day_label(day)}**")
        picked = _table(group, tip, tables["generation"].get(group.id, 0))
        if picked is not None:
            selected[group.id] = picked
    _note_pick(tables, selected, tip)
    seen_at, picked = st.session_state.get(RESTORE_POINT, (None, None))
    if seen_at != tip:
        return None
    return next((b for b in backups if b.commit == picked), None)


def _table(group: Group, tip: str, generation: int) -> str | None:
    """One group's table, under its hour's caption; the commit selected in it, if any."""
    if group.start is not None and group.span == "hour":
        count = len(group.backups)
        key = "history.hour_one" if count == 1 else "history.hour"
        start, end = group.start.strftime("%H:00"), group.start.strftime("%H:59")
        st.caption(t(key, start=start, end=end, count=count))
    event = st.dataframe(
        _frame(group.backups),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"kura_history_table_{tip}_{group.id}_{generation}",
    )
    rows = event.selection.rows if event else []
    return group.backups[rows[0]].commit if rows else None


def _note_pick(tables: dict, selected: dict[str, str], tip: str) -> None:
    """The row selected since the last run is the pick. Other groups' tables that still
    show a selection start again empty (a new key), so one row is highlighted at a time."""
    fresh = [group for group, commit in selected.items() if tables["selected"].get(group) != commit]
    tables["selected"] = selected
    if not fresh:
        return
    st.session_state[RESTORE_POINT] = (tip, selected[fresh[-1]])
    stale = [group for group in selected if group != fresh[-1]]
    for group in stale:
        tables["generation"][group] = tables["generation"].get(group, 0) + 1
        del tables["selected"][group]
    if stale:
        st.rerun()


def _frame(backups: list[BackupInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.date"): [clock.when(b.date, seconds=True) for b in backups],
            t("col.message"): [_message(b) for b in backups],
            # Third: on a phone's 390 px the date, the note and the id the dialogs name show.
            t("col.commit"): [b.short for b in backups],
            t("col.kind"): [kind_label(b.kind) for b in backups],
            t("col.host"): [host_label(b.host) for b in backups],
            t("col.files"): [b.files for b in backups],
            t("col.size"): [size(b.bytes) for b in backups],
            t("col.uploaded"): ["" if b.uploaded is None else size(b.uploaded) for b in backups],
        }
    )


def _message(backup: BackupInfo) -> str:
    """Kura's default notes in the page's language; what people wrote, as they wrote it;
    a restore by the note and time of what it brought back, not by an id to look up."""
    if backup.kind in ("restore", "undo") and backup.restored_date is not None:
        return cell(
            f"history.{backup.kind}_of",
            note=backup.restored_message or backup.restored or "",
            when=clock.when(backup.restored_date),
        )
    if backup.message == DEFAULT_MESSAGES.get(backup.kind):
        return t(f"default.{backup.kind}")
    return default_note(backup.kind, backup.message) or backup.message


def default_note(kind: str, message: str) -> str | None:
    """A note Kura wrote about a commit ("Restore of 1a2b3c4d"), in the page's language;
    None for any other note."""
    if kind == "moved" and message.startswith(MOVED_NOTE):
        return cell("default.moved_to", url=message.removeprefix(MOVED_NOTE))
    prefix = NOTE_PREFIXES.get(kind, "")
    commit = message.removeprefix(prefix)
    if not prefix or commit == message or not _SHORT_ID.fullmatch(commit):
        return None
    return cell(f"default.{kind}_of", commit=commit)


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
