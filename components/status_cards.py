"""Is the data safe? Last backup, unsaved changes, auto-backup; where backups go."""

from __future__ import annotations

import streamlit as st

from components.i18n import ago, t
from components.runtime import scheduler
from config import Settings, mask_token
from sync import Status
from sync.scheduler import SchedulerState


def _auto_backup(state: SchedulerState) -> None:
    if not state.enabled:
        st.metric(t("card.auto"), t("card.auto_off"))
        return
    st.metric(t("card.auto"), t("card.auto_on", minutes=state.interval_seconds / 60))
    if state.next_run:
        st.caption(t("card.next_run", when=f"{state.next_run.astimezone():%H:%M:%S}"))
    if state.last_error:
        st.caption(t("card.auto_failing", error=state.last_error))


def render(state: Status, settings: Settings) -> None:
    last, dirty, auto = st.columns(3)
    with last:
        if state.last_backup:
            st.metric(t("card.last_backup"), ago(state.last_backup.date))
            stamp = f"{state.last_backup.date:%Y-%m-%d %H:%M:%S %z}"
            st.caption(f"{stamp} · {state.last_backup.commit[:8]}")
        else:
            st.metric(t("card.last_backup"), t("card.never"))
    dirty.metric(t("card.unsaved"), t("card.dirty") if state.dirty else t("card.clean"))
    with auto:
        _auto_backup(scheduler().state)
    token = t("card.token", token=mask_token(settings.token)) if settings.token else ""
    lfs = t("card.lfs_ok") if state.lfs_available else t("card.lfs_missing")
    with st.container(border=True):
        st.markdown(
            f"**{t('card.remote')}:** `{state.remote}` {token}  \n"
            f"**{t('card.branch')}:** `{state.branch}` · **{t('card.lfs')}:** {lfs}"
        )
