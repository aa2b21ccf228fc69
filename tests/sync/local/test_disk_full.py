"""Disk full while staging a restore: staging is cleaned up, live data untouched."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Settings
from sync import Workspace, backup, restore
from sync.errors import SyncError
from tests.conftest import files_of


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs (the tests run as root, as CI does)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_disk_full_while_staging(make_workspace, remote, small_disk: Path) -> None:
    source = make_workspace("source")
    (source.data_dir / "notes.txt").write_text("small")
    fits = backup(source)
    (source.data_dir / "big.bin").write_bytes(os.urandom(5 * 1024 * 1024))
    too_big = backup(source)

    settings = Settings(
        data_dir=small_disk / "data",
        home=small_disk.parent / "small-home",
        data_repo=remote.url,
        token=remote.token,
    )
    small = Workspace(settings)
    restore(small, fits.commit)
    assert files_of(small.data_dir) == {"notes.txt": b"small"}

    with pytest.raises(SyncError, match="disk space") as error:
        restore(small, too_big.commit)
    assert "not touched" in error.value.message
    assert files_of(small.data_dir) == {"notes.txt": b"small"}
    assert not small.staging_dir.exists()
    assert sorted(p.name for p in small_disk.iterdir()) == ["data"]
