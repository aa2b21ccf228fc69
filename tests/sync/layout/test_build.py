"""Writing a backup's blobs: many into one pack, a few loose."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sync.layout.build import PACKED_FROM, write_blobs
from sync.repo.git import Git


def blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def objects(git: Git) -> tuple[int, int]:
    """(loose objects, packs) in the repository."""
    root = git.git_dir / "objects"
    loose = sum(len(os.listdir(d)) for d in root.iterdir() if len(d.name) == 2)
    packs = sum(1 for p in (root / "pack").iterdir() if p.suffix == ".pack")
    return loose, packs


def test_many_blobs_go_into_one_pack_with_their_ids_in_order(tmp_path: Path) -> None:
    git = Git(tmp_path / "repo.git")
    git.init(branch="main")
    contents = [b"kura-piece 1\n%d %s\n" % (n, os.urandom(40).hex().encode()) for n in range(300)]
    contents.append(contents[0])  # the same content twice: one object, its id twice
    ids = write_blobs(git, tmp_path, contents)
    assert ids == [blob_id(c) for c in contents]
    assert objects(git) == (0, 1)
    assert git.cat_blobs(ids[:3]) == {i: c for i, c in zip(ids[:3], contents[:3], strict=True)}


def test_a_few_blobs_stay_loose(tmp_path: Path) -> None:
    git = Git(tmp_path / "repo.git")
    git.init(branch="main")
    contents = [b"piece %d" % n for n in range(PACKED_FROM - 1)]
    assert write_blobs(git, tmp_path, contents) == [blob_id(c) for c in contents]
    assert objects(git) == (PACKED_FROM - 1, 0)
