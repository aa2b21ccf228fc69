"""The knowledge page: upload files or a folder, follow Git wiki sources, list documents by
folder, delete."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from chatbot.importer import Importer, ImportReport
from chatbot.inline import label
from chatbot.knowledge import DocumentInfo, KnowledgeBase
from chatbot.parsing import MAX_DOCUMENT_BYTES, SUFFIXES
from chatbot.setup import knowledge_base
from components import clock, confirm, wiki_sources
from components.i18n import size, t
from components.login import require_login
from components.operations import flash, show_flash
from components.runtime import runtime
from components.text import plain

SKIPPED = "kura_import_skipped"
PENDING = "kura_import_pending"  # uploads named like several documents: (name, bytes, names)
KEEP_NEW = ""  # the choice that keeps an upload as a new document


def render() -> None:
    require_login()
    kb = knowledge_base(runtime().settings)
    show_flash()
    st.title(t("kb.title"))
    for reason in st.session_state.pop(SKIPPED, []):
        st.warning(t("kb.skipped", reason=reason))
    _upload(kb)
    _choose_replaced(kb)
    wiki_sources.render(kb, runtime().settings, runtime().workspace.lock_file)
    _documents(kb)


def _upload(kb: KnowledgeBase) -> None:
    kinds = [s.lstrip(".") for s in SUFFIXES]
    with st.form("kura_import", clear_on_submit=True):
        limit = MAX_DOCUMENT_BYTES // 2**20  # the box states the limit imports apply
        files = st.file_uploader(
            t("kb.upload"), type=kinds, accept_multiple_files=True, max_upload_size=limit
        )
        folder = st.file_uploader(
            t("kb.upload_folder"),
            type=kinds,
            accept_multiple_files="directory",
            max_upload_size=limit,
        )
        submitted = st.form_submit_button(t("kb.import"), type="primary")
    uploads = [*(files or []), *(folder or [])]
    if not (submitted and uploads):
        return
    importer = Importer(kb)
    progress = st.progress(0.0)
    contents = {upload.name: upload.getvalue() for upload in uploads}
    with kb.batch():
        for index, upload in enumerate(uploads, start=1):
            progress.progress(index / len(uploads), text=t("kb.importing", name=upload.name))
            importer.upload(upload.name, contents[upload.name])
    report = importer.report
    st.session_state[PENDING] = [(n, contents[n], names) for n, names in report.ambiguous]
    _done(report)


def _choose_replaced(kb: KnowledgeBase) -> None:
    """An upload named like several documents waits here until someone says which one it
    replaces, or to keep it as a new document: never a silent duplicate."""
    pending = st.session_state.get(PENDING) or []
    if not pending:
        return
    name, raw, names = pending[0]
    with st.container(border=True):
        st.warning(t("kb.ambiguous", name=name, count=len(names)))
        choice = st.radio(
            t("kb.replace_which"),
            [*names, KEEP_NEW],
            format_func=lambda option: plain(option) if option else t("kb.keep_new"),
            key=f"kura_replace_{name}",
        )
        if st.button(t("kb.import"), type="primary", key=f"kura_replace_go_{name}"):
            importer = Importer(kb)
            importer.upload(name, raw, replace=choice)
            st.session_state[PENDING] = pending[1:]
            _done(importer.report)


def _done(report: ImportReport) -> None:
    st.session_state[SKIPPED] = report.skipped  # shown after the rerun, with the result
    message = t("kb.imported", count=len(report.imported))
    if report.unchanged:
        message += " " + t("kb.unchanged", count=len(report.unchanged))
    for upload, document in report.replaced:
        message += " " + t("kb.replaced", name=upload, document=document)
    flash(message)
    st.rerun()


def _documents(kb: KnowledgeBase) -> None:
    docs = kb.documents()
    if not docs:
        st.info(t("kb.none"))
        return
    by_folder: dict[str, list[DocumentInfo]] = {}
    for doc in docs:
        by_folder.setdefault(doc.folder, []).append(doc)
    for folder, members in sorted(by_folder.items()):
        label = f"{plain(folder) if folder else t('kb.top')} ({len(members)})"
        with st.expander(label, icon=":material/folder:"):
            st.dataframe(_table(members), hide_index=True, width="stretch")
    name = st.selectbox(t("kb.delete"), [d.name for d in docs], index=None)
    doc = next((d for d in docs if d.name == name), None)
    if doc is None:
        return
    if st.button(t("kb.delete"), icon=":material/delete:"):
        confirm.request("delete_document")

    def delete() -> None:
        kb.delete(doc.name)
        flash(t("kb.deleted", name=doc.name))

    confirm.ask(
        "delete_document",
        title=t("kb.confirm_title"),
        text=t("kb.confirm_text", name=doc.name, count=doc.chunks),
        action=t("kb.delete"),
        then=delete,
    )


def _table(docs: list[DocumentInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.document"): [d.name for d in docs],
            t("col.title"): [label(d.title) for d in docs],  # an older wiki's may hold `code`
            t("col.chunks"): [d.chunks for d in docs],
            t("col.size"): [size(d.size) for d in docs],
            t("col.imported"): [clock.when(d.imported_at) for d in docs],
        }
    )


if __name__ == "__main__":
    # Run directly by Streamlit's legacy pages/ discovery (a deep link to a fresh server):
    # hand over to the app, so the visitor gets its navigation, gate and sidebar.
    from app import run

    run()
