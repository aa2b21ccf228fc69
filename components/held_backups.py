"""Backups Kura holds back until someone decides, with the web actions that decide.

- A restore not recorded yet as the newest backup (its push was refused): *Record it
  now*, since until then a fresh host would restore the older data.
- Backups refused because the remote holds backups this instance never saw (its
  history was replaced, or it never restored): *Restore the latest backup* or *Back up
  on top anyway*, each behind a confirmation.
- Backups refused because the default local repository vanished: *Start a new backup
  repository* (a forced backup), behind a confirmation.

A web user is never told to run a command: these replace the command line's advice.
"""

from __future__ import annotations

import streamlit as st

from components import confirm
from components.i18n import t
from components.operations import run_backup, run_restore
from sync import Status, Workspace

HELD_CODES = ("restore_first", "remote_gone")


def is_held(state: Status) -> bool:
    """True when the last failure is one of these: a retry alone would fail again."""
    failure = state.last_failure
    return failure is not None and failure.code in HELD_CODES


def render(ws: Workspace, state: Status) -> None:
    if state.restore_unrecorded is not None:
        _unrecorded(ws, state)
    elif is_held(state):
        _held(ws, state.last_failure.code)


def _unrecorded(ws: Workspace, state: Status) -> None:
    commit = state.restore_unrecorded.restored[:8]
    st.warning(t("held.unrecorded", commit=commit), icon=":material/pending_actions:")
    if st.button(t("held.record_now"), type="primary", icon=":material/cloud_upload:") and (
        run_backup(ws, None)
    ):
        st.rerun()


def _held(ws: Workspace, code: str) -> None:
    st.warning(t(f"held.{code}"), icon=":material/pause_circle:")
    if code == "restore_first":
        latest, anyway = st.columns(2)
        if latest.button(t("startup.restore_latest"), icon=":material/restore:"):
            confirm.request("held_restore")
        if anyway.button(t("held.anyway"), icon=":material/backup:"):
            confirm.request("held_anyway")
    elif st.button(t("held.new_remote"), icon=":material/fiber_new:"):
        confirm.request("held_anyway")
    confirm.ask(
        "held_restore",
        title=t("held.restore_title"),
        text=t("held.restore_text"),
        action=t("startup.restore_latest"),
        then=lambda: run_restore(ws, "latest"),
    )
    confirm.ask(
        "held_anyway",
        title=t("held.anyway_title"),
        text=t(f"held.anyway_text_{code}"),
        action=t("held.anyway" if code == "restore_first" else "held.new_remote"),
        then=lambda: run_backup(ws, None, force=True),
    )
