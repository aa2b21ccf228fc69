import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import clock
from components.history_table import RESTORE_POINT
from components.i18n import ago
from sync import SyncError, Workspace, backup, history, restore
from tests.app.conftest import log_in, open_admin, shown
from tests.conftest import fast_import_history, message_ids, write_db


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    return shown("\n".join(parts))


def test_admin_page_shows_status_files_and_history(admin: AppTest, app_env: Workspace) -> None:
    write_db(app_env.data_dir / "chatbot.db", range(10))
    (app_env.data_dir / "notes.txt").write_text("hello")
    first = backup(app_env, message="first backup")
    (app_env.data_dir / "notes.txt").write_text("hello again")
    second = backup(app_env, message="second backup")

    open_admin(admin)

    assert not admin.exception
    metrics = {m.label: m.value for m in admin.metric}
    assert metrics["Unsaved changes"] == "none"
    assert metrics["Auto-backup"] == "off"
    assert metrics["Last backup"] in ("now", "a second ago", "2 seconds ago")
    where = _texts(admin)
    assert f"`{app_env.remote_url}`" in where and "`main`" in where and "installed" in where
    files, backups = admin.dataframe[0].value, admin.dataframe[1].value
    assert sorted(files["Path"]) == ["chatbot.db", "notes.txt"]
    assert list(backups["Commit"]) == [second.commit[:8], first.commit[:8]]
    assert list(backups["Message"]) == ["second backup", "first backup"]
    assert list(backups["Kind"]) == ["manual", "manual"]


def test_back_up_now(admin: AppTest, app_env: Workspace) -> None:
    (app_env.data_dir / "a.txt").write_text("a")
    open_admin(admin)
    assert {m.label: m.value for m in admin.metric}["Unsaved changes"] == "yes"
    admin.text_input[0].input("from the admin page")
    next(b for b in admin.button if b.label == "Back up now" and b.form_id).click()
    admin.run()
    assert not admin.exception
    [only] = history(app_env)
    assert only.message == "from the admin page"
    assert {m.label: m.value for m in admin.metric}["Unsaved changes"] == "none"
    assert any("Backed up 1 file (" in toast.value for toast in admin.toast)
    assert any("; uploaded " in toast.value for toast in admin.toast)  # what it cost
    [table] = [d.value for d in admin.dataframe if "Uploaded" in d.value.columns]
    assert table["Uploaded"][0].endswith("Bytes") or table["Uploaded"][0].endswith("KiB")


def pick(admin: AppTest, ws: Workspace, commit: str) -> None:
    """What selecting the backup's row in the history table does."""
    admin.session_state[RESTORE_POINT] = (history(ws)[0].commit, commit)
    admin.run()


def test_a_picked_backups_files_are_listed_each_with_its_download(
    admin: AppTest, app_env: Workspace
) -> None:
    from components.backup_files import _bytes

    (app_env.data_dir / "notes").mkdir()
    (app_env.data_dir / "notes" / "plan.txt").write_text("the old plan")
    old = backup(app_env, message="old")
    (app_env.data_dir / "notes" / "plan.txt").write_text("the new plan, longer")
    backup(app_env, message="new")
    open_admin(admin)
    pick(admin, app_env, old.commit)
    [listing] = [e for e in admin.expander if e.label == f"Files in backup {old.commit[:8]}"]
    assert "`notes/plan.txt`" in [m.value for m in listing.markdown]
    buttons = admin.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download"]
    assert _bytes(app_env, old.commit, "notes/plan.txt") == b"the old plan"  # what it sends


def test_pick_a_restore_point_restore_and_undo(admin: AppTest, app_env: Workspace) -> None:
    db = app_env.data_dir / "chatbot.db"
    write_db(db, range(5))
    old = backup(app_env, message="old")
    write_db(db, range(5, 9))
    backup(app_env, message="new")
    write_db(db, range(9, 12))  # unsaved: a safety backup must come first
    open_admin(admin)

    pick(admin, app_env, old.commit)
    assert f"Restore point: {old.commit[:8]}" in _texts(admin)
    next(b for b in admin.button if b.label == "Restore…").click()
    admin.run()
    dialog_text = _texts(admin)
    assert "chatbot.db" in dialog_text and "changed" in dialog_text
    assert any("safety backup" in w.value for w in admin.warning)
    confirm = next(b for b in admin.button if b.label == f"Restore {old.commit[:8]}")
    confirm.click()
    admin.run()

    assert not admin.exception
    assert message_ids(db) == list(range(5))
    kinds = [b.kind for b in history(app_env)]
    assert "pre-restore" in kinds
    assert "Restore point:" not in _texts(admin), "the newest backup moved: the pick is cleared"

    undo = next(b for b in admin.button if b.label == "Undo restore")
    undo.click()
    admin.run()
    assert not admin.exception
    assert message_ids(db) == list(range(12))
    assert not [b for b in admin.button if b.label == "Undo restore"]


def test_engine_errors_show_as_one_line(admin: AppTest, app_env: Workspace, monkeypatch) -> None:
    (app_env.data_dir / "big.bin").write_bytes(b"x" * 300_000)
    monkeypatch.setenv("MAX_FILE_SIZE_MB", "0.1")
    open_admin(admin)
    assert any("near MAX_FILE_SIZE_MB" in w.value for w in admin.warning)
    next(b for b in admin.button if b.label == "Back up now" and b.form_id).click()
    admin.run()
    assert not admin.exception
    [error] = [shown(e.value) for e in admin.error]
    assert "big.bin" in error and "MAX_FILE_SIZE_MB" in error
    assert "\n" not in error and "Traceback" not in error
    # The progress box ends as what happened, open: never still titled "Backing up…".
    statuses = [(s.proto.label, s.proto.icon, s.proto.expanded) for s in admin.get("status")]
    assert statuses == [("Backup failed", ":material/error:", True)]


def test_japanese_interface(admin: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    admin.run()
    assert [e.value for e in admin.title] == ["Kura にログイン"]


def test_cached_connections_are_reopened_after_a_restore(
    admin: AppTest, app_env: Workspace
) -> None:
    from components.data_resources import database

    db = app_env.data_dir / "chatbot.db"
    write_db(db, range(2))
    old = backup(app_env, message="old")
    write_db(db, range(2, 4))
    backup(app_env, message="new")
    open_admin(admin)
    before = database(str(db))
    assert before.execute("SELECT count(*) FROM messages").fetchone() == (4,)

    pick(admin, app_env, old.commit)
    next(b for b in admin.button if b.label == "Restore…").click()
    admin.run()
    next(b for b in admin.button if b.label == f"Restore {old.commit[:8]}").click()
    admin.run()

    after = database(str(db))
    assert after is not before
    assert after.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    with pytest.raises(sqlite3.ProgrammingError):
        before.execute("SELECT 1")  # the old connection was closed


def test_a_newer_backup_from_another_instance_is_shown_and_loaded(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    from config import Settings
    from sync.actions.startup import startup_restore

    monkeypatch.setenv("REMOTE_WATCH_SECONDS", "3600")  # one look, right after start-up
    (app_env.data_dir / "notes.txt").write_text("ours")
    backup(app_env)
    root = app_env.home.parent / "other"
    other = Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=app_env.remote_url)
    )
    other.data_dir.mkdir(parents=True)
    startup_restore(other)
    (other.data_dir / "wiki.md").write_text("written on the other instance")
    pushed = backup(other, kind="auto")

    open_admin(admin)
    deadline = time.monotonic() + 30
    while not any(b.label == "Load it" for b in admin.button) and time.monotonic() < deadline:
        time.sleep(0.2)
        admin.run()
    [notice] = [i.value for i in admin.info if "newer backup" in i.value]
    assert f"A newer backup from {other.instance_name} holds 1 file" in notice
    assert "auto · wiki.md" in notice
    assert any(c.value.startswith("Remote checked ") for c in admin.caption)

    next(b for b in admin.button if b.label == "Load it").click()
    admin.run()
    assert not admin.exception
    assert (app_env.data_dir / "wiki.md").read_text() == "written on the other instance"
    assert not any(b.label == "Load it" for b in admin.button)
    files = admin.dataframe[0].value
    origin = dict(zip(files["Path"], files["Latest backup from"], strict=True))
    assert origin["wiki.md"].endswith(f"auto · {pushed.commit[:8]}")
    # Two instances on one machine, told apart; this one marked.
    assert other.instance_name != app_env.instance_name
    assert origin["notes.txt"].startswith(f"{app_env.instance_name} (this instance) · manual · ")


def test_every_message_in_both_languages_and_a_japanese_history(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    from components.i18n import MESSAGES

    missing = [k for k, m in MESSAGES.items() if not (m.get("en") and m.get("ja"))]
    assert missing == []
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    write_db(app_env.data_dir / "notes.db", range(2))
    backup(app_env)  # Kura's own note, "Manual backup"
    write_db(app_env.data_dir / "notes.db", range(2, 4))
    backup(app_env, message="before the upgrade")
    open_admin(admin)
    tables = [d.value for d in admin.dataframe if "メッセージ" in d.value.columns]
    column = lambda name: [v for table in tables for v in table[name]]  # noqa: E731
    assert column("メッセージ") == ["before the upgrade", "手動バックアップ"]
    assert column("種類") == ["手動", "手動"]
    assert all(d.endswith(" UTC") for d in column("日時"))  # no browser has said its zone
    assert set(column("ホスト")) == {f"{app_env.instance_name}(このインスタンス)"}


def test_kuras_own_values_and_notes_are_japanese_on_a_japanese_page(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    """Kinds, "now", and the notes Kura writes about another backup, translated where
    they are shown: the stored history stays in one language for every instance."""
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    write_db(app_env.data_dir / "notes.db", range(2))
    first = backup(app_env)
    write_db(app_env.data_dir / "notes.db", range(2, 4))
    backup(app_env)
    write_db(app_env.data_dir / "notes.db", range(4, 6))  # unsaved: a safety backup first
    restore(app_env, first.commit)
    open_admin(admin)
    tables = [d.value for d in admin.dataframe if "メッセージ" in d.value.columns]
    notes = [v for table in tables for v in table["メッセージ"]]
    assert f"{first.commit[:8]} を復元する前の保全バックアップ" in notes
    assert not [n for n in notes if "Safety" in n or "Restore" in n]
    [files] = [d.value for d in admin.dataframe if "パス" in d.value.columns]
    assert "now" not in set(files["更新"])
    assert ago(datetime.now(UTC)) == "たった今"  # humanize's ja_JP says "now"
    origins = list(files["最新バックアップの出所"])
    assert all(" · 復元 · " in origin for origin in origins), origins


def shown_notes(admin: AppTest) -> list[str]:
    """The notes of every history table on the page (one table per hour), top to bottom."""
    tables = [d.value for d in admin.dataframe if "Message" in d.value.columns]
    return [note for table in tables for note in table["Message"]]


def test_a_few_backups_are_shown_under_their_day_and_hour(
    admin: AppTest, app_env: Workspace
) -> None:
    fast_import_history(app_env, 3)  # four backups, a day apart
    open_admin(admin)
    assert shown_notes(admin) == ["note 2", "note 1", "note 0", "kura's own"]
    headings = [m.value.strip("*") for m in admin.markdown]
    captions = [c.value for c in admin.caption]
    for backup_ in history(app_env, refresh=False):
        moment = backup_.date.astimezone(UTC)  # no browser has said its zone
        assert clock.day_label(moment.date()) in headings
        assert f"{moment:%H}:00–{moment:%H}:59 · 1 backup" in captions


def test_a_long_history_is_paged_searched_and_jumped_through(
    admin: AppTest, app_env: Workspace
) -> None:
    fast_import_history(app_env, 60)  # 61 backups: the newest first, 50 a page
    open_admin(admin)
    notes = shown_notes(admin)
    assert len(notes) == 50 and notes[0] == "note 59" and notes[-1] == "note 10"
    # A backup a day: fifty hours' tables would be too many, so the page is one table.
    assert len([d for d in admin.dataframe if "Message" in d.value.columns]) == 1
    next(b for b in admin.button if b.label == "Older").click().run()
    assert shown_notes(admin) == [*(f"note {n}" for n in range(9, -1, -1)), "kura's own"]
    assert "Backups 51–61" in [c.value for c in admin.caption]
    next(b for b in admin.button if b.label == "Newer").click().run()
    assert shown_notes(admin)[0] == "note 59"

    next(i for i in admin.text_input if i.label == "Search the notes").input("note 3").run()
    assert shown_notes(admin) == [
        "note 39",
        "note 38",
        "note 37",
        "note 36",
        "note 35",
        "note 34",
        "note 33",
        "note 32",
        "note 31",
        "note 30",
        "note 3",
    ]
    next(i for i in admin.text_input if i.label == "Search the notes").input("").run()
    day = (datetime.now(UTC) - timedelta(days=55)).date()  # "note 5" and older
    admin.date_input(key="kura_history_day").set_value(day).run()
    assert shown_notes(admin)[0] == "note 5"
    admin.date_input(key="kura_history_day").set_value(day - timedelta(days=400)).run()
    assert "No backup matches" in admin.info[0].value


def test_any_session_is_offered_the_undo_of_a_restore_made_elsewhere(
    admin: AppTest, app_env: Workspace
) -> None:
    db = app_env.data_dir / "notes.db"
    write_db(db, range(5))
    old = backup(app_env, message="old")
    write_db(db, range(5, 9))
    newer = backup(app_env, message="newer")
    restore(app_env, old.commit)  # from the command line, or another tab
    open_admin(admin)
    hint = shown(" ".join(i.value for i in admin.info))
    assert f"Restored {old.commit[:8]}. Undo brings back {newer.commit[:8]}." in hint
    next(b for b in admin.button if b.label == "Undo restore").click()
    admin.run()
    assert not admin.exception
    assert message_ids(db) == list(range(9))
    assert history(app_env)[0].kind == "undo"
    assert not [b for b in admin.button if b.label == "Undo restore"]
    notes = shown_notes(admin)  # by what they brought back, not by an id to look up
    assert notes[0].startswith("Undo: back to “newer” (") and notes[1].startswith(
        "Restore of “old” ("
    )


def fail_a_backup(ws: Workspace, tmp_path) -> SyncError:
    """A backup of this host that fails while its remote is away (as another process's
    would: the app learns of it from the operations log); the remote then comes back."""
    (ws.data_dir / "a.txt").write_text("one")
    backup(ws)
    (ws.data_dir / "a.txt").write_text("two")
    remote = Path(ws.settings.remote)
    remote.rename(tmp_path / "away.git")
    try:
        with pytest.raises(SyncError) as failed:
            backup(ws)
    finally:
        (tmp_path / "away.git").rename(remote)
    return failed.value


def test_every_page_s_sidebar_shows_a_failed_backup(app: AppTest, app_env, tmp_path) -> None:
    fail_a_backup(app_env, tmp_path)
    app.run()
    from components.runtime import startup

    startup().wait_settled(timeout=30)
    log_in(app)
    assert "Backup failed" in " ".join(m.value for m in app.sidebar.markdown)


def test_a_failure_is_said_in_japanese_on_a_japanese_page(
    admin: AppTest, app_env: Workspace, tmp_path, monkeypatch
) -> None:
    from components.errors import JA

    monkeypatch.setenv("UI_LANGUAGE", "ja")
    failed = fail_a_backup(app_env, tmp_path)
    open_admin(admin)
    said = " ".join(shown(e.value) for e in admin.error) + " ".join(c.value for c in admin.caption)
    assert JA[failed.code] in said  # the badge's box and Health's caption alike
    assert failed.message not in said  # no English sentence left


def test_every_error_code_has_its_japanese_sentence() -> None:
    from components.errors import JA
    from sync.errors import ERROR_CODES

    assert set(ERROR_CODES) | {"source_refused", "sync_failed", "interrupted"} <= set(JA)


def test_a_failed_backup_stays_visible_to_every_session_until_a_retry_succeeds(
    admin: AppTest, app_env: Workspace, tmp_path
) -> None:
    failed = fail_a_backup(app_env, tmp_path)
    open_admin(admin)  # a new session
    assert {m.label: m.value for m in admin.metric}["Last backup"] == "Failed"
    [error] = [e.value for e in admin.error]
    assert "Backup failed" in shown(error) and failed.message in shown(error)
    next(b for b in admin.button if b.label == "Retry the backup").click()
    admin.run()
    assert not admin.error and not admin.exception
    assert {m.label: m.value for m in admin.metric}["Last backup"] != "Failed"
