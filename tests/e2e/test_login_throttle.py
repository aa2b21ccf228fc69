"""The login slow-down in the real server: it survives a restart (the failures live in
KURA_HOME), and ten tabs guessing at once get no more checks than the delays allow one
tab. Each check's time is read from the record the server keeps, not from a stopwatch."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PASSWORD, launch

FREE, FIRST, CAP = 3, 0.5, 8.0  # components/auth.py's LoginGate defaults


def _delay(failures: int) -> float:
    return 0.0 if failures < FREE else min(CAP, FIRST * 2 ** (failures - FREE))


def _submit(page: Page, url: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def _answered(page: Page) -> None:
    said = page.get_by_text("Incorrect password.").or_(page.get_by_text("try again"))
    expect(said.first).to_be_visible(timeout=60_000)


def test_the_slow_down_survives_a_restart(browser: Browser, tmp_path: Path, bare_remote) -> None:
    record = tmp_path / ".kura" / "login-failures.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps([time.time()] * 5))  # five failures before the restart
    with launch(tmp_path, remote=str(bare_remote), env={"UI_LANGUAGE": "en"}) as server:
        page = browser.new_page()
        started = time.monotonic()
        _submit(page, server.url, "wrong guess")
        _answered(page)
        assert time.monotonic() - started >= _delay(5)  # a lower bound: load only adds
        assert len(json.loads(record.read_text())) == 6
        _submit(page, server.url, PASSWORD)  # the real user still gets in
        page.get_by_role("heading", name="Ask the wiki").wait_for(timeout=60_000)
        page.close()


def test_ten_tabs_are_no_faster_than_one(browser: Browser, tmp_path: Path, bare_remote) -> None:
    """Each check after the free ones waits its delay after the one before it, as one tab
    guessing in turn would (bench/login.py counts the guesses of one tab against ten)."""
    with launch(tmp_path, remote=str(bare_remote), env={"UI_LANGUAGE": "en"}) as server:
        pages = [browser.new_context().new_page() for _ in range(10)]
        for _ in range(2):
            for page in pages:
                _submit(page, server.url, "wrong guess")
            for page in pages:
                _answered(page)
        checks = json.loads((tmp_path / ".kura" / "login-failures.json").read_text())
        assert len(checks) >= FREE + 2
        for made, (before, after) in enumerate(itertools.pairwise(checks), start=1):
            assert after - before >= _delay(made) - 0.05, (made, checks)
        for page in pages:
            page.context.close()
