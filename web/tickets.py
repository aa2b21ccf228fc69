"""One-time tickets that carry a new session from a script run to the cookie route.

The session id itself never reaches the page: the page gets a ticket, good once and
for a minute, and trades it at /kura/session for an HttpOnly cookie.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TICKET_SECONDS = 60.0


@dataclass(frozen=True)
class Grant:
    """What a redeemed ticket gives: the session id, how long its cookie may live, and
    whether it is Secure whatever the request looks like (SESSION_COOKIE_SECURE)."""

    session: str
    max_age: int
    secure: bool = False


class Tickets:
    """Process-wide and in memory: Streamlit's script runs and its routes share one process.

    Example:
        >>> tickets = Tickets()
        >>> ticket = tickets.issue("session-id", max_age=3600)
        >>> tickets.redeem(ticket)
        Grant(session='session-id', max_age=3600, secure=False)
        >>> tickets.redeem(ticket) is None  # good once
        True
    """

    def __init__(
        self, *, ttl: float = TICKET_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Grant, float]] = {}

    def issue(self, session: str, *, max_age: int, secure: bool = False) -> str:
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired()
            grant = Grant(session, max_age, secure)
            self._open[ticket] = (grant, self._clock() + self._ttl)
        return ticket

    def redeem(self, ticket: str) -> Grant | None:
        with self._lock:
            self._drop_expired()
            entry = self._open.pop(ticket, None)
        return entry[0] if entry else None

    def _drop_expired(self) -> None:
        now = self._clock()
        for ticket in [t for t, (_, expires) in self._open.items() if expires < now]:
            del self._open[ticket]


TICKETS = Tickets()  # the one both sides of this server process use
