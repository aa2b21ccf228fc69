import time

import pytest
from streamlit.testing.v1 import AppTest

from components.auth import Throttle, password_matches
from components.runtime import runtime
from sync import Workspace
from tests.app.conftest import PASSWORD, log_in, settled


def test_logged_out_sees_only_the_login_form(app: AppTest) -> None:
    settled(app)
    assert not app.exception
    assert [e.value for e in app.title] == ["Log in to Kura"]
    assert len(app.text_input) == 1 and app.text_input[0].label == "Password"


def test_right_password_opens_the_chat_page(app: AppTest) -> None:
    log_in(app)
    assert not app.exception
    assert [e.value for e in app.title] == ["Ask the wiki"]


@pytest.mark.parametrize("wrong", ["nope", "パスワード", "é" * 5, "x" * 1024, " "])
def test_wrong_or_non_ascii_password_is_just_incorrect(app: AppTest, wrong: str) -> None:
    log_in(app, wrong)
    assert not app.exception
    assert [e.value for e in app.error] == ["Incorrect password."]
    assert [e.value for e in app.title] == ["Log in to Kura"]


def test_password_matches_never_raises() -> None:
    assert password_matches("pässwörd", "pässwörd")
    assert not password_matches("pässwörd", "password")
    assert not password_matches("", PASSWORD)
    assert not password_matches(None, PASSWORD)
    assert not password_matches("\udcff", PASSWORD)  # lone surrogate from a bad client
    assert not password_matches("a" * 5000, "a" * 5000)


def test_failures_slow_down_the_whole_process() -> None:
    throttle = Throttle(free_failures=2)
    assert throttle.delay() == 0
    for _ in range(4):
        throttle.failed()
    assert throttle.delay() == 2.0
    for _ in range(10):
        throttle.failed()
    assert throttle.delay() == 8.0  # capped


def test_generated_password_when_none_is_set(app: AppTest, monkeypatch, app_env) -> None:
    monkeypatch.delenv("SHARED_PASSWORD")
    settled(app)
    stored = (app_env.home / "password").read_text().strip()
    assert len(stored) >= 16
    assert (app_env.home / "password").stat().st_mode & 0o077 == 0
    assert any("password" in e.value for e in app.info)
    assert not any(str(app_env.home) in e.value for e in app.info)  # no server paths
    log_in(app, stored)
    assert [e.value for e in app.title] == ["Ask the wiki"]


def test_an_idle_session_is_logged_out(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "0.01")  # 0.6 s
    log_in(app)
    assert [e.value for e in app.title] == ["Ask the wiki"]
    time.sleep(1)
    app.run()
    assert [e.value for e in app.title] == ["Log in to Kura"]


def test_a_login_opens_a_server_side_session_and_logout_ends_it(
    app: AppTest, app_env: Workspace
) -> None:
    store = runtime().sessions
    log_in(app)
    assert store.count() == 1
    assert store.path.parent == app_env.settings.home  # never in the data directory
    assert len(app.get("html")) == 1  # the page fetches its cookie once...
    app.run()
    assert not app.get("html")  # ...and the ticket is gone from the page afterwards
    app.sidebar.button(key="kura_logout").click().run()
    assert [e.value for e in app.title] == ["Log in to Kura"]
    assert store.count() == 0
