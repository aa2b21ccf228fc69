"""Without git-lfs, Kura refuses instead of committing raw blobs or writing pointers."""

import os
import shutil
from pathlib import Path

import pytest

from sync import backup, restore
from sync.errors import LfsMissing
from tests.conftest import files_of, git


@pytest.fixture
def no_lfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin-without-lfs"
    bin_dir.mkdir()
    for tool in ("git", "sh", "env"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_backup_refuses_and_commits_nothing(ws, no_lfs, remote) -> None:
    (ws.data_dir / "a.bin").write_bytes(b"a" * 5000)
    with pytest.raises(LfsMissing) as error:
        backup(ws)
    assert error.value.code == "lfs_missing"
    assert "apt-get install git-lfs" in error.value.message
    assert git("branch", "--list", cwd=remote.git_dir) == ""


def test_restore_refuses_and_leaves_the_data(ws, make_workspace, monkeypatch, tmp_path) -> None:
    (ws.data_dir / "a.bin").write_bytes(b"a" * 5000)
    point = backup(ws)
    other = make_workspace("other")
    (other.data_dir / "mine.txt").write_text("live")
    bin_dir = tmp_path / "bin2"
    bin_dir.mkdir()
    os.symlink(shutil.which("git"), bin_dir / "git")
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(LfsMissing):
        restore(other, point.commit)
    assert files_of(other.data_dir) == {"mine.txt": b"live"}
