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
def server(tmp_path: Path) -> Iterator[GitHttpServer]:
    """A server of this test's own, so that its faults reach no other test."""
    instance = GitHttpServer(root=tmp_path / "repos", token=TOKEN, lfs_root=tmp_path / "lfs")
    instance.start()
    instance.create_repo()
    yield instance
    instance.stop()


def host(tmp_path: Path, name: str, url: str, token: str | None = TOKEN) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True, exist_ok=True)
    return Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=url, token=token)
    )
