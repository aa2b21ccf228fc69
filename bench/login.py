"""Password guesses through the real server in Chromium: one tab guessing in turn against
ten tabs guessing at once, for the same time. Counted from the server's own record of the
checks it made (KURA_HOME/login-failures.json) and from what each tab was told.

    python -m bench.login [seconds]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, launch

WRONG, BUSY = "Incorrect password.", "try again"


def guesses(tabs: int, seconds: float) -> dict[str, int]:
    """Checks the server made, and the answers the tabs saw, in `seconds` of guessing."""
    with tempfile.TemporaryDirectory() as root:
        remote = Path(root) / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        told = {"wrong": 0, "busy": 0}
        with launch(Path(root), remote=str(remote)) as server, sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [browser.new_context().new_page() for _ in range(tabs)]
            for page in pages:
                page.set_default_timeout(120_000)
                page.goto(server.url)
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                for page in pages:
                    _submit(page)
                for page in pages:
                    told[_answer(page)] += 1
            browser.close()
            record = Path(root) / ".kura" / "login-failures.json"
            checked = len(json.loads(record.read_text())) if record.exists() else 0
    return {"tabs": tabs, "checked": checked, **told}


def _submit(page: Page) -> None:
    page.get_by_label("Password", exact=True).fill("wrong guess")
    page.get_by_role("button", name="Log in").click()


def _answer(page: Page) -> str:
    said = page.get_by_text(WRONG).or_(page.get_by_text(BUSY)).first
    said.wait_for()
    answer = "busy" if BUSY in said.inner_text() else "wrong"
    page.reload()  # a fresh form, as a script would post one
    return answer


def run(seconds: float = 45.0) -> str:
    rows = [
        f"| tabs | checks made in {seconds:g} s | answered wrong | answered busy |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for tabs in (1, 10):
        found = guesses(tabs, seconds)
        rows.append(f"| {tabs} | {found['checked']} | {found['wrong']} | {found['busy']} |")
    return "\n".join(rows)


def main() -> None:
    print(run(float(sys.argv[1]) if len(sys.argv) > 1 else 45.0))


if __name__ == "__main__":
    main()
