"""AppTest fixtures: the real app.py against a real local remote, settings from the environment."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from config import Settings
from sync import Workspace

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
RESTORING = "Restoring the team's data"


@pytest.fixture
def app_env(tmp_path: Path, bare_remote: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """Environment for the app; returns a Workspace on the same data, for set-up and checks."""
    data, home = tmp_path / "data", tmp_path / ".kura"
    data.mkdir()
    values = {
        "KURA_DATA_DIR": str(data),
        "KURA_HOME": str(home),
        "GITHUB_DATA_REPO": str(bare_remote),
        "SHARED_PASSWORD": PASSWORD,
        "AUTO_BACKUP_MINUTES": "0",
        "REMOTE_WATCH_SECONDS": "0",  # tests that watch turn it on
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml of the project's
    return Workspace(Settings(data_dir=data, home=home, data_repo=str(bare_remote)))


def _fresh(at: AppTest) -> Iterator[AppTest]:
    st.cache_resource.clear()
    st.cache_data.clear()
    yield at
    st.cache_resource.clear()  # stops the start-up and auto-backup threads
    st.cache_data.clear()


def _page(module: str) -> AppTest:
    """One page's render() on its own (AppTest cannot switch to a callable st.Page, and a
    page file run directly hands over to the whole app)."""
    script = f"from pages import {module}\n{module}.render()\n"
    return AppTest.from_string(script, default_timeout=60)


@pytest.fixture
def app(app_env: Workspace) -> Iterator[AppTest]:
    """The whole app, as a visitor opens it."""
    yield from _fresh(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))


@pytest.fixture
def admin(app_env: Workspace) -> Iterator[AppTest]:
    yield from _fresh(_page("admin"))


@pytest.fixture
def knowledge(app_env: Workspace) -> Iterator[AppTest]:
    yield from _fresh(_page("knowledge"))


def settled(at: AppTest) -> AppTest:
    """Run until the start-up restore's progress page has given way, as its fragment does
    in a browser (AppTest does not run fragments on a timer)."""
    at.run()
    deadline = time.monotonic() + 30
    while any(e.value == RESTORING for e in at.title) and time.monotonic() < deadline:
        time.sleep(0.05)
        at.run()
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that escapes text (`components.text.plain`): the
    characters, without the backslashes that keep them from being markup (nor the
    invisible joiners that keep `https://` from becoming a link)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def log_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    """Log in; the chat page opens."""
    settled(at)
    at.text_input[0].input(password)
    at.button[0].click()
    return at.run()


def open_admin(at: AppTest) -> AppTest:
    """Log in through the admin page's own login guard, once the start-up attempt settled
    (it holds the operation lock while it reads the remote)."""
    at.run()
    from components.runtime import startup

    startup().wait_settled(timeout=30)
    return log_in(at)
