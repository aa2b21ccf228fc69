"""Logins that outlive the page: a server-side session behind an HttpOnly cookie, in a real
browser against a real server, and every way that session ends."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PASSWORD, Server, launch, screenshot
from web.sessions import SessionStore

COOKIE = "kura_session"
CHAT, ADMIN, KNOWLEDGE = "Ask the wiki", "Backups and data", "Knowledge base"
LOGIN = "Log in to Kura"
# The app's navigation (each link also holds its icon's name), never the raw module list.
NAVIGATION = [re.compile(f"{title}$") for title in ("Chat", "Knowledge", "Admin")]


@pytest.fixture
def browser(browser: Browser) -> Iterator[Browser]:
    """The session's browser; every context a test opens is closed after it."""
    before = set(browser.contexts)
    yield browser
    for context in set(browser.contexts) - before:
        context.close()


def log_in_here(page: Page, password: str = PASSWORD) -> None:
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def shows(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.wait_for_timeout(300)  # a late "Page not found" box would show by now
    assert "Page not found" not in page.locator("body").inner_text()


def session_cookie(context: BrowserContext) -> dict:
    cookies = {c["name"]: c for c in context.cookies()}
    assert COOKIE in cookies, "no session cookie after logging in"
    return cookies[COOKIE]


def logged_in_context(browser: Browser, url: str, page_path: str = "") -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{url}/{page_path}")
    log_in_here(page)
    shows(page, ADMIN if page_path == "admin" else CHAT)
    wait_for_cookie(page.context)
    return page


def wait_for_cookie(context: BrowserContext) -> None:
    deadline = time.monotonic() + 10
    while not any(c["name"] == COOKIE for c in context.cookies()):
        assert time.monotonic() < deadline, "the page never fetched its session cookie"
        time.sleep(0.1)


def test_a_fresh_servers_first_visit_to_admin_then_reload_tab_and_bookmark(
    page: Page, server: Server
) -> None:
    (server.workspace.data_dir / "secret-file-name.txt").write_text("x")
    page.goto(f"{server.url}/admin")  # the very first request this server sees
    shows(page, LOGIN)
    body = page.locator("body").inner_text()
    assert ADMIN not in body and "secret-file-name" not in body  # nothing before the login
    screenshot(page, "login")
    log_in_here(page)
    shows(page, ADMIN)  # on the page the address named, in the real app
    assert page.url == f"{server.url}/admin"
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link")).to_have_text(NAVIGATION)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    wait_for_cookie(page.context)
    cookie = session_cookie(page.context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on 127.0.0.1
    assert cookie["expires"] > time.time() + 6 * 86400  # lives as long as the session may
    assert cookie["value"] not in page.content()

    page.reload()
    shows(page, ADMIN)
    expect(nav.get_by_role("link")).to_have_text(NAVIGATION)
    second = page.context.new_page()
    second.goto(f"{server.url}/knowledge")
    shows(second, KNOWLEDGE)
    bookmark = page.context.new_page()
    bookmark.goto(f"{server.url}/admin")
    shows(bookmark, ADMIN)
    expect(bookmark.get_by_role("button", name="Log out")).to_be_visible()


def test_logout_ends_the_session_everywhere(browser: Browser, server: Server) -> None:
    page = logged_in_context(browser, server.url)
    old = session_cookie(page.context)
    other_tab = page.context.new_page()
    other_tab.goto(f"{server.url}/admin")
    shows(other_tab, ADMIN)

    page.get_by_role("button", name="Log out").click()
    shows(page, LOGIN)
    deadline = time.monotonic() + 10
    while any(c["name"] == COOKIE for c in page.context.cookies()):
        assert time.monotonic() < deadline, "logout left the cookie in the browser"
        time.sleep(0.1)
    other_tab.reload()
    shows(other_tab, LOGIN)

    replay = browser.new_context()
    replay.add_cookies([{"name": COOKIE, "value": old["value"], "url": server.url}])
    replayed = replay.new_page()
    replayed.goto(f"{server.url}/admin")
    shows(replayed, LOGIN)
    assert "Backups and data" not in replayed.locator("body").inner_text()


def test_a_tampered_or_foreign_cookie_gets_the_login_form(browser: Browser, server: Server):
    real = session_cookie(logged_in_context(browser, server.url).context)["value"]
    for forged in (real[:-2] + "xy", "x" * 4000, "%00%ff"):
        context = browser.new_context()
        context.add_cookies([{"name": COOKIE, "value": forged, "url": server.url}])
        visitor = context.new_page()
        visitor.goto(f"{server.url}/admin")
        shows(visitor, LOGIN)
    log_in_here(visitor)  # the form works, and leads to the page asked for
    shows(visitor, ADMIN)


def test_a_restart_keeps_sessions_and_a_new_password_ends_them(
    browser: Browser, tmp_path: Path, bare_remote: Path
) -> None:
    with launch(tmp_path, remote=str(bare_remote)) as first:
        page = logged_in_context(browser, first.url)
        cookie = session_cookie(page.context)
    with launch(tmp_path, remote=str(bare_remote)) as same_password:
        shows_with(browser, cookie, same_password.url, ADMIN)
    with launch(tmp_path, remote=str(bare_remote), env={"SHARED_PASSWORD": "new"}) as changed:
        visitor = shows_with(browser, cookie, changed.url, LOGIN)
        log_in_here(visitor, "new")
        shows(visitor, ADMIN)


def shows_with(browser: Browser, cookie: dict, url: str, heading: str) -> Page:
    """A new browser holding `cookie`, on the server now at `url` (a new port)."""
    context = browser.new_context()
    context.add_cookies([{"name": COOKIE, "value": cookie["value"], "url": url}])
    page = context.new_page()
    page.goto(f"{url}/admin")
    shows(page, heading)
    return page


@pytest.mark.server_env({"SESSION_IDLE_MINUTES": "0.1"})  # 6 s: a slow reload still fits
def test_an_idle_session_expires(browser: Browser, server: Server) -> None:
    page = logged_in_context(browser, server.url, "admin")
    page.reload()
    shows(page, ADMIN)
    time.sleep(8)
    page.reload()
    shows(page, LOGIN)
    log_in_here(page)
    shows(page, ADMIN)


def test_twenty_concurrent_sessions_stay_independent(browser: Browser, server: Server) -> None:
    pages = [browser.new_context().new_page() for _ in range(20)]
    for page in pages:  # one after the other: twenty pages loading at once only thrash 2 cores
        page.goto(server.url)
        log_in_here(page)
    for page in pages:
        expect(page.get_by_role("heading", name=CHAT)).to_be_visible()
        wait_for_cookie(page.context)
    assert len({session_cookie(page.context)["value"] for page in pages}) == 20
    store = SessionStore(
        server.workspace.settings.home / "sessions.db", idle_seconds=3600, max_age_seconds=86400
    )
    assert store.count() == 20
    for page in pages[:10]:
        page.get_by_role("button", name="Log out").click()
    for page in pages[:10]:
        expect(page.get_by_role("heading", name=LOGIN)).to_be_visible()
    assert store.count() == 10
    for page in pages[10:]:  # a rerun checks the session on the server again
        page.get_by_role("link", name="Knowledge").click()
    for page in pages[10:]:
        expect(page.get_by_role("heading", name=KNOWLEDGE)).to_be_visible()
    for page in (pages[0], pages[-1]):  # and a new page load goes by the cookie
        page.reload()
    shows(pages[0], LOGIN)
    shows(pages[-1], KNOWLEDGE)
