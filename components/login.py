"""The login form, and the guard every page's render() starts with."""

from __future__ import annotations

import streamlit as st

from components import auth
from components.i18n import t
from components.runtime import runtime


def require_login() -> None:
    """Show the login form instead of the page for anyone not logged in."""
    if not auth.is_logged_in():
        login_form()
        st.stop()


def login_form() -> None:
    rt = runtime()
    st.title(t("login.title"))
    with st.form("login"):
        candidate = st.text_input(t("login.password"), type="password", max_chars=1024)
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        outcome = auth.attempt_login(candidate, rt.password)
        if outcome:
            st.rerun()
        st.error(t("login.wrong" if outcome is False else "login.busy"))
    if rt.password_generated:
        st.info(t("login.generated"))  # where it is kept goes to the server log only
