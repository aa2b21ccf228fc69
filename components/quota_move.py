"""The way out of a spent LFS quota: what a move would keep, and the move itself."""

from __future__ import annotations

import streamlit as st

from components import confirm
from components.errors import error_text
from components.i18n import size, t
from components.operations import flash
from config import Settings, redact_url
from sync import SyncError, Workspace
from sync.actions.move import MovePlan, move, plan_move
from sync.models import StorageUsage

SHOWN_FROM = 0.8  # of LFS_QUOTA_GB: where the storage warning starts


@st.cache_data(show_spinner=False, max_entries=16)
def _plan(_ws: Workspace, tip: str | None, days: int) -> MovePlan | None:
    return plan_move(_ws, days)


def render(ws: Workspace, settings: Settings, usage: StorageUsage) -> None:
    if usage.quota_share(settings.lfs_quota_gb) < SHOWN_FROM:
        return
    st.markdown(f"**{t('move.title')}**")
    st.caption(t("move.why"))
    days = int(st.number_input(t("move.keep_days"), 0, 365, 7, key="kura_move_days"))
    plan = _plan(ws, ws.tip(), days)
    if plan is None:
        return
    said = {"backups": plan.backups, "days": days}
    st.caption(
        t("move.plan", size=size(plan.estimated_bytes), newest=size(plan.newest_bytes), **said)
    )
    if not settings.move_repo:
        st.info(t("move.set_target"))
        return
    url = redact_url(settings.move_repo)
    if st.button(t("move.button", url=url), icon=":material/move_up:"):
        confirm.request("move")
    confirm.ask(
        "move",
        title=t("move.confirm_title"),
        text=t("move.confirm_text", url=url, backups=plan.backups),
        action=t("move.confirm"),
        then=lambda: _move(ws, settings.move_repo or "", days),
    )


def _move(ws: Workspace, url: str, days: int) -> None:
    with st.status(t("move.running")) as progress:
        try:
            result = move(ws, url, keep_days=days)
        except SyncError as exc:
            progress.update(label=t("move.failed"), state="error", expanded=True)
            flash(error_text(exc.code, exc.message), icon=":material/error:")
            return
        text = t("move.done", count=result.backups, url=result.url, size=size(result.new_lfs_bytes))
        progress.update(label=text, state="complete")
    st.cache_data.clear()
    flash(text)
