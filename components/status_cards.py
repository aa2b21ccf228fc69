"""Is the data safe? Remote, branch, last backup, unsaved changes, auto-backup, git-lfs."""

from __future__ import annotations

import streamlit as st

from components.i18n import ago, t
from config import Settings, mask_token
from sync import Status


def render(state: Status, settings: Settings) -> None:
    remote, branch, last, dirty, auto, lfs = st.columns([3, 1, 2, 2, 2, 1])
    with remote:
        st.metric(t("card.remote"), state.remote)
        if settings.token:
            st.caption(t("card.token", token=mask_token(settings.token)))
    branch.metric(t("card.branch"), state.branch)
    with last:
        if state.last_backup:
            st.metric(t("card.last_backup"), ago(state.last_backup.date))
            st.caption(
                f"{state.last_backup.date:%Y-%m-%d %H:%M:%S %z} · {state.last_backup.commit[:8]}"
            )
        else:
            st.metric(t("card.last_backup"), t("card.never"))
    dirty.metric(t("card.unsaved"), t("card.dirty") if state.dirty else t("card.clean"))
    minutes = settings.auto_backup_minutes
    auto.metric(
        t("card.auto"), t("card.auto_on", minutes=minutes) if minutes else t("card.auto_off")
    )
    lfs.metric(t("card.lfs"), t("card.lfs_ok") if state.lfs_available else t("card.lfs_missing"))
