"""A compact sync status with "Back up now", on every page."""

from __future__ import annotations

import streamlit as st

from components import auth, newer_backup
from components.errors import error_text
from components.i18n import ago, t
from components.operations import run_backup
from components.runtime import runtime, scheduler
from components.status_cards import failure_text, unsaved_text
from sync import SyncError, status


def render() -> None:
    rt = runtime()
    with st.sidebar:
        if not rt.settings.sync_enabled:
            st.caption(t("sync.off"))
        else:
            try:
                state = status(rt.workspace)
            except SyncError as exc:
                st.error(error_text(exc.code, exc.message))
            else:
                if state.restore_unrecorded is not None:
                    st.badge(t("failure.unrecorded"), icon=":material/error:", color="red")
                elif state.last_failure is not None:
                    st.badge(failure_text(state.last_failure), icon=":material/error:", color="red")
                last = ago(state.last_backup.date) if state.last_backup else t("card.never")
                dirty = unsaved_text(state.dirty, scheduler().state)
                st.caption(f"{t('card.last_backup')}: {last}  \n{t('card.unsaved')}: {dirty}")
            clicked = st.button(
                t("backup.button"), key="kura_sidebar_backup", icon=":material/backup:"
            )
            if clicked and run_backup(rt.workspace, None):
                st.rerun()
            newer_backup.render(key="sidebar")
        if st.button(t("logout"), key="kura_logout"):
            auth.logout()
            st.rerun()
