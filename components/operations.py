"""Back up and restore from the UI: progress, a toast with the result, one-line errors."""

from __future__ import annotations

import streamlit as st

from components import data_resources
from components.i18n import files, size, t
from sync import SyncError, Workspace, backup, restore

FLASH = "kura_flash"
UNDO = "kura_undo"


def flash(text: str, icon: str = ":material/check_circle:") -> None:
    """A toast shown after the next rerun (a toast before st.rerun would be lost)."""
    st.session_state[FLASH] = (text, icon)


def show_flash() -> None:
    if FLASH in st.session_state:
        text, icon = st.session_state.pop(FLASH)
        st.toast(text, icon=icon)


def data_changed() -> None:
    """Drop everything cached from the data directory, database connections included."""
    st.cache_data.clear()
    data_resources.release_all()


def run_backup(ws: Workspace, message: str | None) -> bool:
    with st.status(t("backup.running")) as progress:
        try:
            result = backup(ws, message=message or None, kind="manual")
        except SyncError as exc:
            progress.update(state="error")
            st.error(t("error", message=exc.message))
            return False
        if result.status == "unchanged":
            text = t("backup.unchanged")
        else:
            text = t(
                "backup.created",
                files=files(result.files),
                size=size(result.bytes),
                commit=result.commit[:8],
            )
        progress.update(label=text, state="complete")
    data_changed()
    flash(text)
    return True


def run_restore(ws: Workspace, commit: str, *, previous: str | None) -> bool:
    with st.status(t("restore.running", commit=commit[:8])) as progress:
        try:
            result = restore(ws, commit)
        except SyncError as exc:
            progress.update(state="error")
            st.error(t("error", message=exc.message))
            return False
        progress.update(state="complete")
    data_changed()
    if result.status == "unchanged":
        flash(t("restore.unchanged", commit=commit[:8]))
        return True
    back_to = result.safety_backup or previous
    if back_to and back_to != commit:
        st.session_state[UNDO] = {"restored": commit, "previous": back_to}
    flash(t("restore.done", commit=commit[:8]))
    return True
