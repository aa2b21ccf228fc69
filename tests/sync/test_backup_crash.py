"""SIGKILL at each step of a backup: the remote never holds a partial backup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sync import Workspace, backup, history, verify
from sync.local.snapshot import is_side_file
from tests.conftest import cli_env, files_of, message_ids, write_db
from tests.servers.git_http import GitHttpServer
from tests.sync.conftest import host

ROOT = Path(__file__).resolve().parents[2]


def _backup_in_child(ws: Workspace) -> subprocess.Popen:
    env = cli_env(ws)
    command = [sys.executable, "-m", "sync", "backup", "--json"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _assert_every_backup_is_whole(ws: Workspace) -> None:
    for point in history(ws):
        verify(ws, point.commit)  # every LFS object present, databases intact


def _wait(event: threading.Event | None, condition=None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (event is not None and event.is_set()) or (condition is not None and condition()):
            return
        time.sleep(0.01)
    raise AssertionError("the backup never reached the step to kill it at")


@pytest.mark.parametrize("step", ["snapshot", "lfs upload", "git push"])
def test_sigkill_at_each_step(tmp_path, server: GitHttpServer, step: str) -> None:
    ws = host(tmp_path, "h", server.repo_url())
    write_db(ws.data_dir / "chatbot.db", range(100))
    first = backup(ws)
    for i in range(200):
        write_db(ws.data_dir / "chatbot.db", range(100 + i * 500, 100 + (i + 1) * 500))
    (ws.data_dir / "segment.bin").write_bytes(os.urandom(4_000_000))
    before = files_of(ws.data_dir)
    rows = message_ids(ws.data_dir / "chatbot.db")

    release = threading.Event()
    if step == "lfs upload":
        server.delay_lfs_upload = 5
        server.upload_started.clear()
    if step == "git push":
        server.hold_first_push = release
    child = _backup_in_child(ws)
    if step == "snapshot":
        _wait(None, lambda: any((ws.home / "cache.git" / "lfs" / "tmp").glob("kura-*")))
    elif step == "lfs upload":
        _wait(server.upload_started)
    else:
        _wait(None, lambda: server.hold_first_push is None)
    child.send_signal(signal.SIGKILL)
    child.wait()
    release.set()
    server.delay_lfs_upload = 0

    # A reader killed inside SQLite leaves its -wal/-shm behind, as any crashed reader does.
    after = {p: b for p, b in files_of(ws.data_dir).items() if not is_side_file(p)}
    assert after == before, "a backup never changes the data"
    assert message_ids(ws.data_dir / "chatbot.db") == rows
    landed = [b.commit for b in history(ws)]
    if step == "git push":
        # the server had the whole push before the client died: it may land, whole
        assert landed[-1] == first.commit and len(landed) <= 2
    else:
        assert landed == [first.commit], "nothing lands before its objects are uploaded"
    _assert_every_backup_is_whole(ws)

    again = backup(ws)  # the next backup works and is complete
    assert again.status == ("unchanged" if len(landed) == 2 else "created")
    _assert_every_backup_is_whole(ws)
