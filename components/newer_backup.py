"""A newer backup from another instance: who, when, which files, and "Load it"."""

from __future__ import annotations

import streamlit as st

from components import clock
from components.i18n import ago, files, host_label, kind_label, t
from components.operations import data_changed, run_restore
from components.runtime import runtime, watch
from sync.background.watch import WatchState

FOLLOWED = "kura_followed"


def render(*, key: str) -> None:
    """The notice (and its button) when the remote watch saw a newer backup."""
    state = watch().state
    _after_follow(state)
    newer = state.newer
    if newer is None:
        return
    host = host_label(newer.host) or t("newer.unknown_host")
    shown = ", ".join(newer.files[:3]) + (" …" if len(newer.files) > 3 else "")
    when = ago(newer.date) if newer.date else ""
    st.info(
        f"{t('newer.title', host=host, files=files(len(newer.files)))}  \n"
        + t("newer.detail", when=when, kind=kind_label(newer.kind), paths=shown),
        icon=":material/cloud_download:",
    )
    clicked = st.button(t("newer.load"), key=f"kura_load_newer_{key}", icon=":material/download:")
    if clicked and run_restore(runtime().workspace, newer.commit):
        watch().forget()
        st.rerun()


def _after_follow(state: WatchState) -> None:
    """Auto-follow swapped the data in the background: drop what pages cached from it."""
    watching = FOLLOWED in st.session_state  # this session saw the data before
    if state.followed and st.session_state.get(FOLLOWED) != state.followed:
        data_changed()
        if watching:
            st.toast(t("watch.followed", commit=state.followed[:8]), icon=":material/sync:")
    st.session_state[FOLLOWED] = state.followed


def status_line(state: WatchState) -> None:
    """When the remote was last checked, and whether that failed."""
    if not state.enabled or state.checked_at is None:
        return
    follow = t("watch.following") if state.follow else ""
    when = clock.time_of_day(state.checked_at)
    st.caption(t("watch.checked", when=when, seconds=state.every_seconds, follow=follow))
    if state.error:
        st.caption(t("watch.failing", error=state.error))
