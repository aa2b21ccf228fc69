"""The LFS storage figures come from an index brought up to date with only the new
commits, and always equal a walk of the whole history."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sync import Workspace, backup, history, restore
from sync.actions.storage import storage_usage
from sync.layout.history_index import HistoryIndex
from tests.conftest import git, write_db


def backups(ws: Workspace, rows: range) -> list[str]:
    commits = []
    for n in rows:
        write_db(ws.data_dir / "chatbot.db", range(n * 50, n * 50 + 50))
        (ws.data_dir / f"note-{n % 3}.txt").write_bytes(bytes([n]) * (1000 + n))
        commits.append(backup(ws).commit)
    return commits


def from_scratch(ws: Workspace, tip: str, tmp_path: Path):
    return HistoryIndex(tmp_path / "scratch.db").growth(ws.git, tip, recent=21)


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_incremental_figures_equal_a_walk_of_the_whole_history(
    ws: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = HistoryIndex(ws.history_index_file)
    first = backups(ws, range(4))
    assert index.growth(ws.git, first[-1], recent=21) == from_scratch(ws, first[-1], tmp_path)
    more = backups(ws, range(4, 7))
    caplog.set_level(logging.DEBUG, logger="sync.repo.execute")
    grown = index.growth(ws.git, more[-1], recent=21)
    # Only the three new commits were read: one `git log` of the range since the last tip.
    logs = [r.getMessage() for r in caplog.records if "'log'" in r.getMessage()]
    assert len(logs) == 1 and f"{first[-1]}..{more[-1]}" in logs[0]
    scratch = from_scratch(ws, more[-1], tmp_path / "again")
    assert grown == scratch and grown.backups == 7 and grown.lfs_bytes > 0
    assert [stamp for stamp, _ in grown.recent] == sorted(s for s, _ in grown.recent)
    caplog.clear()
    assert index.growth(ws.git, more[-1], recent=21) == grown
    assert not [r for r in caplog.records if "'log'" in r.getMessage()]  # nothing new


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_another_history_is_indexed_again(make_workspace, tmp_path: Path) -> None:
    """KURA_HOME pointed at another remote: its tip is no descendant of what was indexed."""
    ws = make_workspace("one")
    index = HistoryIndex(tmp_path / "history-index.db")
    tip = backups(ws, range(3))[-1]
    index.growth(ws.git, tip, recent=21)
    git("init", "-q", "--bare", "-b", "main", str(tmp_path / "elsewhere.git"))
    other = make_workspace("two", data_repo=str(tmp_path / "elsewhere.git"))
    other_tip = backups(other, range(10, 12))[-1]
    assert index.growth(other.git, other_tip, recent=21) == from_scratch(other, other_tip, tmp_path)


def test_status_reads_the_index_in_kura_home(ws: Workspace) -> None:
    backups(ws, range(2))
    usage = storage_usage(ws)
    assert usage.backups == 2 and usage.last_growth > 0
    assert ws.history_index_file.is_file() and ws.history_index_file.parent == ws.home
    assert not any(p.name.startswith("history-index") for p in ws.data_dir.iterdir())


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_each_files_last_writer_equals_a_walk_back(make_workspace, tmp_path: Path) -> None:
    """Two instances on one remote: the index's origins of the newest backup are what a
    walk back from it finds, file by file, and a file deleted since has none."""
    from sync.actions.origins import _walk

    one, two = make_workspace("one"), make_workspace("two")
    backups(one, range(3))
    restore(two, "latest")
    (two.data_dir / "note-1.txt").write_text("two's version")
    (two.data_dir / "note-2.txt").unlink()
    twos = backup(two).commit
    (one.data_dir / "other.txt").write_text("one's own file")
    backup(one)
    tip = one.tip()
    index = HistoryIndex(tmp_path / "index.db")
    origins = index.origins(one.git, tip)
    assert origins == _walk(one, tip)
    assert origins["note-1.txt"].commit == twos and "note-2.txt" not in origins
    assert origins["other.txt"].commit == tip


def test_a_fresh_host_knows_the_whole_historys_figures_from_the_newest_backup(
    make_workspace,
) -> None:
    """Every backup says the remote's LFS totals after it (`Kura-Storage`): a cache that
    holds the newest backup alone reports what the writer, with all of history, does."""
    writer = make_workspace("writer")
    backups(writer, range(5))
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    assert fresh.git.is_shallow()
    theirs, mine = storage_usage(writer), storage_usage(fresh)
    assert (mine.lfs_bytes, mine.lfs_objects, mine.backups, mine.last_growth) == (
        theirs.lfs_bytes,
        theirs.lfs_objects,
        theirs.backups,
        theirs.last_growth,
    )
    assert mine.backups == 5 and fresh.git.count_first_parents(fresh.tip()) == 1


@pytest.mark.parametrize("remote", ["local"], indirect=True)
def test_the_first_backup_on_an_older_kuras_newest_backup_takes_history_once(
    make_workspace, remote
) -> None:
    """A newest backup without the trailer (an older Kura): the fresh host's first backup
    reads the whole history once, and writes figures that match a full walk."""
    writer = make_workspace("writer")
    tip = backups(writer, range(4))[-1]
    older = git(
        "commit-tree",
        f"{tip}^{{tree}}",
        "-p",
        tip,
        "-m",
        "Manual backup\n\nKura-Kind: manual",
        cwd=remote.git_dir,
    ).strip()
    git("update-ref", "refs/heads/main", older, cwd=remote.git_dir)
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    (fresh.data_dir / "new.txt").write_text("after the upgrade")
    assert backup(fresh).status == "created"
    assert not fresh.git.is_shallow()  # the history came, once
    history(writer)  # the writer's full cache fetches the two new commits
    mine, full = storage_usage(fresh), storage_usage(writer)
    assert mine.backups == 6
    assert (mine.lfs_bytes, mine.lfs_objects) == (full.lfs_bytes, full.lfs_objects)
    assert mine.backups == full.backups
