"""A restore cut off at any point: the next command finishes it or leaves the old data."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync import backup, restore, status
from sync.actions.restore import journal_for, verify_staging
from sync.layout.staging import stage
from sync.layout.stored import read_data_files
from sync.local.journal import Journal, write_journal
from sync.repo.locking import is_locked
from tests.conftest import files_of, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_states(ws):
    """Backups `old` and `new` with different file sets; the data is at `new`."""
    (ws.data_dir / "keep.txt").write_text("old keep")
    (ws.data_dir / "only-old.bin").write_bytes(os.urandom(2_000_000))
    old = backup(ws, message="old")
    old_files = files_of(ws.data_dir)
    (ws.data_dir / "only-old.bin").unlink()
    (ws.data_dir / "keep.txt").write_text("new keep")
    (ws.data_dir / "only-new.bin").write_bytes(os.urandom(3_000_000))
    new = backup(ws, message="new")
    return old, old_files, new, files_of(ws.data_dir)


def _staged_journal(ws, commit: str) -> Journal:
    target = read_data_files(ws.git, commit)
    staging, _ = stage(ws, commit, target)
    verify_staging(staging, target)
    journal = journal_for(ws, commit, target)
    write_journal(ws.journal_file, journal)
    return journal


def test_killed_while_staging_leaves_the_old_data(ws, two_states) -> None:
    old, _, _, new_files = two_states
    stage(ws, old.commit, read_data_files(ws.git, old.commit))  # no journal yet
    status(ws)  # any command recovers first
    assert files_of(ws.data_dir) == new_files
    assert not ws.staging_dir.exists()


def test_killed_after_the_journal_finishes_the_restore(ws, two_states) -> None:
    old, old_files, _, _ = two_states
    _staged_journal(ws, old.commit)
    status(ws)
    assert files_of(ws.data_dir) == old_files
    assert not ws.journal_file.exists() and not ws.staging_dir.exists()
    assert status(ws).dirty is False


def test_killed_between_the_two_renames_finishes_the_restore(ws, two_states) -> None:
    old, old_files, _, _ = two_states
    journal = _staged_journal(ws, old.commit)
    os.rename(ws.data_dir, journal.retired)  # the fallback path's first step
    assert not ws.data_dir.exists()
    status(ws)
    assert files_of(ws.data_dir) == old_files
    assert not journal.retired.exists()


def test_killed_after_the_swap_only_cleans_up(ws, two_states) -> None:
    old, old_files, _, _ = two_states
    journal = _staged_journal(ws, old.commit)
    os.rename(ws.data_dir, journal.retired)
    os.rename(ws.staging_dir, ws.data_dir)
    status(ws)
    assert files_of(ws.data_dir) == old_files
    assert not journal.retired.exists() and not ws.journal_file.exists()


def _restore_in_child(ws, commit: str) -> subprocess.Popen:
    code = (
        "import sys; from config import Settings; from sync import Workspace, restore; "
        "from pathlib import Path; "
        "restore(Workspace(Settings(data_dir=Path(sys.argv[1]), home=Path(sys.argv[2]), "
        "data_repo=sys.argv[3], token=os.environ.get('GITHUB_TOKEN'))), sys.argv[4])"
    )
    args = [str(ws.data_dir), str(ws.home), ws.remote_url, commit]
    env = {**os.environ, "GITHUB_TOKEN": ws.settings.token or ""}
    return subprocess.Popen([sys.executable, "-c", "import os; " + code, *args], cwd=ROOT, env=env)


def test_sigkill_at_random_points_of_a_restore(ws, two_states) -> None:
    old, old_files, new, new_files = two_states
    started = time.monotonic()
    child = _restore_in_child(ws, old.commit)
    assert child.wait(timeout=60) == 0
    duration = time.monotonic() - started
    assert files_of(ws.data_dir) == old_files
    restore(ws, new.commit)

    outcomes = set()
    rng = random.Random(7)
    for attempt in range(8):
        target, target_files = (old, old_files) if attempt % 2 == 0 else (new, new_files)
        before = files_of(ws.data_dir)
        child = _restore_in_child(ws, target.commit)
        time.sleep(rng.uniform(0.05, duration))
        child.send_signal(signal.SIGKILL)
        child.wait()
        # A git process the restore was starting holds a copy of its lock until it execs
        # (milliseconds): a command then is busy and recovers nothing, rightly.
        wait_until(lambda: not is_locked(ws.lock_file))
        status(ws)  # the next command recovers
        after = files_of(ws.data_dir)
        assert after in (before, target_files), "data must be wholly old or wholly new"
        assert not ws.staging_dir.exists() and not ws.journal_file.exists()
        outcomes.add("new" if after == target_files and after != before else "old")
        restore(ws, target.commit)  # whatever happened, the next restore works
        assert files_of(ws.data_dir) == target_files
    assert outcomes  # at least one kill landed; which side depends on timing


def test_stale_git_locks_of_a_killed_process_are_cleared(ws, two_states) -> None:
    old, old_files, _, _ = two_states
    for lock in ("refs/remotes/origin/main.lock", "index.lock", "packed-refs.lock"):
        (ws.cache_dir / lock).parent.mkdir(parents=True, exist_ok=True)
        (ws.cache_dir / lock).write_text("")
    restore(ws, old.commit)  # fetches, which a leftover ref lock would refuse
    assert files_of(ws.data_dir) == old_files
    assert not list(ws.cache_dir.rglob("*.lock"))


def test_scratch_left_by_a_killed_backup_is_removed(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    left = ws.home / "snapshot-k1ll3d"
    left.mkdir()
    (left / "snapshot.db").write_bytes(b"x" * 100_000)  # a database's scratch copy
    kept = ws.home / "extract-in-use"
    kept.mkdir()
    status(ws)  # any command recovers first
    assert not left.exists() and kept.exists()
