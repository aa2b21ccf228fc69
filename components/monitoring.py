"""Health: success rates, last success and failure, durations, data size, LFS storage."""

from __future__ import annotations

import streamlit as st

from components import charts, clock, quota_move
from components.errors import error_text
from components.i18n import ago, size, t
from components.process import process_facts
from components.runtime import startup
from config import Settings
from sync import Workspace
from sync.actions.storage import LONG_HISTORY, StorageUsage, storage_usage
from sync.oplog import Operation, health, read_operations

WARN_SHARE = 0.8
CHARTED = 200  # the newest backups' durations: thousands of points would cost every browser


@st.cache_data(show_spinner=False)
def _usage(_ws: Workspace, tip: str | None) -> StorageUsage:
    return storage_usage(_ws)


def render(ws: Workspace, settings: Settings) -> None:
    st.subheader(t("monitor.title"))
    entries = read_operations(ws.home)
    state = health(entries)
    week, last_100, success = st.columns(3)
    week.metric(t("monitor.rate_week"), _percent(state.rate_7_days))
    last_100.metric(t("monitor.rate_100"), _percent(state.rate_last_100))
    operation = state.last_failed.operation if state.last_failed else "backup"
    success.metric(
        t(f"monitor.last_success_{operation}"),
        ago(state.last_success.started_at) if state.last_success else t("monitor.none"),
    )
    if state.last_failed:
        when = clock.when(state.last_failed.started_at)
        said = error_text(state.last_failed.code, state.last_failed.message)
        st.caption(t("monitor.failure_detail", when=when, message=said))
    _process()
    _charts([e for e in entries if e.operation == "backup" and e.ok][-CHARTED:])
    usage = _usage(ws, ws.tip())
    _storage(usage, settings)
    quota_move.render(ws, settings, usage)


def _process() -> None:
    """This server: when it started, how long until it was ready (the start-up restore's
    share), and the memory it holds."""
    facts, boot = process_facts(), startup().state
    started = clock.when(facts.started_at, seconds=True)
    memory = t("monitor.memory", rss=size(facts.rss or 0), peak=size(facts.peak))
    if boot.finished_at is None:
        st.caption(t("monitor.process_starting", started=started) + " " + memory)
        return
    ready = (boot.finished_at - facts.started_at).total_seconds()
    restore = (boot.finished_at - (boot.started_at or boot.finished_at)).total_seconds()
    said = t("monitor.process", started=started, ready=max(ready, 0.0), restore=restore)
    st.caption(said + " " + memory)


def _percent(rate: float | None) -> str:
    return t("monitor.none") if rate is None else f"{rate:.0%}"


def _charts(backups: list[Operation]) -> None:
    """How long backups take; their sizes are the history's chart, not repeated here."""
    if len(backups) < 2:
        return
    st.caption(t("monitor.durations"))
    charts.over_time(
        [e.started_at for e in backups],
        [e.seconds for e in backups],
        title=t("chart.duration"),
        unit=t("chart.seconds"),
    )


def _storage(usage: StorageUsage, settings: Settings) -> None:
    share = usage.quota_share(settings.lfs_quota_gb)
    quota = size(int(settings.lfs_quota_gb * 1024**3))
    text = t("monitor.storage", used=size(usage.lfs_bytes), quota=quota, share=share)
    if share >= 1:
        st.error(t("monitor.storage_full", share=share))
    elif share >= WARN_SHARE:
        st.warning(text)
    else:
        st.caption(text)
    if usage.daily_growth is None:
        outlook = t("monitor.too_early")
    elif usage.days_until_full is None:
        outlook = t("monitor.not_growing")
    else:
        rate = size(usage.daily_growth)
        outlook = t("monitor.full_in", days=usage.days_until_full, rate=rate)
    last, median = size(usage.last_growth), size(usage.median_growth)
    st.caption(t("monitor.growth", last=last, median=median, outlook=outlook))
    st.caption(t("monitor.bandwidth", bandwidth=size(usage.bandwidth_this_month)))
    if usage.backups > LONG_HISTORY:
        st.warning(t("monitor.long_history", count=usage.backups))
