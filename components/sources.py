"""An answer's sources: numbered as the answer cites them, each opening its passage in context."""

from __future__ import annotations

import streamlit as st

from chatbot.knowledge import KnowledgeBase, where
from components.i18n import t
from components.text import plain, wiki_markdown


def show_sources(kb: KnowledgeBase, sources: list[dict], *, key: str) -> None:
    """`key` names the message, so that each source's button is its own across reruns."""
    if not sources:
        return
    st.caption(t("chat.sources"))
    for index, source in enumerate(sources):
        if "number" not in source:  # saved by a Kura that kept only the page
            st.markdown(f"- {plain(source['title'])} · {plain(source['document'])}")
            continue
        place = where(source["title"], source["section"])
        label = f"[{int(source['number'])}] {plain(place)} · {plain(source['document'])}"
        if st.button(label, key=f"{key}_{index}", type="tertiary", icon=":material/article:"):
            # Decorated at call time, so that the title follows UI_LANGUAGE.
            st.dialog(t("chat.source_title"), width="large")(_passage)(kb, source)


def _passage(kb: KnowledgeBase, source: dict) -> None:
    st.caption(plain(source["document"]))
    passages = kb.context(source["document"], source["passage"])
    if not passages:
        st.info(t("chat.source_gone"))
        return
    for hit in passages:
        if hit.ordinal == source["passage"]:
            with st.container(border=True):
                st.markdown(f"**[{int(source['number'])}] {plain(hit.where)}**")
                st.markdown(wiki_markdown(hit.text))
        else:
            st.markdown(f"**{plain(hit.where)}**")
            st.markdown(wiki_markdown(hit.text))
