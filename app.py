"""Kura: page config, start-up restore, login gate, navigation. Nothing else.

`streamlit run app.py` finds `app` below and serves this script through it, with the two
routes that set and clear the login cookie (web/routes.py).
"""

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from components import auth, sidebar, startup_view
from components.i18n import t
from components.operations import show_flash
from components.runtime import lifespan, runtime, scheduler, sources, startup, watch
from config import SettingsError
from pages import admin, chat, knowledge, login
from web.routes import routes

dir_path = Path(__file__).parent
PATHS = ("knowledge", "admin")  # every address a visitor may hold, besides the default


def run() -> None:
    st.set_page_config(page_title="Kura", page_icon=":material/database:", layout="wide")
    try:
        runtime()  # once per server process: settings, password
    except SettingsError as exc:
        st.error(t("settings.invalid", error=str(exc)))
        st.stop()
    startup()  # the start-up restore, in the background
    scheduler()  # auto-backup from the first page load, held until the data is restored
    watch()  # newer backups from other instances, from the first page load
    sources()  # the wiki's Git sources, pulled once the data is restored
    if startup_view.restoring():
        pages = _gate(startup_view.progress_page, t("startup.title"))
    elif auth.is_logged_in():
        auth.sync_cookie()  # a new login's cookie
        show_flash()  # a result toast from the run before, on whichever page
        startup_view.banner(logged_in=True)
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
        auth.sync_cookie()  # a logout's cookie cleared
        startup_view.banner(logged_in=False)
        pages = _gate(login.render, t("nav.login"))
    st.navigation(pages).run()


def _gate(render: Callable[[], None], title: str) -> list[st.Page]:
    """One page for every address, all showing `render`: a visitor sees it (never "Page not
    found") and afterwards lands on the page their address names."""
    hidden = [st.Page(render, title=title, url_path=path, visibility="hidden") for path in PATHS]
    return [st.Page(render, title=title, default=True), *hidden]


if __name__ == "__main__":
    run()
else:  # imported by `streamlit run` (or uvicorn) to serve the script above
    app = st.App(dir_path / "app.py", routes=routes(), lifespan=lifespan)
