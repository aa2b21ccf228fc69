"""Kura: page config, start-up restore, login gate, navigation. Nothing else."""

from pathlib import Path

import streamlit as st

from components import auth, sidebar
from components.i18n import t
from components.runtime import runtime, scheduler
from config import SettingsError
from pages import admin, chat, knowledge, login

dir_path = Path(__file__).parent


def run() -> None:
    st.set_page_config(page_title="Kura", page_icon=":material/database:", layout="wide")
    try:
        rt = runtime()  # once per server process: settings, start-up restore, password
    except SettingsError as exc:
        st.error(t("settings.invalid", error=exc))
        st.stop()
    scheduler()  # starts auto-backup on the first page load, logged in or not
    if rt.startup_error:
        st.error(t("startup.failed", error=rt.startup_error))
    if auth.is_logged_in():
        sidebar.render()
        pages = [
            st.Page(chat.render, title=t("nav.chat"), icon=":material/chat:", default=True),
            st.Page(
                knowledge.render,
                title=t("nav.knowledge"),
                url_path="knowledge",
                icon=":material/menu_book:",
            ),
            st.Page(admin.render, title=t("nav.admin"), url_path="admin", icon=":material/backup:"),
        ]
    else:
        # The default page has no path of its own, so it never shadows pages/login.py.
        pages = [st.Page(login.render, title=t("nav.login"), default=True)]
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
