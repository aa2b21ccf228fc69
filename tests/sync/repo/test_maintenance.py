"""The cache stays packed: git's own repack, under the operation lock, after backups."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from sync import Workspace, backup, restore
from sync.background.scheduler import AutoBackup
from sync.errors import Busy
from sync.repo.locking import operation_lock
from sync.repo.maintenance import LOOSE_LIMIT, cache_shape, maintain, maintain_if_due
from tests.conftest import cli_env, message_ids, wait_until, write_db

ROOT = Path(__file__).resolve().parents[3]


def loose_objects(ws: Workspace, count: int) -> None:
    """`count` loose blobs in the cache, written as git writes them (zlib of `blob N\\0…`
    under objects/xx/), fast: what thousands of backups' manifests leave behind."""
    objects = ws.cache_dir / "objects"
    for index in range(count):
        body = f"manifest piece {index} {os.urandom(8).hex()}".encode()
        raw = b"blob %d\0" % len(body) + body
        sha = hashlib.sha1(raw).hexdigest()
        (objects / sha[:2]).mkdir(exist_ok=True)
        (objects / sha[:2] / sha[2:]).write_bytes(zlib.compress(raw))


def backups(ws: Workspace, count: int) -> list[str]:
    commits = []
    for n in range(count):
        write_db(ws.data_dir / "chatbot.db", range(n * 10, n * 10 + 10))
        commits.append(backup(ws).commit)
    return commits


def test_backups_leave_loose_objects_and_maintenance_packs_them(ws: Workspace) -> None:
    first, *_ = backups(ws, 6)
    before = cache_shape(ws)
    assert before.loose > 0
    after = maintain(ws)
    assert after.loose == 0 and after.packs <= 2
    assert restore(ws, first).status == "restored"  # an old point, from the packed cache
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(10))


def test_maintenance_never_runs_during_a_backup(ws: Workspace) -> None:
    backups(ws, 1)
    loose_objects(ws, LOOSE_LIMIT)
    with operation_lock(ws.lock_file):
        with pytest.raises(Busy):
            maintain(ws)
        assert maintain_if_due(ws) is None  # skipped, not waited for
    assert cache_shape(ws).loose >= LOOSE_LIMIT
    assert maintain_if_due(ws) is not None and cache_shape(ws).loose == 0
    assert maintain_if_due(ws) is None  # nothing due any more


def test_the_scheduler_keeps_the_cache_packed(ws: Workspace) -> None:
    backups(ws, 1)
    auto = AutoBackup(
        workspace=ws,
        every_minutes=0.3 / 60,
        poll_seconds=0.05,
        maintain=lambda: maintain_if_due(ws, loose_limit=5),
    ).start()
    try:
        write_db(ws.data_dir / "chatbot.db", range(100, 120))
        wait_until(lambda: auto.state.last_outcome == "created")
        wait_until(lambda: cache_shape(ws).loose == 0)
    finally:
        auto.stop(final_backup=False)


def test_a_command_line_backup_packs_a_cache_past_the_bound(ws: Workspace) -> None:
    backups(ws, 1)
    loose_objects(ws, LOOSE_LIMIT + 10)
    write_db(ws.data_dir / "chatbot.db", range(500, 510))
    done = subprocess.run(
        [sys.executable, "-m", "sync", "backup"], cwd=ROOT, env=cli_env(ws), capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert cache_shape(ws).loose == 0


KILLED_MAINTENANCE = """
from config import load_settings
from sync import Workspace
from sync.repo.maintenance import maintain
ws = Workspace(load_settings(secrets={}))
print("repacking", flush=True)
maintain(ws)
"""


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant, whatever session each one started."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, stack = [], [pid]
    while stack:
        tree.append(stack.pop())
        stack.extend(children.get(tree[-1], []))
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGSTOP)  # none of them may act on another's death
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_a_killed_maintenance_leaves_a_usable_cache(ws: Workspace, tmp_path: Path) -> None:
    """SIGKILL at points spread over a repack of 10,000 loose objects: git writes the new
    pack before it deletes anything, so every cut leaves a cache that backs up and
    restores."""
    first, _ = backups(ws, 2)
    loose_objects(ws, 10_000)
    pristine = tmp_path / "pristine.git"
    shutil.copytree(ws.cache_dir, pristine, copy_function=os.link)
    started = time.monotonic()
    maintain(ws)  # how long a whole repack takes here
    whole = time.monotonic() - started
    for cut in (0.2, 0.5, 0.8):
        shutil.rmtree(ws.cache_dir)
        shutil.copytree(pristine, ws.cache_dir, copy_function=os.link)  # git never rewrites
        runner = subprocess.Popen(
            [sys.executable, "-c", KILLED_MAINTENANCE],
            cwd=ROOT,
            env=cli_env(ws),
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert runner.stdout is not None and runner.stdout.readline() == b"repacking\n"
        time.sleep(whole * cut)  # a point inside the repack, which has begun
        kill_tree(runner.pid)  # git runs in a session of its own: kill it as a crash would
        runner.wait()
        fsck = subprocess.run(
            ["git", "fsck", "--connectivity-only", "--no-dangling"],
            cwd=ws.cache_dir,
            capture_output=True,
            text=True,
        )
        assert fsck.returncode == 0, (cut, fsck.stderr[-500:])
        write_db(ws.data_dir / "chatbot.db", range(900 + int(cut * 10), 901 + int(cut * 10)))
        assert backup(ws).status == "created"
        assert restore(ws, first).status == "restored"
        assert message_ids(ws.data_dir / "chatbot.db") == list(range(10))


def test_a_long_history_is_trimmed_to_the_newest_backups_and_older_ones_still_restore(
    ws: Workspace,
) -> None:
    first, *_ = backups(ws, 13)
    before = cache_size(ws)
    maintain(ws, history_kept=10)  # 13 is not twice 10: nothing dropped
    assert ws.git.count_first_parents(ws.tip()) == 13
    maintain(ws, history_kept=5)
    assert ws.git.is_shallow() and ws.git.count_first_parents(ws.tip()) == 5
    assert cache_size(ws) < before
    assert restore(ws, first).status == "restored"  # fetched again from the remote
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(10))


def cache_size(ws: Workspace) -> int:
    objects = ws.cache_dir / "objects"
    return sum(p.stat().st_size for p in objects.rglob("*") if p.is_file())
