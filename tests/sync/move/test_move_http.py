"""`python -m sync move` as an operator runs it, over HTTP with the LFS server: killed at
any of its steps and run again, it finishes; the token goes to no other host."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config import Settings
from sync import Workspace, history, restore
from tests.conftest import TOKEN, cli_env, files_of, git, wait_until
from tests.servers.git_http import GitHttpServer
from tests.servers.trap import CanaryTrap
from tests.sync.move.history import grow

ROOT = Path(__file__).resolve().parents[3]


def host(tmp_path: Path, name: str, url: str, **values: object) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True, exist_ok=True)
    settings = {"data_dir": root / "data", "home": root / ".kura", "data_repo": url, "token": TOKEN}
    return Workspace(Settings(**(settings | values)))


def sync_cli(ws: Workspace, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sync", *args],
        cwd=ROOT,
        env=cli_env(ws, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its git and git-lfs children die with it
    )


def finished(process: subprocess.Popen) -> tuple[int, dict]:
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in err
    return process.returncode, json.loads(out)


def kill_when(process: subprocess.Popen, reached: Callable[[], bool]) -> None:
    wait_until(lambda: reached() or process.poll() is not None, timeout=120)
    assert process.poll() is None, "the move ended before the point it was to be killed at"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def repos(http_server: GitHttpServer, tmp_path: Path) -> Iterator[tuple[str, str]]:
    name = tmp_path.name[-30:]
    http_server.create_repo("team", f"old-{name}")
    http_server.create_repo("team", f"new-{name}")
    yield http_server.repo_url("team", f"old-{name}"), http_server.repo_url("team", f"new-{name}")
    http_server.clear_faults()


def on_disk(server: GitHttpServer, url: str) -> Path:
    return server.root / url.split("/", 3)[3]


def heads(server: GitHttpServer, *urls: str) -> list[str]:
    return [git("for-each-ref", cwd=on_disk(server, url)) for url in urls]


def during_download(server: GitHttpServer) -> Callable[[], bool]:
    server.delay_lfs_download = 30.0
    return server.download_started.is_set


def during_upload(server: GitHttpServer) -> Callable[[], bool]:
    server.hold_lfs_upload = threading.Event()
    return server.upload_started.is_set


def during_push_to(repo: str) -> Callable[[GitHttpServer], Callable[[], bool]]:
    def arm(server: GitHttpServer) -> Callable[[], bool]:
        server.hold_first_push, server.hold_push_repo = threading.Event(), repo
        server.drop_held_push = True  # the connection died with the process
        return server.push_started.is_set

    return arm


POINTS = {
    "reading the old packs": during_download,
    "uploading the new packs": during_upload,
    "pushing the new branch": during_push_to("/new-"),
    "marking the old repository": during_push_to("/old-"),
}


@pytest.mark.parametrize("point", POINTS)
def test_a_move_killed_at_any_step_finishes_when_run_again(
    point: str, repos: tuple[str, str], http_server: GitHttpServer, tmp_path: Path
) -> None:
    old, new = repos
    commits = grow(host(tmp_path, "writer", old), 6)
    mover = host(tmp_path, "mover", old)
    reached = POINTS[point](http_server)
    kill_when(sync_cli(mover, "move", "--to", new, "--keep-days", "1", "--yes", "--json"), reached)
    http_server.clear_faults()

    code, result = finished(
        sync_cli(mover, "move", "--to", new, "--keep-days", "1", "--yes", "--json")
    )

    assert code == 0 and result["marker"] is True and result["backups"] == 6
    moved = history(host(tmp_path, "reader", new))
    assert [b.message for b in moved] == [f"backup {n}" for n in range(5, -1, -1)]
    marker = git("rev-parse", "main", cwd=on_disk(http_server, old)).strip()
    reader = host(tmp_path, "old-reader", old)
    old_history = history(reader)
    assert old_history[0].commit == marker and old_history[0].kind == "moved"
    assert [b.commit for b in old_history[1:]] == commits[::-1]
    for index in (0, 5):
        fresh_new, fresh_old = host(tmp_path, f"n{index}", new), host(tmp_path, f"o{index}", old)
        restore(fresh_new, moved[index].commit)
        restore(fresh_old, commits[::-1][index])
        assert files_of(fresh_new.data_dir) == files_of(fresh_old.data_dir)


def test_the_token_goes_to_the_new_repositorys_host_only(
    repos: tuple[str, str], http_server: GitHttpServer, tmp_path: Path
) -> None:
    old, new = repos
    grow(host(tmp_path, "writer", old), 2)
    mover = host(tmp_path, "mover", old)
    trap = CanaryTrap().start()
    try:
        elsewhere = f"{trap.url}/team/data.git"
        code, result = finished(sync_cli(mover, "move", "--to", elsewhere, "--yes", "--json"))
        assert code == 1 and result["error"]["code"] == "auth_failed"
        assert trap.requests and not trap.received(TOKEN)
    finally:
        trap.stop()
    # The same server under another name is another host: GITHUB_TOKEN is not sent there,
    # MOVE_TOKEN is.
    other_name = new.replace("127.0.0.1", "localhost")
    code, result = finished(sync_cli(mover, "move", "--to", other_name, "--yes", "--json"))
    assert code == 1 and result["error"]["code"] == "auth_failed"
    code, result = finished(
        sync_cli(mover, "move", "--to", other_name, "--yes", "--json", MOVE_TOKEN=TOKEN)
    )
    assert code == 0 and result["status"] == "moved" and result["url"] == other_name


def test_without_yes_a_move_asks_and_changes_nothing(
    repos: tuple[str, str], http_server: GitHttpServer, tmp_path: Path
) -> None:
    old, new = repos
    grow(host(tmp_path, "writer", old), 1)
    before = heads(http_server, old, new)
    code, result = finished(sync_cli(host(tmp_path, "mover", old), "move", "--to", new, "--json"))
    assert (code, result["error"]["code"]) == (1, "confirmation_required")
    assert heads(http_server, old, new) == before


def test_an_old_repository_that_refuses_the_marker_keeps_the_move(
    repos: tuple[str, str], http_server: GitHttpServer, tmp_path: Path
) -> None:
    """A token that may read the old repository but not push there: the move stands, and
    says the old repository could not be marked."""
    old, new = repos
    commits = grow(host(tmp_path, "writer", old), 2)
    http_server.forbid_push_to = "/old-"
    process = sync_cli(host(tmp_path, "mover", old), "move", "--to", new, "--yes", "--json")
    code, result = finished(process)
    assert code == 0 and result["marker"] is False and result["moved"] == 1
    assert git("rev-parse", "main", cwd=on_disk(http_server, old)).strip() == commits[-1]
    assert [b.message for b in history(host(tmp_path, "reader", new))] == ["backup 1"]
