"""The login gate: constant-time password check, process-wide slow-down, idle time-out."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque

import streamlit as st

IDLE_TIMEOUT_SECONDS = 60 * 60
MAX_PASSWORD_LENGTH = 1024
_SESSION_KEY = "kura_logged_in_at"
_SEEN_KEY = "kura_last_seen"


def password_matches(candidate: object, expected: str) -> bool:
    """Compare bytes, not str: compare_digest raises TypeError on non-ASCII str."""
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_PASSWORD_LENGTH:
        return False
    given = candidate.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, expected.encode("utf-8"))


class Throttle:
    """Failed logins slow every login in the process down, not only one session's."""

    def __init__(self, *, window: float = 900.0, free_failures: int = 3, cap: float = 8.0) -> None:
        self._lock = threading.Lock()
        self._failures: deque[float] = deque()
        self._window = window
        self._free = free_failures
        self._cap = cap

    def delay(self) -> float:
        with self._lock:
            self._forget_old()
            extra = len(self._failures) - self._free
        return 0.0 if extra < 0 else min(self._cap, 0.5 * 2**extra)

    def failed(self) -> None:
        with self._lock:
            self._failures.append(time.monotonic())

    def _forget_old(self) -> None:
        horizon = time.monotonic() - self._window
        while self._failures and self._failures[0] < horizon:
            self._failures.popleft()


@st.cache_resource
def throttle() -> Throttle:
    return Throttle()


def attempt_login(candidate: object, expected: str) -> bool:
    time.sleep(throttle().delay())
    if password_matches(candidate, expected):
        now = time.time()
        st.session_state[_SESSION_KEY] = now
        st.session_state[_SEEN_KEY] = now
        return True
    throttle().failed()
    return False


def is_logged_in() -> bool:
    """True for a session that logged in and was active within the idle time-out."""
    seen = st.session_state.get(_SEEN_KEY)
    if seen is None or time.time() - seen > IDLE_TIMEOUT_SECONDS:
        logout()
        return False
    st.session_state[_SEEN_KEY] = time.time()
    return True


def logout() -> None:
    for key in (_SESSION_KEY, _SEEN_KEY):
        st.session_state.pop(key, None)
