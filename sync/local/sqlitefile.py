"""SQLite files: recognised by their header, copied with the backup API, checked read-only."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

HEADER = b"SQLite format 3\x00"


def is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(HEADER)) == HEADER


def backup_copy(source: Path, target: Path) -> None:
    """A consistent copy while others may write: SQLite's online backup API, one step.

    The copy is scratch (it is chunked and deleted), so it is written without a journal
    or fsync: that halves the time of the step every backup of a database pays.
    """
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA journal_mode=OFF")
            dst.execute("PRAGMA synchronous=OFF")
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# Writers wait while the file is read and hashed: past this size a copy through the
# backup API, which lets them go on, costs them less.
FROZEN_LIMIT = 512 * 1024 * 1024
_WRITERS_WAIT = 2.0


@contextlib.contextmanager
def frozen(source: Path) -> Iterator[BinaryIO | None]:
    """The database file's own bytes, a consistent snapshot, while no one may commit;
    None when they cannot be (a checkpoint left frames behind, or the file is too large
    to hold writers off while it is read): copy it with `backup_copy` then.

    `BEGIN IMMEDIATE` holds the write lock, so no transaction commits meanwhile. In WAL
    mode a passive checkpoint first moves every committed frame into the file; when it
    moved them all, the file alone is the newest database, and nothing can change it
    until the lock is released (a checkpoint only copies committed frames, and there are
    none left). This reads the file once instead of copying every page into a scratch
    database and reading that, through a descriptor this process keeps open
    (`_descriptor`).
    """
    if source.stat().st_size > FROZEN_LIMIT:
        yield None
        return
    # A short wait: a writer that holds on longer does not stop a WAL reader's copy.
    writer = sqlite3.connect(source, timeout=_WRITERS_WAIT, isolation_level=None)
    try:
        try:
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # busy, or a read-only file: copy it instead
            yield None
            return
        try:
            if _wal(writer) and not _checkpointed(source):
                yield None
                return
            yield _Reader(_descriptor(source))
        finally:
            writer.execute("ROLLBACK")
    finally:
        writer.close()


class _Reader(io.RawIOBase):
    """Reads a database's descriptor from its start with pread (the descriptor is shared,
    so it keeps no position), its header as a backup-API copy writes it (`_as_copied`)."""

    def __init__(self, fd: int) -> None:
        self._fd, self._position = fd, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = max(os.fstat(self._fd).st_size - self._position, 0)
        data = os.pread(self._fd, size, self._position)
        if self._position == 0:
            data = _as_copied(data)
        self._position += len(data)
        return data


_COUNTER, _SCHEMA, _VALID_FOR = slice(24, 28), slice(40, 44), slice(92, 96)
_FRESH = (1).to_bytes(4, "big")


def _as_copied(start: bytes) -> bytes:
    """The file's first bytes as SQLite's backup API writes them into a new file: the
    schema cookie at 1, and the change counter and version-valid-for number at 1. They
    count the file's schema changes and commits, not its content: without this, two
    hosts holding the same rows would back up different bytes, and the same database
    read or copied would differ. The counters are changed only when they are equal (the
    in-header size is valid then, and stays so); any cookie suits a file that connections
    open afresh, as a restored one is."""
    if len(start) < 100:
        return start
    fixed = bytearray(start[:100])
    fixed[_SCHEMA] = _FRESH
    if start[_COUNTER] == start[_VALID_FOR]:
        fixed[_COUNTER] = fixed[_VALID_FOR] = _FRESH
    return bytes(fixed) + start[100:]


# Descriptors of live databases, kept open: closing any descriptor of a database drops
# every POSIX lock this process holds on it, the app's connections' included. One for
# each database file, closed only once the file is deleted (a restore replaced it).
_DESCRIPTORS: dict[tuple[int, int], int] = {}
_DESCRIPTORS_LOCK = threading.Lock()


def is_live_sqlite(path: Path) -> bool:
    """`is_sqlite` for a file the app may have open: a database's descriptor is kept
    (`_descriptor`), any other file's closed."""
    fd = _kept(path)
    if fd is not None:
        return os.pread(fd, len(HEADER), 0) == HEADER
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    if os.pread(fd, len(HEADER), 0) != HEADER:
        os.close(fd)  # not a database: no SQLite lock to lose
        return False
    _keep(fd)
    return True


@contextlib.contextmanager
def reading(path: Path) -> Iterator[int]:
    """A descriptor to `pread` the file at `path`: for a database the one kept for it
    (closing any descriptor of it would drop the app's locks), for any other file one
    opened and closed here."""
    if is_live_sqlite(path):
        yield _descriptor(path)
        return
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


def _descriptor(path: Path) -> int:
    fd = _kept(path)
    if fd is None:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        _keep(fd)
    return fd


def _kept(path: Path) -> int | None:
    """The descriptor kept for the file at `path`; deleted files' are closed first (no one
    can lock those any more: a restore replaced them)."""
    info = os.stat(path)
    with _DESCRIPTORS_LOCK:
        for key, fd in list(_DESCRIPTORS.items()):
            if os.fstat(fd).st_nlink == 0:
                os.close(fd)
                del _DESCRIPTORS[key]
        return _DESCRIPTORS.get((info.st_dev, info.st_ino))


def _keep(fd: int) -> None:
    opened = os.fstat(fd)
    with _DESCRIPTORS_LOCK:
        # Another thread may have kept one for this file meanwhile: this one stays open
        # all the same, since closing it would drop the locks.
        _DESCRIPTORS.setdefault((opened.st_dev, opened.st_ino), fd)


def _wal(connection: sqlite3.Connection) -> bool:
    return connection.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"


def _checkpointed(source: Path) -> bool:
    """A passive checkpoint from a second connection (the first holds the write lock);
    True when it moved every frame of the WAL into the database file."""
    connection = sqlite3.connect(source, timeout=30, isolation_level=None)
    try:
        busy, frames, moved = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy == 0 and frames == moved
    finally:
        connection.close()


class CheckedDatabases:
    """Content ids of databases that passed quick_check, kept in KURA_HOME.

    The check's result depends on the content alone, so a content-addressed
    object that passed once need not be read again on the next restore.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def passed(self, oid: str) -> bool:
        return (self.directory / oid).exists()

    def remember(self, oid: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / oid).touch()

    def check(self, path: Path, oid: str | None) -> bool:
        """quick_check `path`, whose content id is `oid`, unless that content passed before."""
        if oid and self.passed(oid):
            return True
        healthy = is_healthy(path)
        if healthy and oid:
            self.remember(oid)
        return healthy


def is_healthy(path: Path, *, thorough: bool = False) -> bool:
    """quick_check (or the full integrity_check), without creating -wal/-shm files."""
    uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
    pragma = "PRAGMA integrity_check" if thorough else "PRAGMA quick_check"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            return connection.execute(pragma).fetchall() == [("ok",)]
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False
