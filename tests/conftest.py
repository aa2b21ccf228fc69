"""Shared fixtures: real git, real git-lfs, real SQLite, remotes on this machine."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings
from sync import Workspace, backup, history
from tests.servers.git_http import GitHttpServer

REMOTE_KINDS = ["local", "http"]
TOKEN = "ghp_KuraTestToken0123456789abcdefXYZ"


def git(*args: str, cwd: Path | None = None) -> str:
    """Plain git for test set-up and inspection, outside the engine (LFS content not fetched)."""
    env = {**os.environ, "GIT_LFS_SKIP_SMUDGE": "1"}
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    git("config", "uploadpack.allowFilter", "true", cwd=path)  # partial clones, as GitHub
    return path


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    root = tmp_path_factory.mktemp("git-http")
    server = GitHttpServer(root=root / "repos", token=TOKEN, lfs_root=root / "lfs").start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Remote:
    """A backup remote as Kura sees it, and where its git data lives on this machine."""

    kind: str
    url: str
    git_dir: Path
    lfs_dir: Path
    token: str | None = None

    def lfs_object(self, oid: str) -> Path:
        """Where the remote keeps an LFS object (git-lfs's layout, or giftless's)."""
        if self.kind == "local":
            return self.lfs_dir / oid[:2] / oid[2:4] / oid
        return self.lfs_dir / oid

    @property
    def push_url(self) -> str:
        """How another writer (the old guide) pushes: a path, or the token in the URL."""
        if self.kind == "local":
            return str(self.git_dir)
        return self.url.replace("http://", f"http://guide:{self.token}@")


@pytest.fixture(params=REMOTE_KINDS)
def remote(request: pytest.FixtureRequest, bare_remote: Path, tmp_path: Path) -> Remote:
    if request.param == "local":
        return Remote("local", str(bare_remote), bare_remote, bare_remote / "lfs" / "objects")
    server: GitHttpServer = request.getfixturevalue("http_server")
    name = tmp_path.name[-40:]
    git_dir = server.create_repo("team", name)
    return Remote(
        "http", server.repo_url("team", name), git_dir, server.lfs_root / "team" / name, TOKEN
    )


@pytest.fixture
def remote_url(remote: Remote) -> str:
    return remote.url


@pytest.fixture
def make_workspace(tmp_path: Path, remote: Remote) -> Callable[..., Workspace]:
    """Workspaces sharing one remote: each name is a separate host (data dir + KURA_HOME)."""

    def make(name: str = "host", **overrides: object) -> Workspace:
        root = tmp_path / name
        values: dict = {
            "data_dir": root / "data",
            "home": root / ".kura",
            "data_repo": remote.url,
            "token": remote.token,
        }
        values.update(overrides)
        settings = Settings(**values)
        (root / "data").mkdir(parents=True, exist_ok=True)
        return Workspace(settings)

    return make


@pytest.fixture
def ws(make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace()


def cli_env(ws: Workspace, **extra: str) -> dict[str, str]:
    """The environment `python -m sync` gets in tests: this workspace's settings only."""
    env = {
        "PATH": os.environ["PATH"],
        "KURA_HOME": str(ws.home),
        "KURA_DATA_DIR": str(ws.data_dir),
        "GITHUB_DATA_REPO": ws.settings.remote,
    }
    if ws.settings.token:
        env["GITHUB_TOKEN"] = ws.settings.token
    return {**env, **extra}


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll a condition a background thread or server brings about; fail if it never does."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert predicate()


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


def data_paths(tree) -> list[str]:
    """The data files a backup's tree (GitPython) holds, without the format mark."""
    from sync.layout.stored import FORMAT_MARK

    return sorted(
        b.path
        for b in tree.traverse()
        if b.type == "blob" and b.path.startswith("data/") and b.path != FORMAT_MARK
    )


def fast_import_history(ws: Workspace, count: int) -> None:
    """`count` backups on the remote in one `git fast-import` (another tool's, so quick),
    on top of Kura's first one, a day apart going back from now."""
    backup(ws, message="kura's own")
    now = int(time.time())
    stream = []
    for n in range(count):
        body = f"note {n}\n"
        stamp = now - (count - n) * 86400
        stream.append(
            f"commit refs/heads/main\ncommitter T <t@t> {stamp} +0000\n"
            f"data {len(f'note {n}')}\nnote {n}\n"
            + ("from refs/heads/main^0\n" if n == 0 else "")
            + f"M 100644 inline data/note.txt\ndata {len(body)}\n{body}\n"
        )
    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"],
        input="".join(stream).encode(),
        cwd=ws.settings.remote,
        check=True,
    )
    history(ws)  # fetched into the cache, as the remote watch would
