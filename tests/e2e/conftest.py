"""A real `streamlit run app.py` on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from config import Settings
from sync import Workspace

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "e2e password"
# Without these, Chromium keeps dialling out to Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("KURA_SCREENSHOTS")


@dataclass(frozen=True)
class Server:
    url: str
    workspace: Workspace
    log: Path
    process: subprocess.Popen  # the leader of its own process group (git children included)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path, bare_remote: Path) -> Iterator[Server]:
    marker = request.node.get_closest_marker("server_env")
    with launch(tmp_path, remote=str(bare_remote), env=marker.args[0] if marker else {}) as running:
        yield running


@contextlib.contextmanager
def launch(
    root: Path, *, remote: str, token: str | None = None, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`streamlit run app.py` on a free port, with its data and KURA_HOME under `root`."""
    data, home = root / "data", root / ".kura"
    data.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    values = {
        "PATH": os.environ["PATH"],
        "HOME": str(root),
        "KURA_DATA_DIR": str(data),
        "KURA_HOME": str(home),
        "GITHUB_DATA_REPO": remote,
        "SHARED_PASSWORD": PASSWORD,
        "AUTO_BACKUP_MINUTES": "0",
        "REMOTE_WATCH_SECONDS": "0",
        **({"GITHUB_TOKEN": token} if token else {}),
        **(env or {}),
    }
    log = root / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=values, stdout=out, stderr=out, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        settings = Settings(data_dir=data, home=home, data_repo=remote, token=token)
        yield Server(url, Workspace(settings), log, process)
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("streamlit exited during start-up")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def log_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ask the wiki").wait_for()
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("heading", name="Backups and data").wait_for()
