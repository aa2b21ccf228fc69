"""The cookie routes over real HTTP: a Starlette app with them, served by uvicorn."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
import uvicorn
from starlette.applications import Starlette

from web.routes import COOKIE, routes
from web.tickets import Tickets


@pytest.fixture(scope="module")
def tickets() -> Tickets:
    return Tickets()


@pytest.fixture(scope="module")
def url(tickets: Tickets) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        Starlette(routes=routes(tickets)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def post(url: str, body: str = "", **headers: str) -> tuple[int, SimpleCookie, str]:
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, head = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, head = error.code, error.headers
    cookie = SimpleCookie()
    for value in head.get_all("set-cookie") or []:
        cookie.load(value)
    return status, cookie, head.get("cache-control", "")


def test_a_ticket_buys_the_session_cookie_once(url: str, tickets: Tickets) -> None:
    ticket = tickets.issue("the-session-id", max_age=7 * 86400)
    status, cookie, cache = post(f"{url}/kura/session", ticket, **{"Sec-Fetch-Site": "same-origin"})
    assert status == 204 and cache == "no-store"
    morsel = cookie[COOKIE]
    assert morsel.value == "the-session-id"
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/" and morsel["max-age"] == "604800"
    assert not morsel["secure"]  # plain http on a loopback address
    assert post(f"{url}/kura/session", ticket)[0] == 403  # good once


def test_the_cookie_is_secure_behind_an_https_proxy(url: str, tickets: Tickets) -> None:
    ticket = tickets.issue("s", max_age=60)
    status, cookie, _ = post(f"{url}/kura/session", ticket, **{"X-Forwarded-Proto": "https"})
    assert status == 204 and cookie[COOKIE]["secure"]


def test_the_cookie_can_be_secure_behind_a_proxy_that_says_nothing(
    url: str, tickets: Tickets
) -> None:
    """SESSION_COOKIE_SECURE: a TLS proxy that sends no X-Forwarded-Proto."""
    ticket = tickets.issue("s", max_age=60, secure=True)
    status, cookie, _ = post(f"{url}/kura/session", ticket)
    assert status == 204 and cookie[COOKIE]["secure"]


def test_the_routes_answer_under_a_prefix(url: str, tickets: Tickets) -> None:
    ticket = tickets.issue("s", max_age=60)
    assert post(f"{url}/~/+/kura/session", ticket)[0] == 204  # a proxy's or baseUrlPath's prefix


@pytest.mark.parametrize("body", ["", "forged", "x" * 10_000, "\u00e9\u00e9"])
def test_a_bad_ticket_buys_nothing(url: str, body: str) -> None:
    status, cookie, _ = post(f"{url}/kura/session", body)
    assert status == 403 and COOKIE not in cookie


def test_another_site_can_neither_set_nor_clear_the_cookie(url: str, tickets: Tickets) -> None:
    ticket = tickets.issue("s", max_age=60)
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert post(f"{url}/kura/session", ticket, **cross)[0] == 403
    assert post(f"{url}/kura/logout", **cross)[0] == 403
    assert post(f"{url}/kura/session", ticket)[0] == 204  # the refused request did not spend it


def test_logout_clears_the_cookie(url: str) -> None:
    status, cookie, _ = post(f"{url}/kura/logout", **{"Sec-Fetch-Site": "same-origin"})
    assert status == 204
    assert cookie[COOKIE].value == "" and cookie[COOKIE]["max-age"] == "0"
    assert cookie[COOKIE]["httponly"] and cookie[COOKIE]["path"] == "/"


def test_logout_clears_a_secure_cookie_as_secure(url: str, tickets: Tickets) -> None:
    """SESSION_COOKIE_SECURE: the logout's ticket says so, or the browser keeps the cookie."""
    forget = tickets.issue("", max_age=0, secure=True)
    status, cookie, _ = post(f"{url}/kura/logout", forget)
    assert status == 204 and cookie[COOKIE]["secure"] and cookie[COOKIE]["max-age"] == "0"
    assert not post(f"{url}/kura/logout")[1][COOKIE]["secure"]  # plain http, no ticket
