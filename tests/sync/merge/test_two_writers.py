"""Two instances, one remote: every conversation from both is in the latest backup.

Real git and git-lfs against the HTTP fixture (token auth, a real LFS server) and a
file:// remote; backups in child processes that are SIGKILLed at random moments.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chatbot.history import ChatHistory
from config import Settings
from sync import Workspace, backup, restore
from sync.actions.startup import startup_restore
from sync.errors import Busy
from sync.layout.state import load_state
from tests.conftest import TOKEN, cli_env, git
from tests.servers.git_http import GitHttpServer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["http", "file"])
def remote_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "file":
        bare = tmp_path / "remote.git"
        git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        return bare.as_uri()
    server: GitHttpServer = request.getfixturevalue("http_server")
    name = f"two-{tmp_path.name[-30:]}"
    server.create_repo("team", name)
    return server.repo_url("team", name)


def _instance(tmp_path: Path, name: str, url: str) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True)
    token = TOKEN if url.startswith("http") else None
    return Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=url, token=token)
    )


def _chat(ws: Workspace, name: str, topic: str) -> str:
    history = ChatHistory(ws.data_dir / "chatbot.db", host=name)
    conversation = history.start(topic)
    history.add(conversation.id, "user", topic)
    history.add(conversation.id, "assistant", f"an answer about {topic}")
    return conversation.id


def _backup_in_child(ws: Workspace) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sync", "backup", "--json"],
        cwd=ROOT,
        env=cli_env(ws),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _conversations_in_latest(tmp_path: Path, url: str) -> dict[str, int]:
    fresh = _instance(tmp_path, "fresh", url)
    restore(fresh, "latest")
    history = ChatHistory(fresh.data_dir / "chatbot.db")
    return {c.id: c.messages for c in history.conversations()}


def test_ten_rounds_of_two_writers_with_kills_lose_no_conversation(
    tmp_path: Path, remote_url: str
) -> None:
    one, two = _instance(tmp_path, "one", remote_url), _instance(tmp_path, "two", remote_url)
    written = [_chat(one, "one", "the first conversation")]
    backup(one)
    startup_restore(two)
    pick = random.Random(15)
    for round_ in range(10):
        written += [_chat(one, "one", f"one's round {round_}"), _chat(two, "two", f"two {round_}")]
        child = _backup_in_child(two)
        errors: list[Exception] = []
        worker = threading.Thread(target=_backup_quietly, args=(one, errors))
        worker.start()
        # Both keep chatting while their backups snapshot and merge.
        chatting = [_chat(one, "one", f"one, during round {round_}")]
        if round_ % 3 == 1:  # killed somewhere in the middle: that round's backup never lands
            threading.Event().wait(pick.uniform(0.05, 1.5))
            child.send_signal(signal.SIGKILL)
        chatting.append(_chat(two, "two", f"two, during round {round_}"))
        written += chatting
        child.wait(timeout=120)
        worker.join(timeout=120)
        assert not errors, errors
    for instance in (one, two, one):  # the last writer merges everyone's rows in
        backup(instance)

    latest = _conversations_in_latest(tmp_path, remote_url)
    assert set(written) <= set(latest)
    assert len(latest) == len(written) == 41
    assert set(latest.values()) == {2}


def _backup_quietly(ws: Workspace, errors: list[Exception]) -> None:
    try:
        backup(ws)
    except Busy:
        pass  # a killed child's lock was just released: the next round saves it
    except Exception as exc:  # noqa: BLE001 - reported to the test thread
        errors.append(exc)


def test_a_restore_on_one_while_the_other_backs_up_loses_nothing(
    tmp_path: Path, remote_url: str
) -> None:
    one, two = _instance(tmp_path, "one", remote_url), _instance(tmp_path, "two", remote_url)
    early = _chat(one, "one", "before everything")
    point = backup(one)
    startup_restore(two)
    later = [_chat(one, "one", "after the restore point"), _chat(two, "two", "on two")]
    backup(one)
    rows = [_chat(two, "two", f"busy {i}") for i in range(3)]

    errors: list[Exception] = []
    worker = threading.Thread(target=_backup_quietly, args=(two, errors))
    worker.start()
    restored = restore(one, point.commit)  # one rolls back while two backs up
    worker.join(timeout=120)
    assert not errors, errors
    assert restored.safety_backup is None  # one's data was all backed up already
    assert {c.id for c in ChatHistory(one.data_dir / "chatbot.db").conversations()} == {early}

    backup(two)  # two's next backup merges whatever the restore commit lacks
    latest = _conversations_in_latest(tmp_path, remote_url)
    assert {early, *later, *rows} <= set(latest)


def test_files_one_instance_did_not_touch_keep_the_others_version(
    tmp_path: Path, remote_url: str
) -> None:
    one, two = _instance(tmp_path, "one", remote_url), _instance(tmp_path, "two", remote_url)
    for name in ("wiki.md", "old.md", "both.md", "gone-here.md"):
        (one.data_dir / name).write_text(f"{name}, first version")
    _chat(one, "one", "hello")
    backup(one)
    startup_restore(two)
    (two.data_dir / "wiki.md").write_text("wiki.md, edited on two")  # one never touches it
    (two.data_dir / "new.md").write_text("added on two")
    (two.data_dir / "old.md").unlink()
    (two.data_dir / "both.md").write_text("both.md, two's edit")
    (two.data_dir / "gone-here.md").write_text("gone-here.md, edited on two")
    backup(two)
    (one.data_dir / "both.md").write_text("both.md, one's later edit")  # the last writer
    (one.data_dir / "gone-here.md").unlink()  # deleted here, but two changed it since
    _chat(one, "one", "one keeps chatting")
    result = backup(one)

    assert result.changed == ("both.md", "chatbot.db")  # against two's backup
    fresh = _instance(tmp_path, "fresh", remote_url)
    restore(fresh, "latest")
    files = {p.name: p.read_text() for p in fresh.data_dir.glob("*.md")}
    assert files == {
        "wiki.md": "wiki.md, edited on two",
        "new.md": "added on two",
        "both.md": "both.md, one's later edit",
        "gone-here.md": "gone-here.md, edited on two",
    }
    assert len(ChatHistory(fresh.data_dir / "chatbot.db").conversations()) == 2
    assert backup(one).status == "unchanged"  # one's own files are as it saved them


def test_an_unchanged_backup_on_the_others_tip_does_not_hide_its_changes_later(
    tmp_path: Path, remote_url: str
) -> None:
    """ "Back up now" with nothing new records the other's tip as this host's commit;
    the next real backup must still merge its rows and keep its files."""
    one, two = _instance(tmp_path, "one", remote_url), _instance(tmp_path, "two", remote_url)
    (one.data_dir / "wiki.md").write_text("first")
    _chat(one, "one", "hello")
    backup(one)
    startup_restore(two)
    theirs = _chat(two, "two", "from two")
    (two.data_dir / "wiki.md").write_text("edited on two")
    pushed = backup(two)
    one.fetch()  # as the remote watch does: the cache now knows two's backup
    quiet = backup(one)  # merges two's rows in, and has nothing of its own to add
    assert (quiet.status, quiet.merged) == ("unchanged", ("chatbot.db",))
    assert load_state(one.state_file).commit == pushed.commit  # two's tip, one's files
    mine = _chat(one, "one", "one, later")
    assert backup(one).status == "created"

    fresh = _instance(tmp_path, "fresh", remote_url)
    restore(fresh, "latest")
    assert (fresh.data_dir / "wiki.md").read_text() == "edited on two"
    ids = {c.id for c in ChatHistory(fresh.data_dir / "chatbot.db").conversations()}
    assert {theirs, mine} <= ids
