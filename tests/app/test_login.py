import json
import re
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from components.auth import LoginGate, password_matches
from components.runtime import runtime
from sync import Workspace
from tests.app.conftest import PASSWORD, log_in, settled
from tests.conftest import wait_until


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
    gate = LoginGate(free_failures=2, first_delay=0.0)
    assert gate.delay() == 0
    for _ in range(4):
        gate.check("wrong", PASSWORD)
    assert gate.delay() == 0.0  # first_delay 0 here: the doubling is checked below
    gate = LoginGate(free_failures=2, first_delay=0.001, cap=0.004)
    for _ in range(3):
        gate.check("wrong", PASSWORD)
    assert gate.delay() == 0.002
    for _ in range(3):
        gate.check("wrong", PASSWORD)
    assert gate.delay() == 0.004  # capped


def test_ten_parallel_guesses_are_no_faster_than_one_after_another() -> None:
    """Ten tabs guessing at once: each check waits its delay holding the one gate, so the
    ten take at least the delays that ten guesses one after another would."""
    gate = LoginGate(free_failures=0, first_delay=0.05, cap=0.2, wait=60)
    after_one_another = sum(min(0.2, 0.05 * 2**n) for n in range(10))  # 1.75 s
    results: list[bool | None] = []
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda: results.append(gate.check("guess", PASSWORD)))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= after_one_another
    assert results == [False] * 10
    assert gate.check(PASSWORD, PASSWORD) is True  # the real user still gets in


def test_a_flood_of_guesses_turns_a_login_away_instead_of_queueing_it() -> None:
    gate = LoginGate(free_failures=0, first_delay=5.0, cap=5.0, wait=0.1)
    guessing = threading.Thread(target=gate.check, args=("guess", PASSWORD))
    guessing.start()
    wait_until(gate.busy)
    assert gate.check(PASSWORD, PASSWORD) is None  # told to try again, not left waiting
    guessing.join()


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


def test_session_cookie_secure_makes_every_login_cookie_secure(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.tickets import TICKETS

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    log_in(app)
    script = next(e.proto.body for e in app.get("html") if "kura/session" in e.proto.body)
    ticket = re.search(r"body: \"([^\"]+)\"", script).group(1)  # what the page posts
    grant = TICKETS.redeem(ticket)
    assert grant is not None and grant.secure


def test_failures_outlive_the_process_and_an_unreadable_record(tmp_path) -> None:
    record = tmp_path / "login-failures.json"
    before = LoginGate(free_failures=1, first_delay=0.001, cap=0.004, record=record)
    for _ in range(3):
        before.check("wrong", PASSWORD)
    after_restart = LoginGate(free_failures=1, first_delay=0.001, cap=0.004, record=record)
    assert after_restart.failures.recent() == 3
    assert after_restart.delay() == 0.004
    record.write_text("{not json")
    assert LoginGate(free_failures=1, first_delay=0.001, cap=0.004, record=record).delay() == 0.004


def test_old_failures_are_forgotten(tmp_path) -> None:
    record = tmp_path / "login-failures.json"
    record.write_text(json.dumps([time.time() - 3600] * 10))
    assert LoginGate(free_failures=0, record=record, window=900).failures.recent() == 0
