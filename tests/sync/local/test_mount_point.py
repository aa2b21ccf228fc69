"""Restores into a data directory that is a mount point: real tmpfs mounts in a private
mount namespace (the tests run as root), KURA_HOME on a filesystem of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="mount namespaces need root and unshare (CI runs as root)",
)


def _scenario(name: str, root: Path) -> dict:
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            sys.executable,
            "-m",
            "tests.sync.local.mount_scenarios",
            name,
            str(root),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_restore_into_a_mount_point_swaps_its_contents(tmp_path: Path) -> None:
    result = _scenario("restore_into_mount", tmp_path)
    assert result["same"], result["files"]  # exactly the backup: no stale or unsaved file
    assert result["entries"] == ["chatbot.db", "lost+found", "wiki"]  # nothing of Kura's left
    assert result["same_device"]  # still the mounted volume, not a directory beside it
    assert result["safety_backup"]  # the unsaved file is kept in a pre-restore backup
    assert result["dirty"] is False


def test_a_bind_mount_from_the_same_filesystem_is_a_mount_point_too(tmp_path: Path) -> None:
    result = _scenario("restore_into_bind_mount", tmp_path)
    assert result == {"same_device": True, "same": True, "in_volume": True}


def test_sigkill_during_such_restores_is_finished_by_the_next_command(tmp_path: Path) -> None:
    outcomes = _scenario("killed_during_restore", tmp_path)["outcomes"]
    # Killed anywhere in a restore: the data is wholly one backup, never a mix, and no
    # staging, retired entries or marker are left in the volume.
    assert len(outcomes) == 10 and all(o.rsplit(" ", 1)[1] in ("old", "new") for o in outcomes)
    assert any(not o.startswith("finished") for o in outcomes), outcomes


def test_each_cut_off_state_of_the_swap_is_rolled_forward(tmp_path: Path) -> None:
    results = _scenario("interrupted_swap", tmp_path)
    for state, result in results.items():
        assert result == {"same": True, "leftovers": [], "journal": False}, state


def test_a_read_only_mount_is_refused_and_nothing_is_touched(tmp_path: Path) -> None:
    result = _scenario("read_only_mount", tmp_path)
    assert result["untouched"]
    assert result["error"]["code"] == "sync_failed"
    message = result["error"]["message"]
    assert "read-only file system" in message and "mount it read-write" in message
    assert "\n" not in message


def test_a_full_volume_is_refused_and_nothing_is_touched(tmp_path: Path) -> None:
    result = _scenario("full_volume", tmp_path)
    assert result["untouched"] and result["leftovers"] == []
    assert "Not enough disk space" in result["error"]["message"]
