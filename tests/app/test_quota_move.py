"""The quota card's way out: what a move keeps, its confirmation, the move itself."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from sync import Workspace, backup, history
from sync.actions.move import plan_move
from tests.app.conftest import open_admin, shown
from tests.conftest import git


def fill(ws: Workspace, count: int) -> None:
    for n in range(count):
        (ws.data_dir / f"page {n}.bin").write_bytes(os.urandom(3000))
        backup(ws, message=f"backup {n}")


def texts(at: AppTest) -> str:
    return shown(" ".join(e.value for e in (*at.caption, *at.info, *at.markdown)))


def test_below_the_warning_no_move_is_offered(admin: AppTest, app_env: Workspace) -> None:
    fill(app_env, 1)
    open_admin(admin)
    assert "Moving to a fresh repository" not in texts(admin)


def test_past_80_percent_the_card_explains_and_says_what_a_move_keeps(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    fill(app_env, 3)
    monkeypatch.setenv("LFS_QUOTA_GB", "0.00001")  # about 10 KiB: the backups fill it
    open_admin(admin)
    said = texts(admin)
    assert "GitHub never frees Git LFS storage in place" in said
    plan = plan_move(app_env, 7)
    assert plan is not None and plan.backups == 3
    assert f"A move would keep {plan.backups} backups" in said
    assert "set MOVE_DATA_REPO to it" in said  # no target yet: how to set one
    assert not [b for b in admin.button if "Move backups" in b.label]


def test_the_move_from_the_page_names_the_url_and_moves(
    admin: AppTest, app_env: Workspace, monkeypatch, tmp_path: Path
) -> None:
    fill(app_env, 3)
    target = tmp_path / "fresh.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(target))
    monkeypatch.setenv("LFS_QUOTA_GB", "0.00001")
    monkeypatch.setenv("MOVE_DATA_REPO", str(target))
    open_admin(admin)
    button = next(b for b in admin.button if shown(b.label) == f"Move backups to {target}")
    button.click().run()
    dialog = shown(" ".join(m.value for m in admin.markdown))
    assert f"Kura writes 3 backups into {target}, which must be empty" in dialog
    admin.button(key="kura_confirm_yes").click().run()
    assert not admin.exception
    moved = git("log", "--format=%s", "main", cwd=target).split("\n")[:3]
    assert moved == ["backup 2", "backup 1", "backup 0"]
    newest = history(app_env)[0]
    assert newest.kind == "moved" and newest.message == f"Backups moved to {target}"


def test_the_marker_is_japanese_on_a_japanese_page(
    admin: AppTest, app_env: Workspace, monkeypatch, tmp_path: Path
) -> None:
    from sync.actions.move import move

    fill(app_env, 2)
    target = tmp_path / "fresh.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(target))
    move(app_env, str(target))
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    open_admin(admin)
    tables = [d.value for d in admin.dataframe if "メッセージ" in d.value.columns]
    notes = [v for table in tables for v in table["メッセージ"]]
    kinds = [v for table in tables for v in table["種類"]]
    assert notes[0] == f"バックアップは {target} へ移転" and kinds[0] == "移転"


def test_the_restore_preview_counts_what_retention_deletes_again(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    from chatbot.history import ChatHistory
    from tests.app.test_admin import pick
    from tests.chatbot.test_retention import chats

    chats(app_env.data_dir / "chatbot.db")  # two of four conversations are months old
    old = backup(app_env, message="before the cleanup")
    ChatHistory(app_env.data_dir / "chatbot.db").cleanup(days=90)
    backup(app_env, message="after the cleanup")
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "90")
    open_admin(admin)
    assert "Conversations untouched for 90 days are deleted after each backup" in texts(admin)
    pick(admin, app_env, old.commit)
    next(b for b in admin.button if b.label == "Restore…").click()
    admin.run()
    said = shown(" ".join(i.value for i in admin.info))
    assert "This backup holds 2 conversations untouched for more than 90 days" in said
