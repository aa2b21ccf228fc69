"""The approach Kura replaces, reimplemented faithfully as the baseline.

Every backup clones the whole data repository into a temporary directory, pulls
every LFS object, copies the data directory over it, commits and pushes. Every
restore clones and pulls, then copies the data back.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def _git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _clone(remote: str, into: Path) -> Path:
    work = into / "repo"
    _git("clone", "--quiet", remote, str(work))
    _git("lfs", "install", "--local", cwd=work)
    has_commits = (
        subprocess.run(
            ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=work, capture_output=True
        ).returncode
        == 0
    )
    if has_commits:
        _git("lfs", "pull", cwd=work)
    return work


def backup(data_dir: Path, remote: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = _clone(remote, Path(tmp))
        _git("lfs", "track", "data/**", cwd=work)
        shutil.copytree(data_dir, work / "data", dirs_exist_ok=True)
        _git("add", "-A", cwd=work)
        unchanged = subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=work).returncode == 0
        if unchanged:
            return  # the guide skipped the commit when `git status` showed nothing
        _git("-c", "user.name=guide", "-c", "user.email=g@g", "commit", "-qm", "Sync", cwd=work)
        _git("push", "--quiet", "origin", "HEAD", cwd=work)


def restore(data_dir: Path, remote: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = _clone(remote, Path(tmp))
        shutil.copytree(work / "data", data_dir, dirs_exist_ok=True)
