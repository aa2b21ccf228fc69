"""The backup webhook: a JSON POST after each successful backup, never a secret in it."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.history import ChatHistory
from sync import Workspace, backup
from sync.actions.startup import startup_restore
from tests.conftest import TOKEN, cli_env
from tests.webhook import Receiver

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver().start()
    yield instance
    instance.stop()


def test_each_new_backup_is_posted_with_what_changed(ws: Workspace, receiver: Receiver) -> None:
    (ws.data_dir / "notes.md").write_text("# notes")
    ChatHistory(ws.data_dir / "chatbot.db").start("hello")
    env = cli_env(ws, BACKUP_WEBHOOK_URL=f"{receiver.url}/backups")
    command = [sys.executable, "-m", "sync", "backup", "--json"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    [(path, payload)] = receiver.wait_for(1)
    assert path == "/backups"
    assert payload["event"] == "backup" and payload["commit"] == result["commit"]
    assert payload["kind"] == "manual" and payload["branch"] == "main" and payload["host"]
    assert payload["changed_files"] == ["chatbot.db", "notes.md"] == result["changed"]
    assert payload["bytes"] == result["bytes"] and payload["uploaded"] > 0
    assert payload["merged"] == []

    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["status"] == "unchanged"
    assert len(receiver.posts) == 1, "an unchanged backup announces nothing"
    text = json.dumps(receiver.posts)
    assert TOKEN not in text and ws.settings.remote not in text


def test_a_merge_is_announced(make_workspace, receiver: Receiver) -> None:
    hook = {"backup_webhook_url": f"{receiver.url}/backups"}
    one, two = make_workspace("one", **hook), make_workspace("two", **hook)
    ChatHistory(one.data_dir / "chatbot.db").start("from one")
    backup(one)
    startup_restore(two)
    ChatHistory(two.data_dir / "chatbot.db").start("from two")
    backup(two)
    ChatHistory(one.data_dir / "chatbot.db").start("one again")
    backup(one, kind="auto")
    last = receiver.wait_for(3)[-1][1]
    assert last["kind"] == "auto" and last["merged"] == ["chatbot.db"]


def test_a_failing_webhook_never_fails_the_backup(ws: Workspace, caplog) -> None:
    failing = Receiver(status=500).start()
    try:
        hooked = Workspace(
            dataclasses.replace(ws.settings, backup_webhook_url=f"{failing.url}/hook?key=s3cret")
        )
        (ws.data_dir / "notes.md").write_text("# notes")
        with caplog.at_level(logging.WARNING, logger="sync.background.notify"):
            result = backup(hooked)
        assert result.status == "created"
        assert failing.wait_for(1)[0][1]["commit"] == result.commit  # it was sent, and refused
        assert "Notification to 127.0.0.1" in caplog.text and "s3cret" not in caplog.text
    finally:
        failing.stop()
    (ws.data_dir / "notes.md").write_text("# more notes")
    gone = Workspace(dataclasses.replace(ws.settings, backup_webhook_url=failing.url))
    assert backup(gone).status == "created"  # nobody listening: the backup stands
