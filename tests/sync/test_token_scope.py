"""A token goes only to the host it was issued for.

A canary token meets a server that asks everyone for credentials (tests/servers/trap.py):
as a wiki source any logged-in user adds, as where a source or the backup remote
redirects, and as where the LFS batch API redirects. It must never arrive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Settings
from sync import SyncError, Workspace, backup, restore, verify
from sync.background.watch import RemoteWatch
from sync.sources import SourceAccess
from tests.conftest import TOKEN, git, write_db
from tests.servers.git_http import GitHttpServer
from tests.servers.trap import CanaryTrap
from tests.sync.test_sources import commit_all

ROOT = Path(__file__).resolve().parents[2]
CANARY = "ghp_CanaryThatMustNeverLeave0123456789"


@pytest.fixture
def trap() -> Iterator[CanaryTrap]:
    server = CanaryTrap().start()
    yield server
    server.stop()


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    repo = tmp_path / "wiki"
    (repo / "index.md").parent.mkdir(parents=True)
    (repo / "index.md").write_text("# Home\n\nThe team wiki.")
    git("init", "-q", "-b", "main", str(repo))
    commit_all(repo, "first")
    return repo


def add_source(tmp_path: Path, url: str, **settings: str) -> dict:
    """`python -m chatbot sources add URL --json` in its own process, as an operator runs
    it, with only these settings (loopback sources allowed: every server here is local)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "KURA_HOME": str(tmp_path / ".kura"),
        "WIKI_SOURCES_ALLOW_PRIVATE": "true",
        **settings,
    }
    done = subprocess.run(
        [
            *(sys.executable, "-m", "chatbot", "--data-dir", str(tmp_path / "data")),
            *("sources", "add", url, "--json"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert CANARY not in done.stdout + done.stderr
    return json.loads(done.stdout)


def test_which_token_a_source_gets() -> None:
    """WIKI_SOURCES_TOKEN for its own host only; GITHUB_TOKEN for the backup remote's own
    origin only (a GitHub wiki beside the data repository); nothing for anything else."""
    settings = Settings(
        data_repo="https://github.com/team/kura-data.git",
        token="ghp_backup",
        wiki_sources_token="ghp_wiki",
        wiki_sources_token_host="ghe.example.com",
    )
    access = SourceAccess.of(settings)
    assert access.token_for("https://GHE.example.com/team/handbook.git") == "ghp_wiki"
    assert access.token_for("https://github.com/team/kura-data.wiki.git") == "ghp_backup"
    assert access.token_for("https://github.com:8443/team/x.git") is None  # another port
    assert access.token_for("http://github.com/team/x.git") is None  # another scheme
    assert access.token_for("https://evil.example/team/x.git") is None
    assert access.token_for("/srv/wiki.git") is None
    alone = SourceAccess.of(Settings(token="ghp_backup"))  # the embedded local remote
    assert alone.token_for("https://github.com/team/x.git") is None


def host_of(url: str) -> str:
    return url.split("//", 1)[1].split("/", 1)[0]


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"GITHUB_TOKEN": CANARY}, id="backup-token"),
        pytest.param({"WIKI_SOURCES_TOKEN": CANARY}, id="sources-token-for-github"),
        pytest.param(
            {"WIKI_SOURCES_TOKEN": CANARY, "GITHUB_TOKEN": CANARY, "SAME_HOST_OTHER_PORT": "1"},
            id="both-tokens-for-another-port",
        ),
    ],
)
def test_a_source_on_another_host_gets_no_token(
    tmp_path: Path, trap: CanaryTrap, http_server: GitHttpServer, settings: dict[str, str]
) -> None:
    """The 401 server is another port of 127.0.0.1: another origin than the backup remote
    (the HTTP fixture) and than WIKI_SOURCES_TOKEN_HOST."""
    settings = dict(settings)
    settings["GITHUB_DATA_REPO"] = http_server.repo_url()
    if settings.pop("SAME_HOST_OTHER_PORT", None):
        settings["WIKI_SOURCES_TOKEN_HOST"] = host_of(http_server.url)
    added = add_source(tmp_path, f"{trap.url}/team/wiki.git", **settings)
    assert added["pull"]["status"] == "failed"
    assert trap.requests, "git asked the trap, which asked for credentials"
    assert not trap.received(CANARY)


def test_the_backup_remotes_own_wiki_may_borrow_the_backup_token(
    tmp_path: Path, wiki: Path, http_server: GitHttpServer
) -> None:
    """A GitHub wiki beside the data repository: the same origin, so GITHUB_TOKEN goes."""
    served = http_server.create_repo(repo="data.wiki")
    git("push", "-q", str(served), "main", cwd=wiki)
    added = add_source(
        tmp_path,
        http_server.repo_url(repo="data.wiki"),
        GITHUB_DATA_REPO=http_server.repo_url(),
        GITHUB_TOKEN=TOKEN,
    )
    assert added["pull"]["status"] == "updated", added


def test_a_source_that_redirects_to_another_host_gets_no_token(
    tmp_path: Path, wiki: Path, trap: CanaryTrap, server: GitHttpServer
) -> None:
    """The token's own host (it checks the token, then answers 307 to the trap)."""
    served = server.create_repo(repo="moved.wiki")
    git("push", "-q", str(served), "main", cwd=wiki)
    server.redirect_git = trap.url
    added = add_source(
        tmp_path,
        server.repo_url(repo="moved.wiki"),
        WIKI_SOURCES_TOKEN=TOKEN,
        WIKI_SOURCES_TOKEN_HOST=host_of(server.url),
    )
    assert added["pull"]["status"] == "failed"
    assert "redirects to another address" in added["pull"]["error"]
    assert any(code == 307 for _, _, code in server.requests)
    assert not trap.received(TOKEN)


def http_host(tmp_path: Path, name: str, server: GitHttpServer) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True)
    settings = Settings(
        data_dir=root / "data", home=root / ".kura", data_repo=server.repo_url(), token=TOKEN
    )
    return Workspace(settings)


def test_a_backup_remote_that_redirects_gets_no_token_anywhere_else(
    tmp_path: Path, trap: CanaryTrap, server: GitHttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Backups, restores, verify and the remote watch, with git's requests and then the
    LFS batch API's redirected to the trap after the token was checked."""
    ws = http_host(tmp_path, "writer", server)
    write_db(ws.data_dir / "chatbot.db", range(50))
    first = backup(ws)
    write_db(ws.data_dir / "chatbot.db", range(50, 60))

    server.redirect_git = trap.url
    with pytest.raises(SyncError, match="redirects to another address"):
        backup(ws)
    fresh = http_host(tmp_path, "fresh", server)
    with pytest.raises(SyncError):
        restore(fresh, first.commit)
    watch = RemoteWatch(workspace=ws, every_seconds=60).check_once()
    assert watch.error and "redirects" in watch.error

    server.redirect_git, server.redirect_lfs = None, trap.url
    with pytest.raises(SyncError):
        backup(ws)  # the new chunks' upload: the batch API points at the trap
    with pytest.raises(SyncError):
        restore(http_host(tmp_path, "fresh-lfs", server), first.commit)
    with pytest.raises(SyncError):
        verify(ws, first.commit)
    assert sum(code == 307 for _, _, code in server.requests) >= 5
    # git-lfs follows the batch API's redirect without the Authorization header, then asks
    # for the trap's credentials and gets none: it never even sends the request.
    assert f"credentials for {trap.url}" in caplog.text
    assert not trap.received(TOKEN)
