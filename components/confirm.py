"""Ask before what cannot be undone: a dialog with the consequence, Cancel and the action.

Example::

    if st.button("Delete"):
        confirm.request("delete_chat")
    confirm.ask("delete_chat", title="Delete this conversation?", text="Its 4 messages go.",
                action="Delete", then=lambda: history.delete(chat_id))
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.i18n import t
from components.text import Markdown

PENDING = "kura_confirm"


def request(key: str) -> None:
    st.session_state[PENDING] = key


def ask(
    key: str, *, title: Markdown, text: Markdown, action: Markdown, then: Callable[[], None]
) -> None:
    """Open the dialog while `key` is pending; `then` runs on the action, then a rerun."""
    if st.session_state.get(PENDING) != key:
        return
    # Decorated at call time, so that the title follows UI_LANGUAGE.
    st.dialog(title, on_dismiss=_close)(_dialog)(text, action, then)


def _dialog(text: Markdown, action: Markdown, then: Callable[[], None]) -> None:
    st.write(text)
    yes, no = st.columns(2)
    if no.button(t("confirm.cancel"), width="stretch", key="kura_confirm_cancel"):
        _close()
        st.rerun()
    if yes.button(action, type="primary", width="stretch", key="kura_confirm_yes"):
        _close()
        then()
        st.rerun()


def _close() -> None:
    st.session_state.pop(PENDING, None)
