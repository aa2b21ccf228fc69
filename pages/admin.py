"""The admin page: is the data safe, what is in it, every backup, restore points."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from chatbot.history import ChatHistory
from components import (
    backup_files,
    clock,
    confirm,
    files_table,
    held_backups,
    history_pager,
    history_table,
    monitoring,
    newer_backup,
    startup_view,
    status_cards,
)
from components.errors import error_text
from components.history_pager import PAGE, HistoryView
from components.i18n import t
from components.login import require_login
from components.operations import flash, run_backup, show_flash, shrink_confirmation
from components.restore_dialog import request_dialog, show_dialog, undo_offer
from components.runtime import runtime, watch
from sync import BackupInfo, SyncError, Workspace, history, status
from sync.actions.origins import file_origins
from sync.models import FileOrigin


@st.cache_data(show_spinner=False, max_entries=64)
def _history(_ws: Workspace, tip: str | None, view: HistoryView) -> list[BackupInfo]:
    # Keyed by the tip: a new backup or a fetch changes it, and with it the cache. One
    # more than a page, to know whether an older page exists.
    return history(
        _ws,
        refresh=False,
        limit=PAGE + 1,
        skip=view.skip,
        before=view.before,
        search=view.search or None,
    )


@st.cache_data(show_spinner=False)
def _origins(_ws: Workspace, tip: str | None) -> dict[str, FileOrigin]:
    return file_origins(_ws, tip) if tip else {}


def render() -> None:
    require_login()
    rt = runtime()
    ws = rt.workspace
    show_flash()
    st.title(t("admin.title"))
    try:
        state = status(ws)
    except SyncError as exc:
        st.error(error_text(exc.code, exc.message))
        return
    status_cards.render(state, rt.settings)
    if state.restore_unrecorded or held_backups.is_held(state):
        held_backups.render(ws, state)  # its own words and actions, never a command to run
    else:
        status_cards.failure(state)
        # While the start-up restore holds backups, its own Retry is the one to press.
        offered = state.last_failure and not startup_view.holding()
        retry = offered and st.button(t("failure.retry"), icon=":material/refresh:")
        if retry and run_backup(ws, None):
            st.rerun()
    newer_backup.status_line(watch().state)
    newer_backup.render(key="admin")
    startup_view.choices(ws)
    if not rt.settings.sync_enabled:
        st.info(t("sync.off"))
    else:
        _backup_form(ws)
        undo_offer(ws)
    files_table.render(state, rt.settings, _origins(ws, ws.tip()))
    if rt.settings.sync_enabled:
        _history_section(ws)
        monitoring.render(ws, rt.settings)
    _cleanup(rt.settings.data_dir, rt.settings.retention_days)


def _cleanup(data_dir: Path, retention_days: float) -> None:
    st.subheader(t("cleanup.title"))
    if retention_days > 0:
        st.caption(t("cleanup.retention", days=retention_days))
    days = st.number_input(t("cleanup.days"), min_value=1, max_value=3650, value=90, step=1)
    if st.button(t("cleanup.button"), icon=":material/delete_sweep:"):
        confirm.request("cleanup")

    def cleanup() -> None:
        deleted = ChatHistory(data_dir / "chatbot.db").cleanup(days=int(days))
        flash(t("cleanup.done", count=deleted))

    confirm.ask(
        "cleanup",
        title=t("cleanup.confirm_title"),
        text=t("cleanup.confirm_text", days=int(days)),
        action=t("cleanup.button"),
        then=cleanup,
    )


def _backup_form(ws: Workspace) -> None:
    with st.form("kura_backup_form", clear_on_submit=True, border=False):
        message = st.text_input(t("backup.message"), max_chars=200)
        clicked = st.form_submit_button(
            t("backup.button"), type="primary", icon=":material/backup:"
        )
    if clicked and run_backup(ws, message):
        st.rerun()
    shrink_confirmation(ws)


def _history_section(ws: Workspace) -> None:
    st.subheader(t("history.title"))
    view = history_pager.controls()
    try:
        found = _history(ws, ws.tip(), view)
    except SyncError as exc:
        st.error(error_text(exc.code, exc.message))
        return
    backups = found[:PAGE]
    if not backups and (view.day or view.search):
        st.info(t("history.nothing_found"))
        return
    point = history_table.render(backups)
    history_pager.pager(view, shown=len(backups), more=len(found) > PAGE)
    if point is not None:
        st.write(t("history.picked", commit=point.short, date=clock.when(point.date)))
        if st.button(t("restore.button"), icon=":material/restore:"):
            request_dialog(point)
        backup_files.render(ws, point)
    show_dialog(ws, backups)
    history_table.size_chart(backups)


if __name__ == "__main__":
    # Run directly by Streamlit's legacy pages/ discovery (a deep link to a fresh server):
    # hand over to the app, so the visitor gets its navigation, gate and sidebar.
    from app import run

    run()
