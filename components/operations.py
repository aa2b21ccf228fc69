"""Back up and restore from the UI: progress, a toast with the result, one-line errors."""

from __future__ import annotations

import streamlit as st

from components import data_resources
from components.errors import error_text
from components.i18n import files, size, t
from components.text import Markdown, plain
from sync import SyncError, Workspace, backup, restore
from sync.actions.undo import undo as undo_restore
from sync.actions.undo import undoable
from sync.errors import ShrinkGuard

FLASH = "kura_flash"
SHRINK = "kura_confirm_shrink"


def flash(text: Markdown, icon: str = ":material/check_circle:") -> None:
    """A toast shown after the next rerun (a toast before st.rerun would be lost)."""
    st.session_state[FLASH] = (text, icon)


def show_flash() -> None:
    if FLASH in st.session_state:
        text, icon = st.session_state.pop(FLASH)
        st.toast(plain(text), icon=icon)


def data_changed() -> None:
    """Drop everything cached from the data directory, database connections included."""
    st.cache_data.clear()
    data_resources.release_all()


def run_backup(ws: Workspace, message: str | None, *, force: bool = False) -> bool:
    with st.status(t("backup.running")) as progress:
        try:
            result = backup(ws, message=message or None, kind="manual", force=force)
        except ShrinkGuard as exc:
            # The label says how it ended, not "Backing up…": a failure must never look
            # as if it were still running.
            progress.update(label=t("backup.held"), state="error", expanded=True)
            st.session_state[SHRINK] = {"message": message, "why": exc.message}
            st.warning(plain(exc.message))
            return False
        except SyncError as exc:
            progress.update(label=t("backup.failed"), state="error", expanded=True)
            st.error(error_text(exc.code, exc.message))
            return False
        if result.status == "unchanged":
            text = t("backup.unchanged")
        else:
            text = t(
                "backup.created",
                files=files(result.files),
                size=size(result.bytes),
                commit=result.commit[:8],
                uploaded=size(result.uploaded),
            )
        progress.update(label=text, state="complete")
    data_changed()
    flash(text)
    return True


def run_restore(ws: Workspace, commit: str, *, undo: bool = False) -> bool:
    """Restore `commit` (or, with `undo`, what the newest restore replaced: `commit`)."""
    with st.status(t("restore.running", commit=commit[:8])) as progress:
        try:
            result = undo_restore(ws) if undo else restore(ws, commit)
        except SyncError as exc:
            label = t("restore.failed", commit=commit[:8])
            progress.update(label=label, state="error", expanded=True)
            st.error(error_text(exc.code, exc.message))
            return False
        progress.update(label=t("restore.done", commit=commit[:8]), state="complete")
    data_changed()
    if result.status == "unchanged":
        flash(t("restore.unchanged", commit=commit[:8]))
        return True
    flash(t("restore.undone" if undo else "restore.done", commit=commit[:8]))
    return True


def run_undo(ws: Workspace) -> bool:
    newest = undoable(ws)
    return newest is not None and run_restore(ws, newest.replaced or "", undo=True)


def shrink_confirmation(ws: Workspace) -> None:
    """On the admin page: a backup refused because it would drop most of the data (from the
    form or the sidebar, on any page): confirm it, or not."""
    pending = st.session_state.get(SHRINK)
    if not pending:
        return
    with st.container(border=True):
        st.warning(plain(pending["why"]), icon=":material/warning:")
        anyway, cancel = st.columns(2)
        if anyway.button(t("backup.anyway"), type="primary", key="kura_shrink_anyway"):
            st.session_state.pop(SHRINK, None)
            if run_backup(ws, pending["message"], force=True):
                st.rerun()
        if cancel.button(t("backup.cancel"), key="kura_shrink_cancel"):
            st.session_state.pop(SHRINK, None)
            st.rerun()
