"""Restores into a data directory that is a real mount point, run inside a private mount
namespace (`unshare --mount`, as root) by tests/sync/local/test_mount_point.py.

Usage: python -m tests.sync.local.mount_scenarios SCENARIO ROOT
Prints one JSON object: what the test asserts on.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import Settings
from sync import Workspace, backup, restore, status
from sync.errors import SyncError
from sync.local.mount import MARKER, RETIRED, STAGING
from sync.repo.locking import is_locked
from tests.conftest import files_of, git, wait_until

ROOT = Path(__file__).resolve().parents[3]


def _mount(target: Path, *options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    size = next((o for o in options if o.startswith("size=")), "size=64m")
    subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(target)], check=True)


def _workspace(root: Path) -> Workspace:
    remote = root / "remote.git"
    if not remote.exists():
        git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    # KURA_HOME on a filesystem of its own: staging copies from the cache cross devices.
    return Workspace(Settings(data_dir=root / "data", home=root / "home", data_repo=str(remote)))


def _two_backups(ws: Workspace) -> tuple[str, dict[str, bytes]]:
    data = ws.data_dir
    (data / "lost+found").mkdir(exist_ok=True)
    (data / "wiki").mkdir(exist_ok=True)
    (data / "wiki" / "a.md").write_text("first")
    (data / "chatbot.db").write_bytes(os.urandom(300_000))
    first = backup(ws).commit
    wanted = files_of(data)
    (data / "wiki" / "a.md").write_text("second")
    (data / "stale.txt").write_text("not in the first backup")
    (data / "chatbot.db").write_bytes(os.urandom(300_000))
    backup(ws)
    return first, wanted


def restore_into_mount(root: Path) -> dict:
    _mount(root / "data")
    _mount(root / "home")
    ws = _workspace(root)
    device = (root / "data").stat().st_dev
    first, wanted = _two_backups(ws)
    (ws.data_dir / "unsaved.txt").write_text("written after the last backup")
    result = restore(ws, first)
    return {
        "files": sorted(files_of(ws.data_dir)),
        "same": files_of(ws.data_dir) == wanted,
        "entries": sorted(p.name for p in ws.data_dir.iterdir()),
        "same_device": (root / "data").stat().st_dev == device,
        "safety_backup": result.safety_backup is not None,
        "dirty": status(ws).dirty,
    }


def restore_into_bind_mount(root: Path) -> dict:
    """A bind mount from the same filesystem: devices cannot tell it is a mount point."""
    source = root / "volume"
    source.mkdir()
    (root / "data").mkdir()
    subprocess.run(["mount", "--bind", str(source), str(root / "data")], check=True)
    ws = _workspace(root)
    first, wanted = _two_backups(ws)
    restore(ws, first)
    return {
        "same_device": (root / "data").stat().st_dev == root.stat().st_dev,
        "same": files_of(ws.data_dir) == wanted,
        "in_volume": files_of(source) == wanted,
    }


def killed_during_restore(root: Path) -> dict:
    """Restores SIGKILLed at random moments; after each, the next command recovers."""
    _mount(root / "data")
    _mount(root / "home")
    ws = _workspace(root)
    data = ws.data_dir
    for index in range(40):  # many entries: the swap has many steps
        (data / f"page-{index:02d}.md").write_text(f"first {index}")
    (data / "segment.bin").write_bytes(os.urandom(20_000_000))  # staging takes a while
    first = backup(ws).commit
    old = files_of(data)
    for index in range(40):
        (data / f"page-{index:02d}.md").write_text(f"second {index}")
    (data / "segment.bin").write_bytes(os.urandom(20_000_000))
    second = backup(ws).commit
    new = files_of(data)
    env = {
        "PATH": os.environ["PATH"],
        "KURA_DATA_DIR": str(data),
        "KURA_HOME": str(ws.home),
        "GITHUB_DATA_REPO": ws.settings.remote,
    }

    def start(target: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "sync", "restore", target, "--yes", "--json"]
        out = subprocess.DEVNULL
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)

    started = time.monotonic()
    start(first).wait()  # how long a whole restore takes: kills fall anywhere in it
    took = time.monotonic() - started
    pick, outcomes = random.Random(16), []
    for attempt in range(10):
        child = start(second if attempt % 2 == 0 else first)
        time.sleep(pick.uniform(0.05, took * 1.2))
        child.send_signal(signal.SIGKILL)
        finished = child.wait() == 0
        cut_off = ws.journal_file.exists() or (data / STAGING).exists()
        # A git process the restore was starting holds a copy of its lock until it execs.
        wait_until(lambda: not is_locked(ws.lock_file))
        status(ws)  # every command first finishes or undoes a cut-off restore
        now = files_of(data)
        state = "old" if now == old else "new" if now == new else "mixed"
        outcomes.append(f"{'finished' if finished else 'cut off' if cut_off else 'killed'} {state}")
        if _leftovers(data):
            outcomes.append(f"leftover {_leftovers(data)}")
    return {"outcomes": outcomes}


def interrupted_swap(root: Path) -> dict:
    """Each intermediate state of the contents swap, then recovery."""
    from sync.actions.recovery import recover
    from sync.actions.restore import journal_for
    from sync.layout.staging import stage
    from sync.layout.stored import read_data_files
    from sync.local.journal import write_journal

    _mount(root / "data")
    _mount(root / "home")
    ws = _workspace(root)
    first, wanted = _two_backups(ws)
    results = {}
    for state in ("journaled", "half_retired", "retired", "half_moved_in", "cleaned"):
        _reset(ws)
        target = read_data_files(ws.git, first)
        stage(ws, first, target)
        write_journal(ws.journal_file, journal_for(ws, first, target))
        _cut_off(ws.data_dir, state)
        recover(ws)
        results[state] = {
            "same": files_of(ws.data_dir) == wanted,
            "leftovers": sorted(
                {STAGING, RETIRED, MARKER} & {p.name for p in ws.data_dir.iterdir()}
            ),
            "journal": ws.journal_file.exists(),
        }
    return results


def _leftovers(data: Path) -> list[str]:
    return sorted({STAGING, RETIRED, MARKER} & {p.name for p in data.iterdir()})


def _reset(ws: Workspace) -> None:
    """Back to the second backup's data, not yet restored."""
    restore(ws, "latest")


def _cut_off(data: Path, state: str) -> None:
    """Play the swap up to `state`, as a SIGKILL at that moment would leave it."""
    staging, retired, marker = data / STAGING, data / RETIRED, data / MARKER
    if state == "journaled":
        return
    retired.mkdir()
    old = sorted(e for e in data.iterdir() if e.name not in {STAGING, RETIRED, "lost+found"})
    moved = old[: len(old) // 2] if state == "half_retired" else old
    for entry in moved:
        os.rename(entry, retired / entry.name)
    if state == "half_retired":
        return
    marker.touch()
    new = sorted(staging.iterdir())
    for entry in new[: len(new) // 2] if state == "half_moved_in" else new:
        os.rename(entry, data / entry.name)
    if state == "cleaned":
        os.rmdir(staging)
        for entry in sorted(retired.rglob("*"), reverse=True):
            entry.rmdir() if entry.is_dir() else entry.unlink()
        retired.rmdir()
        marker.unlink()


def _refused(ws: Workspace, commit: str) -> dict | None:
    """The error a restore failed with (None: it did not fail)."""
    try:
        restore(ws, commit)
    except SyncError as exc:
        return {"code": exc.code, "message": exc.message}
    return None


def read_only_mount(root: Path) -> dict:
    _mount(root / "data")
    _mount(root / "home")
    ws = _workspace(root)
    first, _ = _two_backups(ws)
    before = files_of(ws.data_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(ws.data_dir)], check=True)
    error = _refused(ws, first)
    return {"error": error, "untouched": files_of(ws.data_dir) == before}


def full_volume(root: Path) -> dict:
    _mount(root / "data", "size=1m")
    _mount(root / "home")
    ws = _workspace(root)
    (ws.data_dir / "big.bin").write_bytes(os.urandom(600_000))
    first = backup(ws).commit
    (ws.data_dir / "big.bin").write_bytes(os.urandom(600_000))
    backup(ws)
    before = files_of(ws.data_dir)
    error = _refused(ws, first)
    leftovers = sorted(p.name for p in ws.data_dir.iterdir() if p.name.startswith(".kura"))
    return {"error": error, "untouched": files_of(ws.data_dir) == before, "leftovers": leftovers}


SCENARIOS = {
    f.__name__: f
    for f in (
        restore_into_mount,
        restore_into_bind_mount,
        killed_during_restore,
        interrupted_swap,
        read_only_mount,
        full_volume,
    )
}

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[1]](Path(sys.argv[2]))))
