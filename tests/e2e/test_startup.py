"""A restart on an empty disk, in a real browser: the progress page while the team's data
comes back, and a remote that is away at start and comes back while someone works."""

import os
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from config import Settings
from sync import Workspace, backup, backup_file, history, status
from tests.conftest import TOKEN, wait_until
from tests.e2e.conftest import PASSWORD, launch, screenshot
from tests.servers.git_http import GitHttpServer

MiB = 1024 * 1024
TEAM_PAGES = {"install.md", "restore.md", "login.md", "faq.md", "glossary.md", "ja/index.md"}


def _team_backup(root: Path, remote: str, token: str | None = None, *, big: int = 0) -> str:
    """The team's wiki (and, for a restore worth watching, a large file) backed up elsewhere."""
    team = Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=remote, token=token)
    )
    team.data_dir.mkdir(parents=True)
    kb = KnowledgeBase(team.data_dir / "wiki.db")
    for name in sorted(TEAM_PAGES):
        kb.add(parse(name, f"# {name}\n\nThe team's page about {name}."), size=40)
    if big:
        (team.data_dir / "chroma.bin").write_bytes(os.urandom(big))
    return backup(team, message="the team's data").commit


def test_visitors_watch_the_start_up_restore_and_then_log_in(
    page: Page, tmp_path: Path, http_server: GitHttpServer
) -> None:
    repo = f"progress-{tmp_path.name[-30:]}"
    http_server.create_repo("team", repo)
    remote = http_server.repo_url("team", repo)
    team = _team_backup(tmp_path / "team", remote, TOKEN, big=24 * MiB)
    http_server.download_rate = 4 * MiB  # about 6 s: long enough to watch
    try:
        with launch(tmp_path / "host", remote=remote, token=TOKEN) as server:
            page.goto(f"{server.url}/admin")  # a bookmark, on a server that just started
            expect(page.get_by_role("heading", name="Restoring the team's data")).to_be_visible()
            expect(page.get_by_text("Downloaded ")).to_be_visible(timeout=15_000)
            screenshot(page, "startup-progress")
            body = page.locator("body").inner_text()
            for raw in ("app\n", "knowledge\n", "login\n"):
                assert raw not in body  # no raw pages/ links
            # It continues on its own, on the page the visitor asked for.
            expect(page.get_by_role("heading", name="Log in to Kura")).to_be_visible(timeout=60_000)
            assert page.url.endswith("/admin")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Backups and data")).to_be_visible()
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            log = server.log.read_text()
            assert "Start-up restore: restoring the latest backup" in log
            assert f"Start-up restore: restored {team[:8]}" in log and " in " in log
            assert TOKEN not in log
    finally:
        http_server.download_rate = 0.0


def test_a_remote_away_at_start_holds_backups_until_it_returns(
    page: Page, tmp_path: Path, bare_remote: Path
) -> None:
    team = _team_backup(tmp_path / "team", str(bare_remote))
    away = bare_remote.with_name("away.git")
    bare_remote.rename(away)  # the remote is unreachable when the host starts
    env = {"AUTO_BACKUP_MINUTES": "0.05"}  # every 3 s
    with launch(tmp_path / "host", remote=str(bare_remote), env=env) as server:
        page.goto(server.url)
        expect(page.get_by_text("not been restored from the backups yet")).to_be_visible(
            timeout=30_000
        )
        assert "GITHUB_DATA_REPO" not in page.locator("body").inner_text()
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("could not be restored from the backups yet")).to_be_visible()
        screenshot(page, "startup-held")

        # Someone works: a page goes into the wiki while the remote is away.
        KnowledgeBase(server.workspace.data_dir / "wiki.db").add(
            parse("meanwhile.md", "# Meanwhile\n\nWritten while the remote was away."), size=60
        )
        time.sleep(8)  # more than two auto-backup intervals
        away.rename(bare_remote)  # the remote comes back
        ws = server.workspace
        wait_until(lambda: "Start-up restore: restored" in server.log.read_text(), 120)

        oldest_first = list(reversed(history(ws)))
        # The team's backup, then the pages written meanwhile kept as a safety backup, then
        # the team's data again on top: nothing was backed up over it while it was away.
        assert oldest_first[0].commit == team
        assert oldest_first[1].kind == "pre-restore"
        assert oldest_first[2].message == f"Restore of {team[:8]}"
        assert all(b.kind == "auto" for b in oldest_first[3:])
        names = {d.name for d in KnowledgeBase(ws.data_dir / "wiki.db").documents()}
        assert names == TEAM_PAGES  # every earlier page is in the data and the latest backup

        page.reload()  # still logged in: the session outlives the page
        expect(page.get_by_text("1 pages written here")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Import them again").click()
        expect(page.get_by_text("Imported 1 pages again.")).to_be_visible()
        names = {d.name for d in KnowledgeBase(ws.data_dir / "wiki.db").documents()}
        assert names == TEAM_PAGES | {"meanwhile.md"}
        wait_until(lambda: not status(ws).dirty, 30)  # released: the auto-backup saves it
        with backup_file(ws, "latest", "wiki.db") as saved:
            names = {d.name for d in KnowledgeBase(saved).documents()}
        assert names == TEAM_PAGES | {"meanwhile.md"}
