"""The chat page: ask the wiki, answers with sources, conversations kept in chatbot.db."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace

import streamlit as st

from chatbot.answer import PASSAGES, Answer, extractive_answer
from chatbot.context import llm_passages
from chatbot.history import ChatHistory, Conversation
from chatbot.knowledge import KnowledgeBase
from chatbot.llm import LlmUnavailable, finish
from chatbot.setup import chat_history, knowledge_base, llm_answerer
from components import confirm
from components.i18n import t
from components.login import require_login
from components.runtime import runtime
from components.sources import show_sources
from components.text import plain, wiki_markdown

CONVERSATION = "kura_conversation"
SHOWN = "kura_conversations_shown"  # how many of the newest the sidebar lists
PAGE = 30


def render() -> None:
    require_login()
    settings = runtime().settings
    kb, history = knowledge_base(settings), chat_history(settings)
    try:
        _conversation_list(history)
    except sqlite3.DatabaseError:
        # Not a traceback: say which file and what to do.
        st.error(t("chat.bad_history"))
        return
    st.title(t("chat.title"))
    if not kb.documents():
        st.info(t("chat.empty_wiki"))
    current = st.session_state.get(CONVERSATION)
    if current is not None:
        for index, message in enumerate(history.messages(current)):
            with st.chat_message(message.role):
                text = message.content
                st.markdown(plain(text) if message.role == "user" else wiki_markdown(text))
                show_sources(kb, message.sources, key=_key(current, index))
    question = st.chat_input(t("chat.placeholder"), max_chars=2000)
    if question:
        _ask(kb, history, question)


def _ask(kb: KnowledgeBase, history: ChatHistory, question: str) -> None:
    started = st.session_state.get(CONVERSATION) is None
    if started:
        st.session_state[CONVERSATION] = history.start(question).id
    conversation = st.session_state[CONVERSATION]
    history.add(conversation, "user", question)
    with st.chat_message("user"):
        st.markdown(plain(question))
    with st.chat_message("assistant"):
        answer = _answer(kb, question)
        sources = answer.to_json()["sources"]
        # The same key it will have when the conversation is shown again from the history.
        show_sources(kb, sources, key=_key(conversation, len(history.messages(conversation))))
    history.add(conversation, "assistant", answer.text, sources)
    if started:
        st.rerun()  # the sidebar, drawn before it existed, lists the new conversation


def _key(conversation: str, index: int) -> str:
    return f"kura_source_{conversation}_{index}"


def _answer(kb: KnowledgeBase, question: str) -> Answer:
    settings = runtime().settings
    llm = llm_answerer(settings)
    if llm is not None:
        hits = llm_passages(kb, question, budget=settings.llm_context_chars)
        try:
            return finish(_streamed(llm.stream(question, hits)), hits)
        except LlmUnavailable:
            st.warning(t("chat.llm_failed"))
    answer = extractive_answer(kb, question)
    if not answer.passages:  # said in the page's language, and kept so in the history
        answer = Answer(t("chat.not_covered"), [], [])
    elif len(answer.passages) < PASSAGES:  # rather than padding with an unrelated page
        note = t("chat.fewer_sources", count=len(answer.passages))
        answer = replace(answer, text=f"{answer.text}\n\n*{note}*")
    st.markdown(wiki_markdown(answer.text))
    return answer


def _streamed(chunks: Iterator[str]) -> str:
    """The LLM's answer as it arrives, shown as wiki Markdown like every answer: a model that
    repeats a document's image or `javascript:` link cannot make the browser fetch or run it
    (st.write_stream would render its raw Markdown)."""
    box, text, shown_at = st.empty(), "", 0.0
    for chunk in chunks:
        text += chunk
        if time.monotonic() - shown_at > 0.05:  # a redraw per chunk would flood the page
            box.markdown(wiki_markdown(text))
            shown_at = time.monotonic()
    box.markdown(wiki_markdown(text))
    return text


def _conversation_list(history: ChatHistory) -> None:
    """Every conversation is reachable: a search of titles and messages, and a page of the
    newest that grows by PAGE at a time."""
    with st.sidebar:
        if st.button(t("chat.new"), icon=":material/add:", key="kura_new_chat"):
            st.session_state[CONVERSATION] = None
        total = history.count()
        if not total:
            return
        st.caption(t("chat.conversations"))
        search = st.text_input(
            t("chat.search"), key="kura_conversation_search", max_chars=100
        ).strip()
        shown = st.session_state.setdefault(SHOWN, PAGE)
        conversations = history.conversations(search=search, limit=shown)
        matching = history.count(search=search) if search else total
        current = st.session_state.get(CONVERSATION)
        for conversation in conversations:
            chosen = conversation.id == current
            if st.button(
                plain(conversation.title),  # a user's words: never Markdown
                key=f"kura_conversation_{conversation.id}",
                width="stretch",
                type="primary" if chosen else "secondary",  # the one that is open
                icon=":material/chat:" if chosen else None,
            ):
                st.session_state[CONVERSATION] = conversation.id
                st.rerun()
        if search and not matching:
            st.caption(t("chat.no_match"))
        elif matching > len(conversations):
            st.caption(t("chat.shown", shown=len(conversations), total=matching))
            if st.button(t("chat.more"), key="kura_conversations_more", width="stretch"):
                st.session_state[SHOWN] = shown + PAGE
                st.rerun()
        opened = history.conversation(current) if current else None
        if opened is not None:
            _rename_and_delete(history, opened)


def _rename_and_delete(history: ChatHistory, conversation: Conversation) -> None:
    # A form per conversation: pre-filled with its title, and Enter renames.
    with st.form(f"kura_rename_{conversation.id}", border=False):
        title = st.text_input(t("chat.rename"), value=conversation.title)
        if st.form_submit_button(t("chat.rename")) and title.strip():
            history.rename(conversation.id, title)
            st.rerun()
    if st.button(t("chat.delete"), icon=":material/delete:", key="kura_delete_conversation"):
        confirm.request("delete_conversation")

    def delete() -> None:
        history.delete(conversation.id)
        st.session_state[CONVERSATION] = None

    confirm.ask(
        "delete_conversation",
        title=t("chat.confirm_title"),
        text=t("chat.confirm_text", title=conversation.title, count=conversation.messages),
        action=t("chat.delete"),
        then=delete,
    )


if __name__ == "__main__":
    # Run directly by Streamlit's legacy pages/ discovery (a deep link to a fresh server):
    # hand over to the app, so the visitor gets its navigation, gate and sidebar.
    from app import run

    run()
