"""How long the admin page takes to open in Chromium: the real `streamlit run app.py` on
a host's data and KURA_HOME, logged in, then a click on Admin until the backup history
is on screen. The server is the e2e tests' (tests/e2e/conftest.py)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, launch

HISTORY_SHOWN = "Select a row to pick it as the restore point."


def admin_open_seconds(host: Path, remote: str, *, rounds: int = 3) -> float:
    """Median seconds from a click on Admin to the history table, over `rounds` opens
    (the first after the server started, then from the Knowledge page again)."""
    with launch(host, remote=remote) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(server.url)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Knowledge").click()  # the bench's chatbot.db is no chat
        page.get_by_role("heading", name="Knowledge").wait_for()
        times = []
        for _ in range(rounds):
            started = time.monotonic()
            page.get_by_role("link", name="Admin").click()
            page.get_by_text(HISTORY_SHOWN).wait_for()
            page.locator('[data-testid="stDataFrame"]').nth(1).wait_for()
            times.append(time.monotonic() - started)
            page.get_by_role("link", name="Knowledge").click()
            page.get_by_role("heading", name="Knowledge").wait_for()
        browser.close()
    return statistics.median(times)
