"""The restore dialog: what would change, the safety-backup note, confirm, run."""

from __future__ import annotations

import streamlit as st

from components import clock
from components.i18n import size, t
from components.operations import UNDO, run_restore
from components.text import code
from sync import BackupInfo, SyncError, Workspace, diff, status

OPEN = "kura_restore_dialog"


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
        st.error(t("error", message=exc.message))
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
    if current.dirty:
        st.warning(t("restore.safety"))
    confirm, cancel = st.columns(2)
    if cancel.button(t("restore.cancel"), width="stretch"):
        _close()
        st.rerun()
    if confirm.button(t("restore.confirm", commit=point.short), type="primary", width="stretch"):
        _close()
        previous = current.last_backup.commit if current.last_backup else None
        if run_restore(ws, point.commit, previous=previous):
            st.rerun()


def undo_offer(ws: Workspace) -> None:
    undo = st.session_state.get(UNDO)
    if not undo:
        return
    st.info(t("restore.undo_hint", commit=undo["restored"][:8], previous=undo["previous"][:8]))
    if st.button(t("restore.undo"), icon=":material/undo:"):
        st.session_state.pop(UNDO)
        run_restore(ws, undo["previous"], previous=None)
        st.session_state.pop(UNDO, None)  # undoing an undo is just another restore
        st.rerun()
