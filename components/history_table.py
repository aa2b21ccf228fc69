"""Every backup as a table; selecting a row picks the restore point."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, clock
from components.i18n import MESSAGES, size, t
from sync import BackupInfo
from sync.actions.backup import DEFAULT_MESSAGES

RESTORE_POINT = "kura_restore_point"


def render(backups: list[BackupInfo]) -> BackupInfo | None:
    """Show the table and return the picked restore point, if any."""
    if not backups:
        st.info(t("history.none"))
        return None
    frame = pd.DataFrame(
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
    st.caption(t("history.pick"))
    # The table remembers a selected row by its position. A new backup (a restore makes
    # one) shifts every row down, so a kept selection would point at a backup nobody
    # picked: a new newest backup starts a new table, and clears the pick.
    tip = backups[0].commit
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"kura_history_table_{tip}",
    )
    rows = event.selection.rows if event else []
    if rows:
        st.session_state[RESTORE_POINT] = (tip, backups[rows[0]].commit)
    seen_at, picked = st.session_state.get(RESTORE_POINT, (None, None))
    if seen_at != tip:
        st.session_state.pop(RESTORE_POINT, None)
        return None
    return next((b for b in backups if b.commit == picked), None)


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
