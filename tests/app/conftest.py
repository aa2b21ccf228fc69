"""AppTest fixtures: the real app.py against a real local remote, settings from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from config import Settings
from sync import Workspace

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


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
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml of the project's
    return Workspace(Settings(data_dir=data, home=home, data_repo=str(bare_remote)))


def _fresh(script: Path) -> Iterator[AppTest]:
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_file(str(script), default_timeout=60)
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app(app_env: Workspace) -> Iterator[AppTest]:
    """The whole app, as a visitor opens it."""
    yield from _fresh(ROOT / "app.py")


@pytest.fixture
def admin(app_env: Workspace) -> Iterator[AppTest]:
    """The admin page on its own (AppTest cannot switch to a callable st.Page)."""
    yield from _fresh(ROOT / "pages" / "admin.py")


@pytest.fixture
def knowledge(app_env: Workspace) -> Iterator[AppTest]:
    yield from _fresh(ROOT / "pages" / "knowledge.py")


def log_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    """Log in; the chat page opens."""
    at.run()
    at.text_input[0].input(password)
    at.button[0].click()
    return at.run()


def open_admin(at: AppTest) -> AppTest:
    """Log in through the admin page's own login guard."""
    return log_in(at)
