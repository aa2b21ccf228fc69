"""A hostile data repository: links, escaping paths, odd attributes. Nothing lands outside."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sync import backup, restore
from sync.errors import VerificationFailed
from sync.layout.stored import FORMAT_MARK
from tests.conftest import files_of, git


def _git_in(repo: Path, *args: str, input: bytes | None = None) -> str:
    env = {**os.environ, "GIT_DIR": str(repo)}
    done = subprocess.run(["git", *args], env=env, input=input, capture_output=True, check=True)
    return done.stdout.decode().strip()


def _commit_tree(repo: Path, entries: list[tuple[str, str, bytes]], parent: str) -> str:
    """A commit whose data/ tree holds exactly `entries` (mode, name, content), built raw."""
    lines = []
    for mode, name, content in entries:
        blob = _git_in(repo, "hash-object", "-w", "--stdin", input=content)
        lines.append(f"{mode} blob {blob}\t{name}")
    # --literally-style raw tree: mktree refuses nothing that matters here except "/"
    data_tree = _git_in(repo, "mktree", input=("\n".join(lines) + "\n").encode())
    attributes = _git_in(
        repo, "hash-object", "-w", "--stdin", input=b"* filter=evil\ndata/** -filter\n"
    )
    root = _git_in(
        repo,
        "mktree",
        input=f"040000 tree {data_tree}\tdata\n100644 blob {attributes}\t.gitattributes\n".encode(),
    )
    commit = _git_in(repo, "commit-tree", root, "-p", parent, "-m", "hostile")
    _git_in(repo, "update-ref", "refs/heads/main", commit)
    return commit


@pytest.fixture
def seeded(ws, remote):
    (ws.data_dir / "keep.txt").write_text("mine")
    return backup(ws), remote.git_dir


@pytest.mark.parametrize(
    "entries",
    [
        [("120000", "passwd", b"/etc/passwd")],
        [("120000", "up", b"../../..")],
        [("160000", "module", b"")],
    ],
    ids=["symlink-to-etc", "symlink-up", "submodule"],
)
def test_links_and_submodules_are_refused(ws, seeded, entries, tmp_path: Path) -> None:
    point, repo = seeded
    if entries[0][0] == "160000":
        # a gitlink names a commit, not a blob
        root = _git_in(repo, "mktree", input=f"160000 commit {point.commit}\tmodule\n".encode())
        tree = _git_in(repo, "mktree", input=f"040000 tree {root}\tdata\n".encode())
        commit = _git_in(repo, "commit-tree", tree, "-p", point.commit, "-m", "submodule")
        _git_in(repo, "update-ref", "refs/heads/main", commit)
    else:
        commit = _commit_tree(repo, [*entries, ("100644", "ok.txt", b"ok")], point.commit)
    before = files_of(ws.data_dir)
    with pytest.raises(VerificationFailed, match="only regular files"):
        restore(ws, commit)
    assert files_of(ws.data_dir) == before
    assert not ws.staging_dir.exists()
    assert not any(p.is_symlink() for p in ws.data_dir.parent.rglob("*"))


def test_escaping_paths_are_refused(ws, seeded) -> None:
    point, repo = seeded
    content = _git_in(repo, "hash-object", "-w", "--stdin", input=b"pwned")
    # git's own tools will not write "..", so write the tree object byte by byte
    raw = b"100644 ..\0" + bytes.fromhex(content)
    evil = _git_in(repo, "hash-object", "-t", "tree", "-w", "--stdin", "--literally", input=raw)
    data = _git_in(repo, "mktree", input=f"040000 tree {evil}\tsub\n".encode())
    root = _git_in(repo, "mktree", input=f"040000 tree {data}\tdata\n".encode())
    commit = _git_in(repo, "commit-tree", root, "-p", point.commit, "-m", "escape")
    _git_in(repo, "update-ref", "refs/heads/main", commit)
    with pytest.raises(VerificationFailed):
        restore(ws, commit)
    assert not (ws.data_dir.parent / "sub").exists()
    assert files_of(ws.data_dir) == {"keep.txt": b"mine"}


def test_odd_attributes_change_nothing(ws, seeded) -> None:
    point, repo = seeded
    commit = _commit_tree(repo, [("100644", "plain.txt", b"raw, not LFS")], point.commit)
    result = restore(ws, commit)
    assert result.status == "restored"
    assert files_of(ws.data_dir) == {"plain.txt": b"raw, not LFS"}


def test_backup_never_follows_links_out(ws, remote, tmp_path: Path) -> None:
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("outside")
    (ws.data_dir / "real.txt").write_text("inside")
    os.symlink(secret, ws.data_dir / "link.txt")
    os.symlink(tmp_path, ws.data_dir / "linkdir")
    result = backup(ws)
    names = git("ls-tree", "-r", "--name-only", result.commit, cwd=remote.git_dir).split()
    assert [n for n in names if n.startswith("data/") and n != FORMAT_MARK] == ["data/real.txt"]
