"""The login gate: constant-time password check, one check at a time server-wide with a
growing delay after failures, and a server-side session behind an HttpOnly cookie, so a
reload, a new tab or a bookmark stays logged in."""

from __future__ import annotations

import hmac
import json
import threading
import time
from pathlib import Path

import streamlit as st

from components.runtime import runtime
from web.login_failures import LoginFailures
from web.routes import COOKIE
from web.tickets import TICKETS

MAX_PASSWORD_LENGTH = 1024
_SESSION_KEY = "kura_session"  # this browser tab's session id (server-side only)
_TICKET_KEY = "kura_cookie_ticket"  # a login whose cookie the page has yet to fetch
_FORGET_KEY = "kura_cookie_forget"  # a logout whose cookie the page has yet to clear


def password_matches(candidate: object, expected: str) -> bool:
    """Compare bytes, not str: compare_digest raises TypeError on non-ASCII str."""
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_PASSWORD_LENGTH:
        return False
    given = candidate.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, expected.encode("utf-8"))


class LoginGate:
    """Password checks pass one at a time through one gate for the whole server process.

    After a few failures each check first waits its delay *while holding the gate*, so
    however many tabs or scripts guess at once, the server checks at most one guess per
    delay (a delay each tab slept on its own would let ten tabs guess ten times as fast).
    A check that cannot get the gate within `wait` seconds (a flood of guesses) is not
    made, and the visitor is asked to try again: nobody waits longer than that. The
    failures are kept in `record` (KURA_HOME), so a restart does not reset the delay.
    """

    def __init__(
        self,
        *,
        window: float = 900.0,
        free_failures: int = 3,
        first_delay: float = 0.5,
        cap: float = 8.0,
        wait: float | None = None,
        record: Path | None = None,
    ) -> None:
        self._gate = threading.Lock()
        self.failures = LoginFailures(record, window=window)
        self._free = free_failures
        self._first = first_delay
        self._cap = cap
        self._wait = cap + 1.0 if wait is None else wait

    def delay(self) -> float:
        """What the next check waits: nothing at first, then doubling up to the cap."""
        extra = self.failures.recent() - self._free
        return 0.0 if extra < 0 else min(self._cap, self._first * 2**extra)

    def busy(self) -> bool:
        return self._gate.locked()

    def check(self, candidate: object, expected: str) -> bool | None:
        """True or False; None when the gate stayed busy for `wait` (try again)."""
        if not self._gate.acquire(timeout=self._wait):
            return None
        try:
            time.sleep(self.delay())
            if password_matches(candidate, expected):
                return True
            self.failures.add()
            return False
        finally:
            self._gate.release()


@st.cache_resource
def gate() -> LoginGate:
    return LoginGate(record=runtime().settings.home / "login-failures.json")


def attempt_login(candidate: object, expected: str) -> bool | None:
    """True when logged in; False for a wrong password; None when the gate was too busy."""
    checked = gate().check(candidate, expected)
    if not checked:
        return checked
    rt = runtime()
    session = rt.sessions.open(password=expected)
    st.session_state[_SESSION_KEY] = session
    max_age = int(rt.sessions.max_age_seconds)
    secure = rt.settings.session_cookie_secure  # behind a TLS proxy that says nothing
    st.session_state[_TICKET_KEY] = TICKETS.issue(session, max_age=max_age, secure=secure)
    st.session_state.pop(_FORGET_KEY, None)
    return True


def is_logged_in() -> bool:
    """True for this tab's session, or the browser's cookie, while the server keeps it open."""
    rt = runtime()
    for session in (st.session_state.get(_SESSION_KEY), _cookie()):
        if session and rt.sessions.resume(session, password=rt.password):
            st.session_state[_SESSION_KEY] = session
            return True
    st.session_state.pop(_SESSION_KEY, None)
    return False


def logout() -> None:
    """End the session on the server, so its cookie opens nothing anywhere, then clear it."""
    sessions = runtime().sessions
    for session in (st.session_state.pop(_SESSION_KEY, None), _cookie()):
        if session:
            sessions.end(session)
    st.session_state.pop(_TICKET_KEY, None)
    # A ticket for no session: it tells the logout route whether the cookie is always Secure.
    secure = runtime().settings.session_cookie_secure
    st.session_state[_FORGET_KEY] = TICKETS.issue("", max_age=0, secure=secure)


def _cookie() -> str | None:
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None  # AppTest's stand-in has no cookies


def sync_cookie() -> None:
    """Have the page fetch the cookie of a new login, or clear the one of a logout.

    The browser must make the request itself for an HttpOnly cookie; a one-time ticket,
    not the session id, is all the page ever holds. Without the route (another launcher)
    the fetch fails quietly and the login lasts as long as the tab, as it used to.
    """
    ticket = st.session_state.pop(_TICKET_KEY, None)
    if ticket:
        _post("kura/session", ticket)
    elif forget := st.session_state.pop(_FORGET_KEY, None):
        _post("kura/logout", forget if isinstance(forget, str) else "")


def _post(path: str, body: str) -> None:
    script = (
        f"<script>fetch({json.dumps(path)}, {{method: 'POST', body: {json.dumps(body)}, "
        "credentials: 'same-origin', cache: 'no-store'}).catch(() => {});</script>"
    )
    st.html(script, unsafe_allow_javascript=True)
