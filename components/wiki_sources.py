"""The Knowledge page's wiki sources: add one (and pull it), see each one's state, pull
now, remove with a confirmation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from chatbot.knowledge import KnowledgeBase
from chatbot.source_pull import PullResult, forget, pull
from chatbot.source_store import BadSource, Source, SourceStore, name_from
from components import clock, confirm
from components.i18n import t
from components.operations import flash
from components.text import plain
from config import Settings
from sync.errors import SyncError
from sync.repo.locking import operation_lock
from sync.sources import SourceAccess, check_url


def render(kb: KnowledgeBase, settings: Settings, lock_file: Path) -> None:
    store = SourceStore(kb)
    st.subheader(t("src.title"))
    st.caption(t("src.help", minutes=f"{settings.wiki_sync_minutes:g}"))
    _add_form(store, settings, lock_file)
    sources = store.all()
    if not sources:
        st.caption(t("src.none"))
        return
    st.dataframe(_table(store, sources), hide_index=True, width="stretch")
    name = st.selectbox(t("src.pick"), [s.name for s in sources], index=None, key="kura_source")
    source = store.get(name) if name else None
    if source is None:
        return
    left, right = st.columns(2)
    if left.button(t("src.pull"), icon=":material/sync:", key="kura_source_pull"):
        _pull(store, source, settings, lock_file)
    if right.button(t("src.remove"), icon=":material/delete:", key="kura_source_remove"):
        confirm.request(f"remove_source_{source.name}")

    def remove() -> None:
        removed = forget(store.kb, source, home=settings.home)
        flash(t("src.removed", name=source.name, pages=len(removed)))

    confirm.ask(
        f"remove_source_{source.name}",
        title=t("src.confirm_title"),
        text=t("src.confirm", name=source.name, pages=store.documents(source)),
        action=t("src.confirm_yes", name=source.name),
        then=remove,
    )


def _add_form(store: SourceStore, settings: Settings, lock_file: Path) -> None:
    with st.form("kura_source_add", clear_on_submit=False):
        url = st.text_input(t("src.url"), placeholder="https://github.com/OWNER/REPO.wiki.git")
        left, middle, right = st.columns(3)
        name = left.text_input(t("src.name"))
        branch = middle.text_input(t("src.branch"), value="main")
        path = right.text_input(t("src.path"))
        submitted = st.form_submit_button(t("src.add"), type="primary")
    if not submitted:
        return
    try:
        checked = check_url(
            url,
            operator=False,
            local_root=settings.wiki_sources_local_dir,
            allow_private=settings.wiki_sources_allow_private,
        )
        named = name.strip() or name_from(checked)
        source = store.add(Source(named, checked, branch.strip() or "main", path.strip()))
    except (SyncError, BadSource) as error:
        st.error(plain(getattr(error, "message", str(error))))
        return
    _pull(store, source, settings, lock_file)


def _pull(store: SourceStore, source: Source, settings: Settings, lock_file: Path) -> None:
    with st.spinner(t("src.pulling", name=source.name)):
        try:
            access = SourceAccess.of(settings)
            result = pull(
                store.kb,
                source,
                home=settings.home,
                access=access,
                hold=lambda: operation_lock(lock_file, wait=30),
            )
        except SyncError as error:
            st.error(plain(error.message))
            return
    if result.status == "failed":
        st.error(t("src.failed", name=source.name, error=result.error))
        return
    flash(_said(result))
    st.rerun()


def _said(result: PullResult) -> str:
    if result.status == "unchanged":
        return t("src.unchanged", name=result.name)
    counts = {k: len(getattr(result, k)) for k in ("added", "changed", "removed")}
    return t("src.updated", name=result.name, **counts)


def _table(store: SourceStore, sources: list[Source]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.source"): [s.name for s in sources],
            t("col.url"): [s.url for s in sources],
            t("col.branch"): [s.branch for s in sources],
            t("col.path"): [s.path for s in sources],
            t("col.commit"): [s.commit[:8] for s in sources],
            t("col.pulled"): [clock.when(s.pulled_at) for s in sources],
            t("col.pages"): [store.documents(s) for s in sources],
            t("col.error"): [s.error for s in sources],
        }
    )
