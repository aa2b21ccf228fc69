"""The token never shows: not in output, logs, errors, argv, files, in any encoding."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from sync import SyncError, Workspace, backup, diff, history, restore, status, verify
from tests.conftest import TOKEN, cli_env, write_db

ROOT = Path(__file__).resolve().parents[2]


def forms(token: str) -> list[str]:
    """Every spelling of the token worth searching for."""
    spelled = [token, quote(token, safe="")]
    for text in (token, f"x-access-token:{token}", f"guide:{token}"):
        spelled.append(base64.b64encode(text.encode()).decode().rstrip("="))
    return spelled


def assert_clean(text: str | bytes, where: str) -> None:
    data = text.encode() if isinstance(text, str) else text
    for form in forms(TOKEN):
        assert form.encode() not in data, f"token ({form[:8]}…) found in {where}"


def every_file(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file() and not p.is_symlink()]


@pytest.fixture
def http_ws(make_workspace, remote) -> Workspace:
    if remote.kind != "http":
        pytest.fail("this module runs against the HTTP remote only")
    return make_workspace()


pytestmark = pytest.mark.parametrize("remote", ["http"], indirect=True)


def test_a_full_cycle_leaks_nothing(http_ws: Workspace, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    ws = http_ws
    write_db(ws.data_dir / "chatbot.db", range(20))
    first = backup(ws)
    write_db(ws.data_dir / "chatbot.db", range(20, 30))
    backup(ws)
    results = [
        status(ws),
        history(ws),
        diff(ws, first.commit),
        restore(ws, first.commit),
        verify(ws),  # the LFS batch API, with the token in one request's header
        verify(ws, deep=True),
        status(ws, storage=True),
    ]
    for result in results:
        assert_clean(repr(result), "a result")
    assert_clean(caplog.text, "the log")
    for path in every_file(ws.home, ws.data_dir):
        assert_clean(path.read_bytes(), str(path))


def test_failures_leak_nothing(make_workspace, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ws = make_workspace()
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    broken = make_workspace("broken", data_repo=ws.settings.remote.replace("/team/", "/nobody/"))
    (broken.data_dir / "a.txt").write_text("b")
    for action in (
        lambda: backup(broken),
        lambda: restore(broken, "latest"),
        lambda: verify(broken),
    ):
        with pytest.raises(SyncError) as error:
            action()
        assert_clean(str(error.value), "an exception")
        assert_clean(repr(error.value.__dict__), "an exception's fields")
    assert_clean(caplog.text, "the log")
    for path in every_file(broken.home):
        assert_clean(path.read_bytes(), str(path))


def test_cli_output_and_json_leak_nothing(http_ws: Workspace) -> None:
    ws = http_ws
    (ws.data_dir / "a.txt").write_text("a")
    env = cli_env(ws)
    for args in (["backup"], ["status"], ["history"], ["verify"], ["diff", "latest"]):
        for extra in ([], ["--json"]):
            done = subprocess.run(
                [sys.executable, "-m", "sync", *args, *extra],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert_clean(done.stdout + done.stderr, f"python -m sync {' '.join(args)}")
            if extra:
                json.loads(done.stdout)
    bad = {**env, "GITHUB_TOKEN": TOKEN[::-1]}
    (ws.data_dir / "a.txt").write_text("changed")
    done = subprocess.run(
        [sys.executable, "-m", "sync", "backup", "--json"],
        cwd=ROOT,
        env=bad,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stdout)["error"]["code"] == "auth_failed"
    assert TOKEN[::-1] not in done.stdout + done.stderr


def test_the_token_is_never_in_argv(http_ws: Workspace) -> None:
    ws = http_ws
    for i in range(8):
        (ws.data_dir / f"f{i}.bin").write_bytes(os.urandom(400_000))
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    seen.append(cmdline.read_bytes().decode("utf-8", "replace"))
                except OSError:
                    continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        point = backup(ws)
        (ws.data_dir / "f0.bin").write_bytes(b"changed")
        restore(ws, point.commit)
    finally:
        done.set()
        watcher.join()
    gits = [c for c in seen if "git" in c]
    assert any("lfs" in c for c in gits), "the watcher saw git-lfs run"
    for cmdline in set(seen):
        assert_clean(cmdline, "a process's argv")


def test_child_processes_inherit_no_secrets(monkeypatch, http_ws: Workspace) -> None:
    for name in ("GITHUB_TOKEN", "OPENAI_API_KEY", "SHARED_PASSWORD"):
        monkeypatch.setenv(name, f"{name.lower()}-value-{TOKEN}")
    ws = http_ws
    (ws.data_dir / "a.txt").write_text("a")
    environments: list[bytes] = []
    done = threading.Event()

    def watch() -> None:
        me = os.getpid()
        while not done.is_set():
            for environ in Path("/proc").glob("[0-9]*/environ"):
                if environ.parent.name == str(me):
                    continue
                try:
                    if b"git" in (environ.parent / "cmdline").read_bytes():
                        environments.append(environ.read_bytes())
                except OSError:
                    continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        backup(ws)
    finally:
        done.set()
        watcher.join()
    assert environments, "the watcher saw git run"
    for environ in environments:
        names = {entry.split(b"=", 1)[0] for entry in environ.split(b"\0") if entry}
        assert not names & {b"GITHUB_TOKEN", b"OPENAI_API_KEY", b"SHARED_PASSWORD"}
