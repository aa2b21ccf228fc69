"""Backups held until someone decides: the admin page's own words and actions, never a
command to run."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from config import Settings
from sync import Workspace, backup, history, restore, status
from tests.app.conftest import open_admin, shown
from tests.conftest import git


def _warnings(at: AppTest) -> str:
    return shown("\n".join(w.value for w in at.warning))


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()


def test_a_restore_that_was_not_recorded_is_recorded_with_one_button(
    admin: AppTest, app_env: Workspace, bare_remote: Path
) -> None:
    (app_env.data_dir / "notes.txt").write_text("old")
    first = backup(app_env).commit
    (app_env.data_dir / "notes.txt").write_text("new")
    backup(app_env)
    hook = bare_remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    assert restore(app_env, first).status == "unrecorded"
    hook.unlink()

    open_admin(admin)
    assert not admin.exception
    assert "is not recorded as the newest backup yet" in _warnings(admin)
    assert "python -m" not in _warnings(admin)
    assert not admin.error  # one explanation, not a failure card beside it
    _click(admin, "Record it now")
    assert not admin.exception
    newest = history(app_env)[0]
    assert newest.kind == "restore" and newest.restored == first
    assert status(app_env).restore_unrecorded is None and status(app_env).last_failure is None
    assert "not recorded" not in _warnings(admin)


def _replaced_history(app_env: Workspace, bare_remote: Path, tmp_path: Path) -> None:
    """This instance backed up; then the remote's branch was replaced by another's."""
    (app_env.data_dir / "mine.txt").write_text("mine")
    backup(app_env)
    git("update-ref", "-d", "refs/heads/main", cwd=bare_remote)
    other = Workspace(
        Settings(data_dir=tmp_path / "o", home=tmp_path / ".o", data_repo=str(bare_remote))
    )
    other.data_dir.mkdir()
    (other.data_dir / "theirs.txt").write_text("theirs")
    backup(other)
    (app_env.data_dir / "mine.txt").write_text("mine, changed")
    try:
        backup(app_env, kind="auto")
    except Exception as exc:  # noqa: BLE001 - the refusal under test
        assert getattr(exc, "code", None) == "restore_first"


def test_held_backups_restore_the_latest_after_a_confirmation(
    admin: AppTest, app_env: Workspace, bare_remote: Path, tmp_path: Path
) -> None:
    _replaced_history(app_env, bare_remote, tmp_path)
    open_admin(admin)
    assert "Backups are held" in _warnings(admin) and "python -m" not in _warnings(admin)
    assert not any(b.label == "Retry the backup" for b in admin.button)
    _click(admin, "Restore the latest backup")
    assert (app_env.data_dir / "mine.txt").exists()  # nothing happens before the confirmation
    [confirm] = [b for b in admin.button if b.label == "Restore the latest backup" and b.key]
    confirm.click()
    admin.run()
    assert not admin.exception
    assert sorted(p.name for p in app_env.data_dir.iterdir()) == ["theirs.txt"]
    assert "Backups are held" not in _warnings(admin)


def test_held_backups_back_up_on_top_after_a_confirmation(
    admin: AppTest, app_env: Workspace, bare_remote: Path, tmp_path: Path
) -> None:
    _replaced_history(app_env, bare_remote, tmp_path)
    open_admin(admin)
    _click(admin, "Back up on top anyway")
    [confirm] = [b for b in admin.button if b.label == "Back up on top anyway" and b.key]
    confirm.click()
    admin.run()
    assert not admin.exception
    newest = history(app_env)[0]
    assert newest.kind == "manual" and len(history(app_env)) == 2  # on top: theirs kept
    assert "Backups are held" not in _warnings(admin)
