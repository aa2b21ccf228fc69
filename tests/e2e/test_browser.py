"""The app in a real browser: login, admin page, back up now, restore (deep links and
sessions: test_sessions.py)."""

import re
import time
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from sync import backup, history
from tests.conftest import fast_import_history, message_ids, write_db
from tests.e2e.conftest import PASSWORD, Server, log_in, screenshot

ROW_HEIGHT = 35


def test_wrong_password_then_right(page: Page, server: Server) -> None:
    page.goto(server.url)
    page.get_by_label("Password", exact=True).fill("パスワード")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect password.")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Ask the wiki")).to_be_visible()


def test_admin_page_back_up_now_and_restore_the_oldest(page: Page, server: Server) -> None:
    ws = server.workspace
    db = ws.data_dir / "notes.db"
    write_db(db, range(3))
    oldest = backup(ws, message="oldest")
    write_db(db, range(3, 6))
    backup(ws, message="middle")
    write_db(db, range(6, 9))

    log_in(page, server.url)
    expect(page.get_by_text("Unsaved changes: yes")).to_be_visible()
    expect(page.get_by_text("Select a row")).to_be_visible()
    page.wait_for_timeout(1000)  # let the tables and chart draw
    screenshot(page, "admin")

    page.get_by_label("Note for this backup (optional)").fill("from the browser")
    page.get_by_test_id("stForm").get_by_role("button", name="Back up now").click()
    expect(page.get_by_text("Backed up 3 files (").first).to_be_visible()  # + chat and wiki dbs
    assert history(ws)[0].message == "from the browser"

    # The new backup starts new history tables (a selection must not shift to another
    # row): wait until the oldest backup's hour table counts every backup of its hour.
    backups = history(ws)
    hour = backups[-1].date.astimezone(UTC).strftime("%H")  # the browser's zone: UTC
    rows = sum(
        b.date.astimezone(UTC).strftime("%Y%m%d%H")
        == backups[-1].date.astimezone(UTC).strftime("%Y%m%d%H")
        for b in backups
    )
    label = f"{hour}:00–{hour}:59 · {rows} backup" + ("s" if rows > 1 else "")
    expect(page.get_by_text(label)).to_be_visible()
    # The first column holds the row selectors; the last table's last row is the oldest
    # backup. A table still being drawn (or replaced) drops a click: click until it picks.
    picked = page.get_by_text(f"Restore point: {oldest.commit[:8]}")
    for _ in range(10):
        try:
            grid = page.locator('[data-testid="stDataFrame"]').last  # the oldest hour's
            grid.scroll_into_view_if_needed()
            grid.click(position={"x": 18, "y": ROW_HEIGHT * rows + ROW_HEIGHT / 2})
            picked.wait_for(timeout=3000)
            break
        except PlaywrightError:  # timeouts included
            continue
    expect(picked).to_be_visible()

    page.get_by_role("button", name="Restore…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("notes.db")).to_be_visible()
    screenshot(page, "restore-dialog")
    dialog.get_by_role("button", name=f"Restore {oldest.commit[:8]}").click()
    expect(page.get_by_role("button", name="Undo restore")).to_be_visible()
    # The restore made a new newest backup: no row or restore point nobody picked.
    expect(page.get_by_text("Restore point:")).to_have_count(0)
    expect(page.get_by_role("button", name="Restore…")).to_have_count(0)

    assert message_ids(db) == [0, 1, 2]
    screenshot(page, "after-restore")


@pytest.mark.server_env({"AUTO_BACKUP_MINUTES": "0.05"})
def test_the_server_backs_up_a_change_on_its_own(page: Page, server: Server) -> None:
    ws = server.workspace
    page.goto(server.url)  # the first page load starts the scheduler
    expect(page.get_by_role("heading", name="Log in to Kura")).to_be_visible()
    (ws.data_dir / "notes.txt").write_text("written while nobody is logged in")
    deadline = time.monotonic() + 30
    while not history(ws) and time.monotonic() < deadline:
        time.sleep(0.5)
    backups = history(ws)
    assert [b.kind for b in backups] == ["auto"]
    time.sleep(7)  # two more intervals with nothing changed
    assert len(history(ws)) == 1, "no empty backups"


def test_ask_the_wiki_in_the_browser(page: Page, server: Server) -> None:
    from chatbot.knowledge import KnowledgeBase
    from chatbot.parsing import parse

    kb = KnowledgeBase(server.workspace.data_dir / "wiki.db")
    kb.add(
        parse(
            "restore.md",
            "# Restoring\n\n## Before\n\nMake sure nobody is importing documents.\n\n"
            "## Steps\n\nPick a restore point in the history table, "
            "then confirm in the dialog. A safety backup is taken first.\n\n"
            "## After\n\nThe chat reloads its history.",
        ),
        size=100,
    )
    page.goto(server.url)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_placeholder("Ask a question about the wiki").fill("How do I restore a backup?")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Pick a restore point in the history table").first).to_be_visible()
    page.get_by_role("button", name="[1] Restoring › Steps · restore.md").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Make sure nobody is importing documents.")).to_be_visible()
    expect(dialog.get_by_text("Pick a restore point in the history table")).to_be_visible()
    expect(dialog.get_by_text("The chat reloads its history.")).to_be_visible()
    screenshot(page, "chat")


@pytest.mark.server_env({"AUTO_BACKUP_MINUTES": "30", "REMOTE_WATCH_SECONDS": "600"})
def test_times_are_in_the_viewers_timezone(browser: Browser, server: Server) -> None:
    """A viewer in Tokyo sees every time in JST, the zone named; the server runs in UTC:
    the last backup, the next automatic one and the remote's last check alike."""
    ws = server.workspace
    write_db(ws.data_dir / "notes.db", range(3))
    backup(ws, message="in Tokyo's evening")
    made = history(ws)[0]
    write_db(ws.data_dir / "notes.db", range(3, 5))  # unsaved: an automatic backup is due
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    try:
        log_in(page, server.url)
        tokyo = made.date.astimezone(ZoneInfo("Asia/Tokyo"))
        expect(page.get_by_text(f"{tokyo:%Y-%m-%d %H:%M:%S} JST")).to_be_visible()
        expect(page.get_by_text("next at ")).to_be_visible()
        checked = page.get_by_text("Remote checked ")
        for _ in range(30):  # the watch's first check lands after the page was drawn
            if checked.count():
                break
            page.get_by_role("link", name="Knowledge").click()
            page.get_by_role("link", name="Admin").click()
            page.get_by_role("heading", name="Backups and data").wait_for()
        expect(checked).to_be_visible()
        expect(page.get_by_text("UTC")).to_have_count(0)
        shown = page.inner_text("body")
        times = re.findall(r"\d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})?", shown)
        assert times and all(found.endswith(" JST") for found in times), times
    finally:
        context.close()


def test_backups_are_grouped_by_day_and_hour_and_a_pick_is_one_click(
    page: Page, server: Server
) -> None:
    """A backup a day: a table per day's hour. A row picked in one table and then a row in
    another: the second click alone makes the pick."""
    ws = server.workspace
    fast_import_history(ws, 3)  # four backups, four days
    backups = history(ws)
    log_in(page, server.url)
    for backup_ in backups:
        day = backup_.date.astimezone(UTC)
        expect(page.get_by_text(f"{day:%A}, {day.day} {day:%B} {day.year}")).to_be_visible()
    expect(page.get_by_text(" · 1 backup")).to_have_count(len(backups))
    for index in (0, 2):
        picked = page.get_by_text(f"Restore point: {backups[index].short}")
        for _ in range(10):  # a table still being drawn drops a click
            try:
                grid = page.locator('[data-testid="stDataFrame"]').nth(1 + index)
                grid.scroll_into_view_if_needed()
                grid.click(position={"x": 18, "y": ROW_HEIGHT * 1.5})
                picked.wait_for(timeout=3000)
                break
            except PlaywrightError:
                continue
        expect(picked).to_be_visible()
    page.get_by_role("button", name="Restore…").click()
    expect(page.get_by_role("dialog").get_by_text(backups[2].short).first).to_be_visible()
