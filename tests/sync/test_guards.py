"""A host must restore before it backs up, and a backup may not silently drop most data."""

import json
import subprocess
import sys

import pytest

from sync import backup, history, restore, startup_restore
from sync.errors import RestoreFirst, ShrinkGuard
from sync.guards import measure_shrink
from tests.conftest import cli_env, files_of, git

MiB = 1024 * 1024


def _team_data(ws) -> str:
    for name in ("one.txt", "two.txt", "three.txt"):
        (ws.data_dir / name).write_text(f"team page {name}")
    (ws.data_dir / "wiki.db").write_bytes(b"w" * (2 * MiB))
    return backup(ws).commit


def _sync(ws, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync", *args, "--json"],
        env=cli_env(ws),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_host_may_not_back_up_over_the_teams_backups(ws, make_workspace) -> None:
    team = _team_data(ws)
    fresh = make_workspace("fresh")
    (fresh.data_dir / "one.txt").write_text("a page written before any restore")
    with pytest.raises(RestoreFirst) as error:
        backup(fresh, kind="auto")
    assert error.value.code == "restore_first"
    assert "restore the latest backup" in error.value.message
    assert [b.commit for b in history(ws)] == [team]


def test_an_empty_fresh_host_is_refused_on_the_command_line_then_forced(ws, make_workspace) -> None:
    team = _team_data(ws)
    fresh = make_workspace("fresh")  # empty data directory, as on a wiped host
    refused = _sync(fresh, "backup")
    assert refused.returncode == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "restore_first"
    assert "--force" in error["message"]
    assert refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
    assert [b.commit for b in history(ws)] == [team]

    fresh.set_restore_pending(True)  # as the start-up attempt marks an empty start
    assert json.loads(_sync(fresh, "status").stdout)["restore_pending"] is True
    forced = _sync(fresh, "backup", "--force", "-m", "start fresh")
    assert forced.returncode == 0, forced.stderr
    result = json.loads(forced.stdout)
    assert result["status"] == "created" and result["files"] == 0
    assert [b.commit for b in history(ws)] == [result["commit"], team]  # history is kept
    assert json.loads(_sync(fresh, "status").stdout)["restore_pending"] is False


def test_a_host_that_restored_backs_up_normally(ws, make_workspace) -> None:
    _team_data(ws)
    other = make_workspace("other")
    startup_restore(other)
    (other.data_dir / "four.txt").write_text("a new page")
    assert backup(other).status == "created"
    (ws.data_dir / "one.txt").write_text("edited on the first host")
    assert backup(ws).status == "created"  # behind the tip, but on the same line: fine


def test_a_host_whose_last_backup_is_not_on_the_remote_is_refused(
    ws, make_workspace, tmp_path
) -> None:
    _team_data(ws)
    # A host that backed up to another remote, then is pointed at the team's.
    other_remote = tmp_path / "other.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(other_remote))
    elsewhere = make_workspace("elsewhere", data_repo=str(other_remote), token=None)
    (elsewhere.data_dir / "x.txt").write_text("x")
    backup(elsewhere)
    moved = make_workspace("elsewhere")  # same home and data, the team's remote
    (moved.data_dir / "x.txt").write_text("changed")
    with pytest.raises(RestoreFirst):
        backup(moved)


def test_a_remote_without_backups_accepts_the_first_backup(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    assert backup(ws).status == "created"


def test_losing_most_files_needs_force(ws) -> None:
    _team_data(ws)
    for name in ("one.txt", "two.txt", "three.txt"):
        (ws.data_dir / name).unlink()
    with pytest.raises(ShrinkGuard) as error:
        backup(ws, kind="auto")
    assert error.value.code == "shrink_guard"
    assert "3 of its 4 files" in error.value.message
    assert len(history(ws)) == 1
    assert backup(ws, force=True).files == 1


def test_losing_most_bytes_needs_force(ws) -> None:
    _team_data(ws)
    (ws.data_dir / "wiki.db").write_bytes(b"w" * 1000)  # 2 MiB → 1 kB, every file still there
    with pytest.raises(ShrinkGuard):
        backup(ws)
    result = _sync(ws, "backup", "--force")
    assert json.loads(result.stdout)["status"] == "created"


def test_an_emptied_data_directory_needs_force(ws) -> None:
    (ws.data_dir / "only.txt").write_text("the one page")
    backup(ws)
    (ws.data_dir / "only.txt").unlink()
    refused = _sync(ws, "backup")
    assert json.loads(refused.stdout)["error"]["code"] == "shrink_guard"


def test_ordinary_deletions_and_growth_back_up(ws) -> None:
    _team_data(ws)
    (ws.data_dir / "one.txt").unlink()  # 1 of 4 files
    (ws.data_dir / "wiki.db").write_bytes(b"w" * MiB)  # half the bytes
    assert backup(ws).status == "created"


def test_a_restore_to_a_small_backup_is_not_a_shrink(ws) -> None:
    (ws.data_dir / "one.txt").write_text("first")
    small = backup(ws)
    _team_data(ws)
    result = restore(ws, small.commit)  # deliberate: no confirmation beyond the restore's
    assert result.status == "restored"
    assert files_of(ws.data_dir) == {"one.txt": b"first"}
    assert history(ws)[0].message == f"Restore of {small.commit[:8]}"


@pytest.mark.parametrize(
    ("before", "after", "sudden"),
    [
        ({}, {}, False),
        ({"a": 1}, {}, True),
        ({"a": 1, "b": 1}, {"a": 1}, False),  # half is not "more than half"
        ({"a": 1, "b": 1, "c": 1}, {"a": 1}, True),
        ({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1}, False),
        ({"a": 10 * MiB}, {"a": MiB + 1}, False),
        ({"a": 10 * MiB}, {"a": MiB - 1}, True),
        ({"a": MiB - 1}, {"a": 1}, False),  # too small for the byte rule to mean anything
        ({"a": 1}, {"a": 1, "b": 1}, False),
    ],
)
def test_the_shrink_rule(before, after, sudden) -> None:
    assert measure_shrink(before, after).is_sudden is sudden
