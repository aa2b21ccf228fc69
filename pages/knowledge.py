"""The knowledge page: upload documents, list, delete; importing again replaces."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import SUFFIXES, UnreadableDocument, parse_bytes
from chatbot.setup import knowledge_base
from components.i18n import size, t
from components.login import require_login
from components.operations import flash, show_flash
from components.runtime import runtime

SKIPPED = "kura_import_skipped"


def render() -> None:
    require_login()
    kb = knowledge_base(runtime().settings)
    show_flash()
    st.title(t("kb.title"))
    for reason in st.session_state.pop(SKIPPED, []):
        st.warning(t("kb.skipped", reason=reason))
    _upload(kb)
    _documents(kb)


def _upload(kb: KnowledgeBase) -> None:
    with st.form("kura_import", clear_on_submit=True):
        files = st.file_uploader(
            t("kb.upload"), type=[s.lstrip(".") for s in SUFFIXES], accept_multiple_files=True
        )
        submitted = st.form_submit_button(t("kb.import"), type="primary")
    if not (submitted and files):
        return
    progress = st.progress(0.0)
    imported, skipped = 0, []
    for index, upload in enumerate(files, start=1):
        progress.progress(index / len(files), text=t("kb.importing", name=upload.name))
        try:
            kb.add(parse_bytes(upload.name, upload.getvalue()), size=upload.size)
            imported += 1
        except UnreadableDocument as exc:
            skipped.append(str(exc))
    st.session_state[SKIPPED] = skipped  # shown after the rerun, with the result
    flash(t("kb.imported", count=imported))
    st.rerun()


def _documents(kb: KnowledgeBase) -> None:
    docs = kb.documents()
    if not docs:
        st.info(t("kb.none"))
        return
    frame = pd.DataFrame(
        {
            t("col.document"): [d.name for d in docs],
            t("col.title"): [d.title for d in docs],
            t("col.chunks"): [d.chunks for d in docs],
            t("col.size"): [size(d.size) for d in docs],
            t("col.imported"): [d.imported_at for d in docs],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    name = st.selectbox(t("kb.delete"), [d.name for d in docs], index=None)
    if name and st.button(t("kb.delete"), icon=":material/delete:"):
        kb.delete(name)
        flash(t("kb.deleted", name=name))
        st.rerun()


if __name__ == "__main__":
    # Run directly by Streamlit's legacy pages/ discovery (a deep link to a fresh server):
    # hand over to the app, so the visitor gets its navigation, gate and sidebar.
    from app import run

    run()
