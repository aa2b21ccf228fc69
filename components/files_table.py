"""Every data file with size, last change and type; warns near MAX_FILE_SIZE_MB."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import clock
from components.i18n import ago, files, host_label, kind_label, size, t
from config import Settings
from sync import Status
from sync.models import FileOrigin

NEAR_LIMIT = 0.8


def render(state: Status, settings: Settings, origins: dict[str, FileOrigin]) -> None:
    """`origins`: for each file of the latest backup, the backup that wrote its version."""
    st.subheader(t("files.title"))
    if not state.files:
        st.info(t("files.none"))
        return
    frame = pd.DataFrame(
        {
            t("col.path"): [f.path for f in state.files],
            t("col.size"): [size(f.size) for f in state.files],
            t("col.modified"): [ago(f.modified) for f in state.files],
            t("col.modified_at"): [clock.when(f.modified, seconds=True) for f in state.files],
            t("col.type"): [f.kind for f in state.files],
            t("col.origin"): [_origin(origins.get(f.path)) for f in state.files],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(t("files.total", count=files(len(state.files)), size=size(state.total_bytes)))
    limit = settings.max_file_size_bytes
    for file in state.files:
        if file.size >= NEAR_LIMIT * limit:
            st.warning(
                t("files.near_limit", path=file.path, size=size(file.size), limit=size(limit))
            )


def _origin(origin: FileOrigin | None) -> str:
    if origin is None:
        return "—"  # not in the latest backup yet
    return f"{host_label(origin.host) or '?'} · {kind_label(origin.kind)} · {origin.commit[:8]}"
