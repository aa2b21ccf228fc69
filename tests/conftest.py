"""Shared fixtures: real git, real git-lfs, real SQLite, remotes on this machine."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from config import Settings
from sync import Workspace

REMOTE_KINDS = ["local"]


def git(*args: str, cwd: Path | None = None) -> str:
    """Plain git for test set-up and inspection, outside the engine."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    return path


@pytest.fixture(params=REMOTE_KINDS)
def remote_url(request: pytest.FixtureRequest, bare_remote: Path) -> str:
    return str(bare_remote)


@pytest.fixture
def make_workspace(tmp_path: Path, remote_url: str) -> Callable[..., Workspace]:
    """Workspaces sharing one remote: each name is a separate host (data dir + KURA_HOME)."""

    def make(name: str = "host", **overrides: object) -> Workspace:
        root = tmp_path / name
        settings = Settings(
            data_dir=root / "data",
            home=root / ".kura",
            data_repo=remote_url,
            **overrides,
        )
        (root / "data").mkdir(parents=True, exist_ok=True)
        return Workspace(settings)

    return make


@pytest.fixture
def ws(make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace()


def write_db(path: Path, rows: range, *, wal: bool = True) -> None:
    """A chat-like SQLite database with `rows` messages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        if wal:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, body TEXT)")
        db.executemany(
            "INSERT INTO messages (id, body) VALUES (?, ?)", ((i, f"message {i}") for i in rows)
        )
    db.close()


def message_ids(path: Path) -> list[int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT id FROM messages ORDER BY id")]
    finally:
        db.close()


def files_of(directory: Path) -> dict[str, bytes]:
    """Every file under a directory with its bytes, for exact comparisons."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }
