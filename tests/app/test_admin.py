import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from components.history_table import RESTORE_POINT
from sync import Workspace, backup, history
from tests.app.conftest import log_in
from tests.conftest import message_ids, write_db


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    return "\n".join(parts)


def test_admin_page_shows_status_files_and_history(app: AppTest, app_env: Workspace) -> None:
    write_db(app_env.data_dir / "chatbot.db", range(10))
    (app_env.data_dir / "notes.txt").write_text("hello")
    first = backup(app_env, message="first backup")
    (app_env.data_dir / "notes.txt").write_text("hello again")
    second = backup(app_env, message="second backup")

    log_in(app)

    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Unsaved changes"] == "none"
    assert metrics["Auto-backup"] == "off"
    assert metrics["Last backup"] in ("now", "a second ago", "2 seconds ago")
    where = _texts(app)
    assert f"`{app_env.remote_url}`" in where and "`main`" in where and "installed" in where
    files, backups = app.dataframe[0].value, app.dataframe[1].value
    assert sorted(files["Path"]) == ["chatbot.db", "notes.txt"]
    assert list(backups["Commit"]) == [second.commit[:8], first.commit[:8]]
    assert list(backups["Message"]) == ["second backup", "first backup"]
    assert list(backups["Kind"]) == ["manual", "manual"]


def test_back_up_now(app: AppTest, app_env: Workspace) -> None:
    (app_env.data_dir / "a.txt").write_text("a")
    log_in(app)
    assert {m.label: m.value for m in app.metric}["Unsaved changes"] == "yes"
    app.text_input[0].input("from the admin page")
    next(b for b in app.button if b.label == "Back up now" and b.form_id).click()
    app.run()
    assert not app.exception
    [only] = history(app_env)
    assert only.message == "from the admin page"
    assert {m.label: m.value for m in app.metric}["Unsaved changes"] == "none"
    assert any("Backed up 1 file (" in toast.value for toast in app.toast)


def test_pick_a_restore_point_restore_and_undo(app: AppTest, app_env: Workspace) -> None:
    db = app_env.data_dir / "chatbot.db"
    write_db(db, range(5))
    old = backup(app_env, message="old")
    write_db(db, range(5, 9))
    backup(app_env, message="new")
    write_db(db, range(9, 12))  # unsaved: a safety backup must come first
    log_in(app)

    app.session_state[RESTORE_POINT] = old.commit
    app.run()
    assert f"Restore point: {old.commit[:8]}" in _texts(app)
    next(b for b in app.button if b.label == "Restore…").click()
    app.run()
    dialog_text = _texts(app)
    assert "chatbot.db" in dialog_text and "changed" in dialog_text
    assert any("safety backup" in w.value for w in app.warning)
    confirm = next(b for b in app.button if b.label == f"Restore {old.commit[:8]}")
    confirm.click()
    app.run()

    assert not app.exception
    assert message_ids(db) == list(range(5))
    kinds = [b.kind for b in history(app_env)]
    assert "pre-restore" in kinds

    undo = next(b for b in app.button if b.label == "Undo restore")
    undo.click()
    app.run()
    assert not app.exception
    assert message_ids(db) == list(range(12))
    assert not [b for b in app.button if b.label == "Undo restore"]


def test_engine_errors_show_as_one_line(app: AppTest, app_env: Workspace, monkeypatch) -> None:
    (app_env.data_dir / "big.bin").write_bytes(b"x" * 300_000)
    monkeypatch.setenv("MAX_FILE_SIZE_MB", "0.1")
    log_in(app)
    assert any("near MAX_FILE_SIZE_MB" in w.value for w in app.warning)
    next(b for b in app.button if b.label == "Back up now" and b.form_id).click()
    app.run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "big.bin" in error and "MAX_FILE_SIZE_MB" in error
    assert "\n" not in error and "Traceback" not in error


def test_japanese_interface(app: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    app.run()
    assert [e.value for e in app.title] == ["Kura にログイン"]


def test_cached_connections_are_reopened_after_a_restore(app: AppTest, app_env: Workspace) -> None:
    from components.data_resources import database

    db = app_env.data_dir / "chatbot.db"
    write_db(db, range(2))
    old = backup(app_env, message="old")
    write_db(db, range(2, 4))
    backup(app_env, message="new")
    log_in(app)
    before = database(str(db))
    assert before.execute("SELECT count(*) FROM messages").fetchone() == (4,)

    app.session_state[RESTORE_POINT] = old.commit
    app.run()
    next(b for b in app.button if b.label == "Restore…").click()
    app.run()
    next(b for b in app.button if b.label == f"Restore {old.commit[:8]}").click()
    app.run()

    after = database(str(db))
    assert after is not before
    assert after.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    with pytest.raises(sqlite3.ProgrammingError):
        before.execute("SELECT 1")  # the old connection was closed
