"""Once per server process: settings, the workspace, the password, and the threads (the
start-up restore, then the auto-backup, the remote watch and the wiki sources' pulls it
holds until the data is safe)."""

from __future__ import annotations

import atexit
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import streamlit as st

from chatbot.retention import enforce
from chatbot.setup import knowledge_base
from chatbot.source_schedule import SourcePuller
from config import Settings, load_settings
from config.password import password_file, shared_password
from sync import Workspace
from sync.background.notify import Notifier
from sync.background.scheduler import AutoBackup
from sync.background.startup_thread import StartupRestore
from sync.background.throttle import QuotaThrottle
from sync.background.watch import RemoteWatch
from sync.repo.maintenance import maintain_if_due
from sync.sources import SourceAccess
from web.sessions import SessionStore

log = logging.getLogger("kura.app")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    workspace: Workspace
    password: str
    password_generated: bool
    notifier: Notifier
    sessions: SessionStore


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file is the normal local case
        return {}


def _log_to_server_log() -> None:
    """Kura's own INFO lines (start-up restore, backups) in the server log beside Streamlit's."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("sync", "kura"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


@st.cache_resource(show_spinner=False)
def runtime() -> Runtime:
    """Raises SettingsError for invalid settings (not cached, so a fix takes effect)."""
    _log_to_server_log()
    settings = load_settings(secrets=_secrets())
    workspace = Workspace(settings)
    password, generated = shared_password(settings)
    if generated:
        # The one secret that must reach the log: nobody could log in otherwise.
        print(
            f"Kura: no SHARED_PASSWORD set; log in with the generated password: {password}\n"
            f"      (kept in {password_file(settings)})",
            file=sys.stderr,
            flush=True,
        )
    notifier = Notifier(
        webhook_url=settings.notify_webhook_url,
        heartbeat_url=settings.heartbeat_url,
        secrets=workspace.secrets,
        host=workspace.instance_name,
    )
    sessions = SessionStore(
        settings.home / "sessions.db",
        idle_seconds=settings.session_idle_minutes * 60,
        max_age_seconds=settings.session_max_days * 86400,
    )
    return Runtime(settings, workspace, password, generated, notifier, sessions)


def _stop_startup(restore: StartupRestore) -> None:
    restore.stop()


@st.cache_resource(show_spinner=False, on_release=_stop_startup)
def startup() -> StartupRestore:
    """The start-up restore, in the background: the first visitor gets a page at once."""
    rt = runtime()
    return StartupRestore(workspace=rt.workspace, notifier=rt.notifier).start()


_at_shutdown: list[Callable[[], None]] = []  # run by `lifespan` when the server stops


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's lifespan: the goodbye backup as the server shuts down.

    Under st.App, uvicorn handles SIGTERM by shutting down and then re-raising the signal,
    so the process dies by it and atexit hooks never run; this runs first. A plain
    Streamlit server exits normally instead, and the atexit hook takes the backup.
    """
    yield
    while _at_shutdown:
        await anyio.to_thread.run_sync(_at_shutdown.pop())


def _stop(auto: AutoBackup) -> None:
    atexit.unregister(auto.stop)  # released (a cleared cache): no goodbye backup at exit
    if auto.stop in _at_shutdown:
        _at_shutdown.remove(auto.stop)
    auto.stop(final_backup=False)


@st.cache_resource(show_spinner=False, on_release=_stop)
def scheduler() -> AutoBackup:
    """One auto-backup thread per server process, started by the first page load."""
    rt = runtime()
    settings = rt.settings
    every = settings.auto_backup_minutes if settings.sync_enabled else 0
    boot = startup()
    auto = AutoBackup(
        workspace=rt.workspace,
        every_minutes=every,
        quiet_seconds=settings.backup_quiet_seconds,
        max_delay_seconds=settings.backup_max_delay_minutes * 60,
        notifier=rt.notifier,
        hold=lambda: boot.state.holds_backups,
        spacing=QuotaThrottle(rt.workspace),
        maintain=lambda: maintain_if_due(rt.workspace),
        after_backup=lambda: enforce(settings.data_dir / "chatbot.db", settings.retention_days),
    ).start()
    # One last backup of unsaved changes on shutdown (unless held), whichever way it comes.
    _at_shutdown.append(auto.stop)
    atexit.register(auto.stop)
    return auto


def _stop_watch(remote: RemoteWatch) -> None:
    remote.stop()


@st.cache_resource(show_spinner=False, on_release=_stop_watch)
def watch() -> RemoteWatch:
    """One remote watch per server process, started by the first page load."""
    rt = runtime()
    settings = rt.settings
    every = settings.remote_watch_seconds if settings.sync_enabled else 0
    boot = startup()
    return RemoteWatch(
        workspace=rt.workspace,
        every_seconds=every,
        follow=settings.remote_follow,
        hold=lambda: boot.state.holds_backups,
    ).start()


def _stop_sources(puller: SourcePuller) -> None:
    puller.stop()


@st.cache_resource(show_spinner=False, on_release=_stop_sources)
def sources() -> SourcePuller:
    """Pulls of the wiki's sources, from the first page load: held until the start-up
    restore has brought wiki.db (and the sources' last indexed commits) back."""
    rt = runtime()
    settings = rt.settings
    boot = startup()
    return SourcePuller(
        kb=knowledge_base(settings),
        home=settings.home,
        lock_file=rt.workspace.lock_file,
        access=SourceAccess.of(settings),
        every_minutes=settings.wiki_sync_minutes,
        hold=lambda: boot.state.holds_backups,
    ).start()
