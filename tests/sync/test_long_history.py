"""Thousands of backups (made quickly, stored as backups store them): a fresh host reads
the newest alone, an old point fetches that point, and caches stay small and packed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sync import Workspace, restore, status
from sync.content.compact import MIN_WASTE, TIER_LIMIT, pack_uses
from sync.layout.stored import read_data_files
from sync.repo.maintenance import LOOSE_LIMIT, PACK_LIMIT, cache_shape, maintain
from tests.conftest import Remote, message_ids
from tests.sync.long_history import ROWS, make_history, scratch_dir

COUNT = 2000
MB = 1024 * 1024


@pytest.fixture
def commits(remote: Remote, tmp_path: Path) -> list[str]:
    return make_history(remote, scratch_dir(tmp_path), COUNT)


def blobs_in_cache(ws: Workspace) -> set[str]:
    listed = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check"],
        cwd=ws.cache_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return {line.split()[0] for line in listed if " blob " in line}


def blobs_of(ws: Workspace, commit: str) -> set[str]:
    return {e.sha for e in ws.git.ls_tree(commit)}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_a_fresh_host_reads_the_newest_of_thousands_of_backups(
    make_workspace: Callable[..., Workspace], commits: list[str]
) -> None:
    fresh = make_workspace("fresh")
    result = restore(fresh, "latest")
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(COUNT * ROWS))
    assert blobs_in_cache(fresh) <= blobs_of(fresh, commits[-1])  # no older commit's blobs
    uses = pack_uses(f.manifest for f in read_data_files(fresh.git, commits[-1]).values())
    live = sum(u.live for u in uses)
    assert len(uses) <= 2 * TIER_LIMIT + live // MB + 1  # compaction kept the packs few
    assert result.downloaded <= 1.2 * live + MIN_WASTE
    assert du(fresh.home) <= 2 * live + 5 * MB
    assert status(fresh, storage=True).storage.backups == COUNT  # the whole history, offline


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_an_old_point_of_thousands_restores_and_the_cache_stays_packed(
    make_workspace: Callable[..., Workspace], commits: list[str]
) -> None:
    host = make_workspace("old")
    restore(host, "latest")
    restore(host, commits[10])
    assert message_ids(host.data_dir / "chatbot.db") == list(range(11 * ROWS))
    fetched = blobs_in_cache(host) - blobs_of(host, commits[-1]) - blobs_of(host, commits[10])
    restored_on_top = blobs_of(host, host.tip())
    assert fetched <= restored_on_top  # that point, and the "Restore of" commit on top
    shape = maintain(host)  # a partial cache: git cannot repack it geometrically
    assert shape.loose < LOOSE_LIMIT and shape.packs <= PACK_LIMIT
    host.git.repack(packs=PACK_LIMIT + 1, pack_limit=PACK_LIMIT)  # past the limit: all at once
    assert cache_shape(host).packs <= 2  # the promisor pack and the rest
    assert restore(host, commits[-1]).status == "restored"
    assert message_ids(host.data_dir / "chatbot.db") == list(range(COUNT * ROWS))
