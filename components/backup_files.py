"""A backup's files on the admin page: its `ls`, each file with a download (its `dump`),
so one file of any backup can be looked at without restoring the whole backup."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import streamlit as st

from components.errors import error_text
from components.i18n import size, t
from components.text import code
from sync import BackupInfo, SyncError, Workspace
from sync.actions.files import dump_file, list_files
from sync.models import BackupFile


@st.cache_data(show_spinner=False, max_entries=20)
def _listed(_ws: Workspace, commit: str) -> list[BackupFile]:
    return list_files(_ws, commit)[1]  # a backup never changes: one read per commit


def render(ws: Workspace, point: BackupInfo) -> None:
    with st.expander(t("backup_files.title", commit=point.short), icon=":material/folder_open:"):
        try:
            files = _listed(ws, point.commit)
        except SyncError as exc:
            st.error(error_text(exc.code, exc.message))
            return
        if not files:
            st.caption(t("backup_files.none"))
        for file in files:
            name, weight, action = st.columns([6, 2, 2], vertical_alignment="center")
            name.markdown(code(file.path))
            weight.caption(size(file.size))
            action.download_button(
                t("backup_files.download"),
                data=lambda path=file.path: _bytes(ws, point.commit, path),  # on the click
                file_name=PurePosixPath(file.path).name,
                key=f"kura_dump_{point.commit}_{file.path}",
                on_click="ignore",
                icon=":material/download:",
            )


def _bytes(ws: Workspace, commit: str, path: str) -> bytes:
    out = io.BytesIO()
    dump_file(ws, commit, path, out)
    return out.getvalue()
