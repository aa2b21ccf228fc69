"""Is the data safe? Last backup, unsaved changes, auto-backup; where backups go."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from components import clock
from components.errors import error_text
from components.i18n import ago, duration, t
from components.runtime import scheduler
from components.text import code, plain
from config import Settings, mask_token
from sync import Status
from sync.background.scheduler import SchedulerState
from sync.models import Failure


def _auto_backup(state: SchedulerState, settings: Settings) -> None:
    if not state.enabled:
        st.metric(t("card.auto"), t("card.auto_off"))
        return
    bound = duration(state.bound_seconds)
    quiet = settings.backup_quiet_seconds
    text = (
        t("card.auto_changes", quiet=quiet, bound=bound)
        if quiet
        else t("card.auto_on", bound=bound)
    )
    st.metric(t("card.auto"), text)
    if state.next_run:
        st.caption(t("card.next_run", when=clock.time_of_day(state.next_run)))
    if state.throttled_to:
        st.caption(t("card.throttled", duration=duration(state.throttled_to)))
    if state.last_error:
        st.caption(t("card.auto_failing", error=state.last_error))


def unsaved_text(dirty: bool, auto: SchedulerState) -> str:
    """'unsaved for 2 minutes' when the auto-backup saw when it began; else yes or none."""
    if dirty and auto.enabled and auto.unsaved_since:
        return t("card.unsaved_for", duration=duration(datetime.now(UTC) - auto.unsaved_since))
    return t("card.dirty") if dirty else t("card.clean")


def failure_text(failure: Failure) -> str:
    """ "Backup failed 2 minutes ago" (short, for the sidebar and the card)."""
    return t(f"failure.{failure.operation}", when=ago(failure.time))


def failure(state: Status) -> None:
    """The last attempt failed: its cause, and a Retry, until an attempt succeeds."""
    if state.last_failure is None:
        return
    when = clock.when(state.last_failure.time, seconds=True)
    st.error(
        t("failure.detail", what=failure_text(state.last_failure), when=when)
        + "  \n"
        + error_text(state.last_failure.code, state.last_failure.message),
        icon=":material/error:",
    )


def render(state: Status, settings: Settings) -> None:
    last, dirty, auto = st.columns(3)
    with last:
        if state.last_failure is not None:
            # Not "a minute ago" in green: the newest attempt failed, and the card says so,
            # with the last time that same operation worked (Health says the same).
            worked = state.last_failure.last_success
            success = ago(worked) if worked else t("card.never")
            st.metric(
                t("card.last_backup"),
                t(f"failure.{state.last_failure.operation}_short"),
                delta=t("failure.last_success", when=success),
                delta_color="inverse",  # red: the newest attempt failed
                delta_arrow="off",
            )
        elif state.last_backup:
            st.metric(t("card.last_backup"), ago(state.last_backup.date))
        else:
            st.metric(t("card.last_backup"), t("card.never"))
        if state.last_backup:
            stamp = clock.when(state.last_backup.date, seconds=True)
            st.caption(f"{stamp} · {plain(state.last_backup.commit[:8])}")
    auto_state = scheduler().state
    dirty.metric(t("card.unsaved"), unsaved_text(state.dirty, auto_state))
    with auto:
        _auto_backup(auto_state, settings)
    token = t("card.token", token=mask_token(settings.token)) if settings.token else ""
    lfs = t("card.lfs_ok") if state.lfs_available else t("card.lfs_missing")
    with st.container(border=True):
        st.markdown(
            f"**{t('card.remote')}:** {code(state.remote)} {token}  \n"
            f"**{t('card.branch')}:** {code(state.branch)} · **{t('card.lfs')}:** {lfs}"
        )
