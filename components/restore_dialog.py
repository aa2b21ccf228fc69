"""The restore dialog: what would change, the safety-backup note, confirm, run."""

from __future__ import annotations

import streamlit as st

from chatbot.retention import expired
from components import clock
from components.errors import error_text
from components.i18n import size, t
from components.operations import run_restore, run_undo
from components.text import code
from sync import BackupInfo, SyncError, Workspace, backup_file, diff, status
from sync.actions.undo import undoable

OPEN = "kura_restore_dialog"
CHAT_DB = "chatbot.db"


def request_dialog(point: BackupInfo) -> None:
    """Open the dialog for `point`; it stays open across reruns until closed."""
    st.session_state[OPEN] = point.commit


def _close() -> None:
    st.session_state.pop(OPEN, None)


def show_dialog(ws: Workspace, backups: list[BackupInfo]) -> None:
    point = next((b for b in backups if b.commit == st.session_state.get(OPEN)), None)
    if point is None:
        _close()
        return
    # Decorated at call time, so that the title follows UI_LANGUAGE.
    dialog = st.dialog(t("restore.dialog"), width="large", on_dismiss=_close)
    dialog(_dialog)(ws, point)


def _dialog(ws: Workspace, point: BackupInfo) -> None:
    st.write(t("restore.summary", commit=point.short, date=clock.when(point.date)))
    try:
        plan = diff(ws, point.commit)
        current = status(ws)
    except SyncError as exc:
        st.error(error_text(exc.code, exc.message))
        return
    if plan.is_noop:
        st.info(t("restore.noop"))
    for label, changes in (
        ("restore.added", plan.added),
        ("restore.removed", plan.removed),
        ("restore.changed", plan.changed),
    ):
        for change in changes:
            before = "–" if change.size_before is None else size(change.size_before)
            after = "–" if change.size_after is None else size(change.size_after)
            st.markdown(f"- **{t(label)}** {code(change.path)} ({before} → {after})")
    days = ws.settings.retention_days
    if days > 0 and (count := _expired(ws, point.commit, days)):
        st.info(t("restore.retention", count=count, days=days))
    if current.dirty:
        st.warning(t("restore.safety"))
    confirm, cancel = st.columns(2)
    if cancel.button(t("restore.cancel"), width="stretch"):
        _close()
        st.rerun()
    if confirm.button(t("restore.confirm", commit=point.short), type="primary", width="stretch"):
        _close()
        if run_restore(ws, point.commit):
            st.rerun()


@st.cache_data(show_spinner=False, max_entries=32)
def _expired(_ws: Workspace, commit: str, days: float) -> int:
    """Conversations of that backup retention would delete again after its restore."""
    try:
        with backup_file(_ws, commit, CHAT_DB) as copy:
            return expired(copy, days) if copy else 0
    except SyncError:
        return 0  # the preview lists the files anyway; this count is a courtesy


def undo_offer(ws: Workspace) -> None:
    """When the newest backup is a restore, anyone's admin page offers to undo it: what it
    replaced comes from the history, not from the tab that restored."""
    newest = undoable(ws)
    if newest is None or not newest.restored or not newest.replaced:
        return
    st.info(t("restore.undo_hint", commit=newest.restored[:8], previous=newest.replaced[:8]))
    if st.button(t("restore.undo"), icon=":material/undo:") and run_undo(ws):
        st.rerun()
