"""The app after a start-up restore that failed or found foreign data: held backups, a
banner, retry, start fresh, and pages written meanwhile brought back."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from components.runtime import startup
from sync import Workspace, backup, history, startup_restore
from tests.app.conftest import PASSWORD, log_in, open_admin, settled, shown
from tests.conftest import files_of, wait_until


def _team(ws: Workspace, tmp_path: Path) -> str:
    """The team's backups, made by another host."""
    team = Workspace(
        ws.settings.__class__(
            data_dir=tmp_path / "team" / "data",
            home=tmp_path / "team" / ".kura",
            data_repo=ws.settings.remote,
        )
    )
    team.data_dir.mkdir(parents=True)
    kb = KnowledgeBase(team.data_dir / "wiki.db")
    for name in ("install.md", "restore.md", "login.md"):
        kb.add(parse(name, f"# {name}\n\nThe team's page about {name}."), size=50)
    return backup(team).commit


def _team_then_remote_away(ws: Workspace, tmp_path: Path, remote: Path) -> Path:
    """The team's backups exist, and the remote is unreachable as this host starts."""
    _team(ws, tmp_path)
    away = remote.with_name("away.git")
    remote.rename(away)
    return away


def _texts(at: AppTest) -> str:
    return shown("\n".join(e.value for e in [*at.warning, *at.info, *at.markdown, *at.caption]))


def test_a_failed_start_is_explained_after_login_only_and_retried(
    app: AppTest, app_env: Workspace, bare_remote: Path, tmp_path: Path
) -> None:
    away = _team_then_remote_away(app_env, tmp_path, bare_remote)
    settled(app)
    wait_until(lambda: startup().state.phase == "failed")
    app.run()
    public = _texts(app)
    assert "not been restored" in public and "Log in for details" in public
    assert "GITHUB_DATA_REPO" not in public  # no error details before login

    log_in(app)
    assert "could not be restored" in _texts(app) and "GITHUB_DATA_REPO" in _texts(app)
    retries = [b.label for b in app.button if "Retry" in b.label or "retry" in b.label]
    assert retries == ["Retry now"]  # one story, one Retry
    away.rename(bare_remote)
    next(b for b in app.button if b.label == "Retry now").click()
    settled(app)
    wait_until(lambda: startup().state.phase == "done")
    app.run()
    assert "could not be restored" not in _texts(app)
    assert KnowledgeBase(app_env.data_dir / "wiki.db").documents()


def test_the_admin_page_offers_one_retry_while_the_start_is_held(
    admin: AppTest, app_env: Workspace, bare_remote: Path, tmp_path: Path
) -> None:
    _team_then_remote_away(app_env, tmp_path, bare_remote)
    log_in(admin)
    wait_until(lambda: startup().state.phase == "failed")
    admin.run()
    labels = [b.label for b in admin.button]
    # The page adds no Retry of its own (nor "Retry the backup"): the banner app.py puts
    # above every page has the one (see the test above).
    assert [label for label in labels if "etry" in label] == []
    assert "Restore the latest backup" in labels


def test_pages_written_meanwhile_can_be_imported_again(
    app: AppTest, app_env: Workspace, bare_remote: Path, tmp_path: Path
) -> None:
    away = _team_then_remote_away(app_env, tmp_path, bare_remote)
    log_in(app)
    wait_until(lambda: startup().state.phase == "failed")
    KnowledgeBase(app_env.data_dir / "wiki.db").add(
        parse("meanwhile.md", "# Meanwhile\n\nWritten while the remote was away."), size=60
    )
    away.rename(bare_remote)
    startup().retry_now()
    wait_until(lambda: startup().state.phase == "done")
    settled(app)
    names = {d.name for d in KnowledgeBase(app_env.data_dir / "wiki.db").documents()}
    assert names == {"install.md", "restore.md", "login.md"}  # the team's wiki is back
    assert "1 pages written here" in _texts(app)

    next(b for b in app.button if b.label == "Import them again").click()
    settled(app)
    names = {d.name for d in KnowledgeBase(app_env.data_dir / "wiki.db").documents()}
    assert names == {"install.md", "restore.md", "login.md", "meanwhile.md"}
    assert "Imported 1 pages again." in [t.value for t in app.toast]
    assert "pages written here" not in _texts(app)


def test_foreign_data_is_held_until_an_admin_starts_fresh(
    admin: AppTest, app_env: Workspace, tmp_path: Path
) -> None:
    team = _team(app_env, tmp_path)
    (app_env.data_dir / "mine.md").write_text("this host's own notes")
    log_in(admin)
    wait_until(lambda: startup().state.phase == "diverged")
    admin.run()
    labels = {b.label for b in admin.button}
    assert {"Retry now", "Restore the latest backup", "Start fresh…"} <= labels

    next(b for b in admin.button if b.label == "Start fresh…").click()
    admin.run()
    dialog = _texts(admin)
    assert "The remote holds 1 backups" in dialog and team[:8] in dialog and "1 file (" in dialog
    next(b for b in admin.button if b.label == "Start fresh with this data").click()
    admin.run()
    wait_until(lambda: startup().state.phase == "done")
    [fresh, old] = history(app_env)
    assert old.commit == team and fresh.message == "Start fresh" and fresh.files == 1
    assert files_of(app_env.data_dir) == {"mine.md": b"this host's own notes"}
    assert startup_restore(app_env).outcome == "in_step"


def test_foreign_data_is_explained_after_login(
    app: AppTest, app_env: Workspace, tmp_path: Path
) -> None:
    _team(app_env, tmp_path)
    (app_env.data_dir / "mine.md").write_text("this host's own notes")
    log_in(app)
    wait_until(lambda: startup().state.phase == "diverged")
    app.run()
    assert "never restored" in _texts(app)


def test_the_password_page_stays_quiet_about_paths(app: AppTest) -> None:
    settled(app)
    assert PASSWORD not in _texts(app)
    assert ".kura" not in _texts(app)


def test_a_backup_that_drops_most_data_needs_confirmation(
    admin: AppTest, app_env: Workspace
) -> None:
    for name in ("a.md", "b.md", "c.md"):
        (app_env.data_dir / name).write_text(name)
    first = backup(app_env)
    open_admin(admin)
    for name in ("a.md", "b.md"):
        (app_env.data_dir / name).unlink()
    next(b for b in admin.button if b.label == "Back up now" and b.form_id).click()
    admin.run()
    assert "would drop 2 of its 3 files" in _texts(admin)
    assert [b.commit for b in history(app_env)] == [first.commit]
    next(b for b in admin.button if b.label == "Back up anyway").click()
    admin.run()
    assert not admin.exception
    latest = history(app_env)[0]
    assert latest.commit != first.commit and latest.files == 1
    assert "Back up anyway" not in [b.label for b in admin.button]
