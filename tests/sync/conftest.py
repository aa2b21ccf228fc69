"""Fixtures for the sync tests that need an HTTP remote of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Settings
from sync import Workspace
from tests.conftest import TOKEN
from tests.servers.git_http import GitHttpServer


@pytest.fixture
def server(http_server: GitHttpServer, tmp_path: Path) -> Iterator[GitHttpServer]:
    """The session's HTTP remote with a fresh repository, for tests that inject faults.

    One server per process: giftless keeps its storage settings in module globals,
    so a second instance would take over the first one's uploads.
    """
    http_server.reset(repo=f"faults-{tmp_path.name}")
    yield http_server
    http_server.clear_faults()


def host(tmp_path: Path, name: str, url: str, token: str | None = TOKEN) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True, exist_ok=True)
    return Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=url, token=token)
    )
