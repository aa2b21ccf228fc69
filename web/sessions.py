"""Login sessions kept on the server, in KURA_HOME (never backed up, never restored)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

MAX_SESSION_ID_LENGTH = 128  # a cookie longer than any id we issue is not worth hashing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,  -- sha256 of the session id: the file alone opens nothing
    password TEXT NOT NULL,   -- scrypt of the password it was opened with
    created REAL NOT NULL,
    seen REAL NOT NULL
);
"""


class SessionStore:
    """Server-side login sessions in one SQLite file, shared by every thread and process.

    A session ends when it has been idle for `idle_seconds`, when it is older than
    `max_age_seconds`, when it is ended (logout), or when the shared password changes.
    Only digests are stored, so a copy of the file neither opens a session nor reveals
    the password cheaply.

    Example:
        >>> store = SessionStore(Path(".kura/sessions.db"), idle_seconds=3600,
        ...                      max_age_seconds=7 * 86400)
        >>> session = store.open(password="team password")
        >>> store.resume(session, password="team password")  # True, and marks it active
        True
        >>> store.end(session)
        >>> store.resume(session, password="team password")
        False
    """

    def __init__(
        self,
        path: Path,
        *,
        idle_seconds: float,
        max_age_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._salt: bytes | None = None
        self._has_schema = False
        self._tags: dict[str, str] = {}

    def open(self, *, password: str) -> str:
        """A new session for someone who just gave `password`; returns its id."""
        session = secrets.token_urlsafe(32)
        now = self._clock()
        tag = self._tag(password)
        with self._connect() as db:
            row = (_digest(session), tag, now, now)
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", row)
            self._forget_ended(db, now, tag)
        return session

    def resume(self, session: str, *, password: str) -> bool:
        """True if `session` is still open under `password`; it then counts as active."""
        if not session or len(session) > MAX_SESSION_ID_LENGTH:
            return False
        now = self._clock()
        key = _digest(session)
        with self._connect() as db:
            row = db.execute(
                "SELECT password, created, seen FROM sessions WHERE digest = ?", (key,)
            ).fetchone()
            if row is None:
                return False
            tag, created, seen = row
            if not self._still_open(tag, password, created, seen, now):
                db.execute("DELETE FROM sessions WHERE digest = ?", (key,))
                return False
            if now - seen >= self._touch_interval:  # not one write per click
                db.execute("UPDATE sessions SET seen = ? WHERE digest = ?", (now, key))
        return True

    def end(self, session: str) -> None:
        """Logout: the session's cookie opens nothing anywhere from now on."""
        if session and len(session) <= MAX_SESSION_ID_LENGTH:
            with self._connect() as db:
                db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session),))

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM sessions").fetchone()[0]

    @property
    def _touch_interval(self) -> float:
        return min(30.0, self.idle_seconds / 4)

    def _still_open(self, tag: str, password: str, created: float, seen: float, now: float) -> bool:
        return (
            hmac.compare_digest(tag, self._tag(password))
            and now - created <= self.max_age_seconds
            and now - seen <= self.idle_seconds
        )

    def _forget_ended(self, db: sqlite3.Connection, now: float, tag: str) -> None:
        db.execute(
            "DELETE FROM sessions WHERE password != ? OR created < ? OR seen < ?",
            (tag, now - self.max_age_seconds, now - self.idle_seconds),
        )

    def _tag(self, password: str) -> str:
        """scrypt, once per password and process: a stolen file costs a real attack per guess."""
        with self._lock:
            if password not in self._tags:
                salt = self._load_salt()
                key = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
                self._tags[password] = key.hex()
            return self._tags[password]

    def _load_salt(self) -> bytes:
        if self._salt is None:
            with self._connect() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (os.urandom(16),))
                self._salt = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]
        return self._salt

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))  # owner only
            self._has_schema = False
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            if not self._has_schema:  # once per file, not on every page run
                db.executescript(_SCHEMA)
                self._has_schema = True
            with db:  # one transaction
                yield db


def _digest(session: str) -> str:
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()
