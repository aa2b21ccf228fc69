"""The start-up restore as people see it: a progress page while the data comes back,
a banner while backups are held, and the admin's choices (retry, restore, start fresh)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from chatbot.knowledge import KnowledgeBase
from components import clock
from components.errors import error_text
from components.i18n import files, size, t
from components.operations import data_changed, flash, run_restore
from components.runtime import runtime, startup
from sync import SyncError, Workspace, backup, backup_file, history, status
from sync.background.startup_thread import StartupState
from sync.local.progress import ProgressSnapshot

MEANWHILE_DISMISSED = "kura_meanwhile_dismissed"
FRESH_DIALOG = "kura_fresh_dialog"


def restoring() -> bool:
    return startup().state.phase == "restoring"


def progress_page() -> None:
    """Shown for every address while the start-up restore replaces the data."""
    st.title(t("startup.title"))
    st.caption(t("startup.wait"))
    _progress()


@st.fragment(run_every=1.0)
def _progress() -> None:
    if not restoring():
        st.rerun()  # the whole app, on the page the visitor asked for
    snapshot = startup().progress.snapshot()
    st.progress(snapshot.fraction, text=_progress_text(snapshot))


def _progress_text(snapshot: ProgressSnapshot) -> str:
    if snapshot.phase == "downloading":
        return t(
            "startup.downloading",
            done=size(snapshot.done_bytes),
            total=size(snapshot.total_bytes),
            files=files(snapshot.files),
        )
    return t(f"startup.{snapshot.phase}" if snapshot.phase != "done" else "startup.saving")


def banner(*, logged_in: bool) -> None:
    """Why backups are held; details (the error) only for people who logged in."""
    state = startup().state
    if state.phase not in ("failed", "diverged"):
        if logged_in:
            _meanwhile(state)
        return
    if not logged_in:
        st.warning(t("startup.held_public"), icon=":material/pause_circle:")
        return
    if state.phase == "diverged":
        st.warning(t("startup.diverged"), icon=":material/pause_circle:")
        return
    when = clock.time_of_day(state.next_retry) if state.next_retry else "-"
    said = error_text(state.error_code or "sync_failed", state.error or "")
    st.warning(t("startup.failed", error=said, when=when), icon=":material/sync_problem:")
    if st.button(t("startup.retry"), key="kura_startup_retry", icon=":material/refresh:"):
        _settle()


def _settle() -> None:
    """Run the next start-up attempt now and show its outcome."""
    boot = startup()
    boot.retry_now()
    boot.wait_settled(timeout=1.0)  # an attempt that restores shows the progress page
    st.rerun()


def holding() -> bool:
    """The start-up restore failed or met foreign data: backups are held."""
    return startup().state.phase in ("failed", "diverged")


def choices(ws: Workspace) -> None:
    """On the admin page while backups are held: restore the latest or start fresh, and
    retry where the banner offers no Retry of its own (foreign data): one Retry a page."""
    state = startup().state
    if not holding():
        return
    retry, latest, fresh = st.columns(3)
    offered = state.phase == "diverged"
    if offered and retry.button(
        t("startup.retry"), key="kura_admin_retry", icon=":material/refresh:"
    ):
        _settle()
    restore_latest = latest.button(t("startup.restore_latest"), icon=":material/restore:")
    if restore_latest and run_restore(ws, "latest"):
        _settle()
    if fresh.button(t("startup.fresh"), icon=":material/fiber_new:"):
        st.session_state[FRESH_DIALOG] = True
    if st.session_state.get(FRESH_DIALOG):
        dialog = st.dialog(t("startup.fresh_title"), width="large", on_dismiss=_close_fresh)
        dialog(_fresh_dialog)(ws)


def _close_fresh() -> None:
    st.session_state.pop(FRESH_DIALOG, None)


def _fresh_dialog(ws: Workspace) -> None:
    try:
        backups = history(ws, refresh=False)
        local = status(ws)
    except SyncError as exc:
        st.error(error_text(exc.code, exc.message))
        return
    if backups:
        newest = backups[0]
        st.write(
            t(
                "startup.fresh_remote",
                count=len(backups),
                commit=newest.short,
                date=clock.when(newest.date),
                files=files(newest.files),
                size=size(newest.bytes),
            )
        )
    st.write(t("startup.fresh_local", files=files(len(local.files)), size=size(local.total_bytes)))
    if st.button(t("startup.fresh_button"), type="primary"):
        try:
            result = backup(ws, message="Start fresh", kind="manual", force=True)
        except SyncError as exc:
            st.error(error_text(exc.code, exc.message))
            return
        _close_fresh()
        data_changed()
        flash(t("startup.fresh_done", commit=(result.commit or "")[:8]))
        _settle()


def _meanwhile(state: StartupState) -> None:
    """After a late restore: offer the pages written before the team's data came back."""
    restored = state.result.restore if state.result else None
    safety = restored.safety_backup if restored else None
    if not safety or st.session_state.get(MEANWHILE_DISMISSED) == safety:
        return
    ws = runtime().workspace
    wiki = ws.data_dir / "wiki.db"
    try:
        pages = _pages_kept_in(ws, safety, _mtime(wiki))
    except SyncError:
        return  # busy or unreachable: offer it on a later page load
    if not pages:
        return
    with st.container(border=True):
        st.info(t("startup.meanwhile", count=len(pages), commit=safety[:8]))
        st.caption(t("startup.meanwhile_chats", commit=safety[:8]))
        again, dismiss = st.columns(2)
        if again.button(t("startup.meanwhile_import"), type="primary"):
            with backup_file(ws, safety, "wiki.db") as kept:
                count = KnowledgeBase(wiki).copy_from(kept, pages) if kept else 0
            data_changed()
            flash(t("startup.meanwhile_done", count=count))
            st.session_state[MEANWHILE_DISMISSED] = safety
            st.rerun()
        if dismiss.button(t("dismiss")):
            st.session_state[MEANWHILE_DISMISSED] = safety
            st.rerun()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


@st.cache_data(show_spinner=False)
def _pages_kept_in(_ws: Workspace, safety: str, wiki_mtime: float) -> list[str]:
    """Names of documents the safety backup's wiki holds that the restored one lacks
    (keyed by the wiki's mtime: an import changes the answer)."""
    with backup_file(_ws, safety, "wiki.db") as kept:
        if kept is None:
            return []
        return [d.name for d in KnowledgeBase(_ws.data_dir / "wiki.db").newer_in(kept)]
