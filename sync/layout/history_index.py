"""What status, the admin page and the quota throttle need to know of the whole history,
kept in `KURA_HOME/history-index.db` so that they read figures, not history: each
backup's Git LFS growth, and which backup wrote each data file's current version.

GitHub keeps every LFS object ever pushed, so the storage a history uses is the sum of
its distinct LFS objects, and a backup's growth is the bytes of the objects that first
appear in it. Working that out walks every commit; at a backup a minute that is 175,000
commits a year. The index remembers, per backup in history order, its time and growth,
the objects seen so far, and for each data file the backup that last wrote it; each read
brings it up to date with one `git log --raw` of the commits since the one it last saw
(none, most of the time). A history it cannot follow (another remote, a rewritten
branch) or an index of another version is indexed again from the start.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sync.layout.commits import read_commits
from sync.layout.stored import DATA_PREFIX, FORMAT_MARK, PACKS_PREFIX
from sync.models import FileOrigin
from sync.repo.git import ZERO_SHA, Change, Git
from sync.repo.lfs import MAX_POINTER_SIZE, parse_pointer

VERSION = 2
_LFS_PATHS = (DATA_PREFIX, PACKS_PREFIX)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS backups (
    seq INTEGER PRIMARY KEY, sha TEXT NOT NULL, stamp INTEGER NOT NULL, growth INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (oid TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS origins (
    path TEXT PRIMARY KEY, sha TEXT NOT NULL, date TEXT NOT NULL, host TEXT NOT NULL,
    kind TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (
    one INTEGER PRIMARY KEY CHECK (one = 1), tip TEXT NOT NULL, bytes INTEGER NOT NULL,
    objects INTEGER NOT NULL, backups INTEGER NOT NULL
);
PRAGMA user_version = 2;
"""
_RESET = """
DROP TABLE IF EXISTS backups; DROP TABLE IF EXISTS objects; DROP TABLE IF EXISTS origins;
DROP TABLE IF EXISTS totals;
"""


@dataclass(frozen=True)
class Growth:
    lfs_bytes: int  # every distinct LFS object of the history
    lfs_objects: int
    backups: int
    recent: list[tuple[int, int]]  # (commit time, growth) of the newest backups, oldest first
    window: list[tuple[int, int]] = field(default_factory=list)  # made at or after `since`


class HistoryIndex:
    """Example::

    index = HistoryIndex(ws.home / "history-index.db")
    growth = index.growth(ws.git, tip, recent=21)
    origins = index.origins(ws.git, tip)
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def growth(self, git: Git, tip: str, *, recent: int, since: int | None = None) -> Growth:
        """The totals, the newest `recent` backups and, with `since`, every backup made at
        or after it: read newest first and stopped when both are had, so the cost is the
        window's, not the history's."""
        rows: list[tuple[int, int]] = []
        open_window = since is not None  # the window ends at the first older backup
        with self._db() as db:
            self._catch_up(db, git, tip)
            bytes_, objects, backups = db.execute(
                "SELECT bytes, objects, backups FROM totals"
            ).fetchone()
            for stamp, growth in db.execute("SELECT stamp, growth FROM backups ORDER BY seq DESC"):
                open_window = open_window and stamp >= since
                if len(rows) >= recent and not open_window:
                    break
                rows.append((stamp, growth))
        window = (
            list(itertools.takewhile(lambda r: r[0] >= since, rows)) if since is not None else []
        )
        return Growth(bytes_, objects, backups, rows[:recent][::-1], window[::-1])

    def origins(self, git: Git, tip: str) -> dict[str, FileOrigin]:
        """{path inside the data directory: the backup that wrote its version in `tip`}."""
        with self._db() as db:
            self._catch_up(db, git, tip)
            rows = db.execute("SELECT path, sha, date, host, kind FROM origins").fetchall()
        return {
            path: FileOrigin(commit=sha, date=datetime.fromisoformat(date), host=host, kind=kind)
            for path, sha, date, host, kind in rows
        }

    # -- inside -------------------------------------------------------------------
    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                db.executescript(_RESET)  # an index, not data: made again from history
            db.executescript(_SCHEMA)
            yield db
        finally:
            db.close()

    def _catch_up(self, db: sqlite3.Connection, git: Git, tip: str) -> None:
        # One writer at a time (threads and processes); the others wait, then find it done.
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT tip FROM totals").fetchone()
            known = row[0] if row else None
            if known != tip:
                since = known if known and git.is_ancestor(known, tip) else None
                if since is None:
                    for table in ("backups", "objects", "origins", "totals"):
                        db.execute(f"DELETE FROM {table}")
                self._add(db, git, tip, since)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _add(self, db: sqlite3.Connection, git: Git, tip: str, since: str | None) -> None:
        """Index the commits after `since` (all of them when None), oldest first."""
        span = f"{since}..{tip}" if since else tip
        commits = list(reversed(read_commits(git, span)))
        # Commits that say their storage need no pointer read (nor, in a cache that began
        # after them, a fetch of their blobs).
        blobs = {
            c.new
            for commit in commits
            if commit.storage is None
            for c in commit.changes
            if c.path.startswith(_LFS_PATHS) and c.new != ZERO_SHA
        }
        if git.is_partial():
            # Never a lazy fetch, one object at a time (and never any from status): what
            # a partial fetch left out is a manifest, or a pointer this index goes without.
            blobs -= git.missing_in(span)
        pointers = _pointers(git, blobs)
        row = db.execute("SELECT bytes, objects, backups FROM totals").fetchone()
        total, objects, count = row or (0, 0, 0)
        for commit in commits:
            origin = (commit.sha, commit.date.isoformat(), commit.host, commit.kind)
            _record_origins(db, commit.changes, origin)
            sha, stamp, storage = commit.sha, commit.stamp, commit.storage
            if storage is not None:
                total, objects, count = storage.bytes, storage.objects, storage.backups
                db.execute(
                    "INSERT INTO backups (sha, stamp, growth) VALUES (?, ?, ?)",
                    (sha, stamp, storage.added),
                )
                continue
            new = {pointers[c.new] for c in commit.changes if c.new in pointers}
            growth = 0
            for oid, size in new:
                if db.execute("INSERT OR IGNORE INTO objects VALUES (?, ?)", (oid, size)).rowcount:
                    growth += size
                    objects += 1
            db.execute(
                "INSERT INTO backups (sha, stamp, growth) VALUES (?, ?, ?)",
                (sha, stamp, growth),
            )
            total += growth
            count += 1
        db.execute(
            "INSERT OR REPLACE INTO totals VALUES (1, ?, ?, ?, ?)", (tip, total, objects, count)
        )


def _record_origins(db: sqlite3.Connection, changes: list[Change], origin: tuple) -> None:
    """The commit is the last writer of every data file it changed (or it removed it)."""
    for change in changes:
        if not change.path.startswith(DATA_PREFIX) or change.path == FORMAT_MARK:
            continue
        path = change.path[len(DATA_PREFIX) :]
        if change.new == ZERO_SHA:
            db.execute("DELETE FROM origins WHERE path = ?", (path,))
        else:
            db.execute("INSERT OR REPLACE INTO origins VALUES (?, ?, ?, ?, ?)", (path, *origin))


def _pointers(git: Git, blobs: set[str]) -> dict[str, tuple[str, int]]:
    """{blob: (LFS oid, size)} for the blobs that are LFS pointers."""
    sizes = git.blob_sizes(blobs)
    contents = git.cat_blobs(b for b in blobs if sizes.get(b, 0) <= MAX_POINTER_SIZE)
    found = {}
    for blob, content in contents.items():
        pointer = parse_pointer(content)
        if pointer:
            found[blob] = (pointer.oid, pointer.size)
    return found
