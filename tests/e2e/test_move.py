"""The way out of a spent quota in a real browser: the card, the confirmation, the move."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from config import Settings
from sync import Workspace, backup, history
from tests.conftest import git
from tests.e2e.conftest import launch, log_in, screenshot


def test_a_move_from_the_admin_page(page: Page, tmp_path: Path, bare_remote: Path) -> None:
    writer_root = tmp_path / "writer"
    (writer_root / "data").mkdir(parents=True)
    writer = Workspace(
        Settings(
            data_dir=writer_root / "data", home=writer_root / ".kura", data_repo=str(bare_remote)
        )
    )
    for n in range(3):
        (writer.data_dir / f"page {n}.bin").write_bytes(os.urandom(4000))
        backup(writer, message=f"backup {n}")
    fresh = tmp_path / "fresh.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(fresh))
    env = {"LFS_QUOTA_GB": "0.00001", "MOVE_DATA_REPO": str(fresh)}

    with launch(tmp_path / "app", remote=str(bare_remote), env=env) as server:
        log_in(page, server.url)
        expect(page.get_by_text("GitHub never frees Git LFS storage in place")).to_be_visible()
        expect(page.get_by_text("A move would keep 3 backups")).to_be_visible()
        screenshot(page, "quota-move")
        page.get_by_role("button", name=f"Move backups to {fresh}").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text(f"Kura writes 3 backups into {fresh}")).to_be_visible()
        dialog.get_by_role("button", name="Move", exact=True).click()
        expect(page.get_by_text("Moved 3 backups to").first).to_be_visible(timeout=60_000)

    assert git("log", "--format=%s", "main", cwd=fresh).split("\n")[:3] == [
        "backup 2",
        "backup 1",
        "backup 0",
    ]
    assert history(writer)[0].kind == "moved"
