"""Once per server process: settings, the workspace, start-up restore and the password."""

from __future__ import annotations

import atexit
import logging
import sys
from dataclasses import dataclass

import streamlit as st

from config import Settings, load_settings
from config.password import password_file, shared_password
from sync import RestoreResult, SyncError, Workspace, startup_restore
from sync.notify import Notifier
from sync.scheduler import AutoBackup

log = logging.getLogger("kura.app")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    workspace: Workspace
    password: str
    password_generated: bool
    startup: RestoreResult | None
    startup_error: str | None


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file is the normal local case
        return {}


@st.cache_resource(show_spinner=False)
def runtime() -> Runtime:
    """Raises SettingsError for invalid settings (not cached, so a fix takes effect)."""
    settings = load_settings(secrets=_secrets())
    workspace = Workspace(settings)
    restored, error = None, None
    try:
        restored = startup_restore(workspace)
    except SyncError as exc:
        error = exc.message
        log.error("Start-up restore failed: %s", exc.message)
    password, generated = shared_password(settings)
    if generated:
        # The one secret that must reach the log: nobody could log in otherwise.
        print(
            f"Kura: no SHARED_PASSWORD set; log in with the generated password: {password}\n"
            f"      (kept in {password_file(settings)})",
            file=sys.stderr,
            flush=True,
        )
    return Runtime(settings, workspace, password, generated, restored, error)


def _stop(auto: AutoBackup) -> None:
    auto.stop(final_backup=False)


@st.cache_resource(show_spinner=False, on_release=_stop)
def scheduler() -> AutoBackup:
    """One auto-backup thread per server process, started by the first page load."""
    rt = runtime()
    settings = rt.settings
    every = settings.auto_backup_minutes if settings.sync_enabled else 0
    notifier = Notifier(
        webhook_url=settings.notify_webhook_url,
        heartbeat_url=settings.heartbeat_url,
        secrets=rt.workspace.secrets,
    )
    auto = AutoBackup(workspace=rt.workspace, every_minutes=every, notifier=notifier).start()
    atexit.register(auto.stop)  # one last backup of unsaved changes on shutdown
    return auto
