import pytest

from sync import backup, diff
from sync.errors import InvalidRef


def test_diff_lists_added_removed_and_changed_with_sizes(ws) -> None:
    (ws.data_dir / "same.txt").write_text("same")
    (ws.data_dir / "edit.txt").write_text("v1")
    (ws.data_dir / "gone.txt").write_text("restored back")
    point = backup(ws)
    (ws.data_dir / "edit.txt").write_text("version 2")
    (ws.data_dir / "gone.txt").unlink()
    (ws.data_dir / "new.txt").write_text("new")
    (ws.data_dir / "same.txt").write_text("same")  # touched, identical

    plan = diff(ws, point.commit[:9])

    assert [(c.path, c.size_before, c.size_after) for c in plan.added] == [("gone.txt", None, 13)]
    assert [(c.path, c.size_before, c.size_after) for c in plan.removed] == [("new.txt", 3, None)]
    assert [(c.path, c.size_before, c.size_after) for c in plan.changed] == [("edit.txt", 9, 2)]


def test_diff_of_the_current_backup_is_empty(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    assert diff(ws, "latest").is_noop


def test_diff_refuses_unknown_commits(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    with pytest.raises(InvalidRef):
        diff(ws, "0" * 40)
