"""A consistent snapshot of the data directory, written straight into the content store.

SQLite files are read as they are while no one may commit (`sqlitefile.frozen`),
or, when that cannot be, through SQLite's online backup API into a temporary copy
that is then chunked; other files are chunked as they are read,
and read again if they changed meanwhile. Files whose stat signature matches the
last saved state are neither read nor hashed again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sync.content.chunker import sqlite_chunker
from sync.content.writer import ContentWriter, PendingFile
from sync.errors import FileTooLarge, SyncError
from sync.local.mount import INTERNAL
from sync.local.sqlitefile import backup_copy, frozen, is_live_sqlite
from sync.repo.lfs import CHUNK

SIDE_FILES = ("-wal", "-shm", "-journal")
_COPY_ATTEMPTS = 3

Signature = tuple[int, ...]


@dataclass(frozen=True)
class LocalFile:
    path: str  # posix, relative to the data directory
    absolute: Path
    size: int
    mtime_ns: int
    signature: Signature


def is_side_file(name: str) -> bool:
    """SQLite's -wal/-shm/-journal files: never stored, never restored."""
    return name.endswith(SIDE_FILES)


def signature(path: Path) -> Signature:
    """Cheap change detection: the file's stat, plus its -wal's while that holds frames.

    An empty -wal appears as soon as anyone opens a WAL database, even to read;
    only a non-empty one can hold changes the main file does not have yet.
    """
    info = os.stat(path, follow_symlinks=False)
    sig: tuple[int, ...] = (info.st_size, info.st_mtime_ns, info.st_ino)
    try:
        wal = os.stat(f"{path}-wal", follow_symlinks=False)
    except FileNotFoundError:
        return sig
    if wal.st_size:
        sig += (wal.st_size, wal.st_mtime_ns, wal.st_ino)
    return sig


def scan(data_dir: Path) -> list[LocalFile]:
    """Regular files of the data directory; links are never followed, side files skipped."""
    if not data_dir.is_dir():
        return []
    return sorted(_walk(data_dir, data_dir), key=lambda f: f.path)


def _walk(root: Path, directory: Path) -> Iterator[LocalFile]:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_symlink():
                continue  # a link could point anywhere; the data is what is inside
            if directory == root and entry.name in INTERNAL:
                continue  # a restore's staging inside a mount point, or lost+found
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(root, Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and not is_side_file(entry.name):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    path = Path(entry.path)
                    yield LocalFile(
                        path.relative_to(root).as_posix(),
                        path,
                        info.st_size,
                        info.st_mtime_ns,
                        signature(path),
                    )


def check_sizes(files: list[LocalFile], limit: int) -> None:
    for file in files:
        if file.size > limit:
            raise FileTooLarge(
                f"{file.path} is {file.size / 2**20:.1f} MB, over MAX_FILE_SIZE_MB "
                f"({limit / 2**20:.0f} MB): shrink or remove it, or raise the limit."
            )


def snapshot_file(
    file: LocalFile, writer: ContentWriter, scratch: Path, *, previous: str | None = None
) -> tuple[PendingFile, Signature]:
    """Store one file's chunks; return what was stored and the signature the file had.
    `previous` names the chunker its last backup used (a database keeps its blocks)."""
    for _ in range(_COPY_ATTEMPTS):
        before = signature(file.absolute)
        if is_live_sqlite(file.absolute):
            try:
                return _snapshot_database(file, writer, scratch, before, previous)
            except sqlite3.DatabaseError:
                pass  # SQLite's header, but no database SQLite can open: its bytes as they are
        with file.absolute.open("rb") as source:
            pending = writer.add(source)
        if signature(file.absolute) == before:
            return pending, before
    raise SyncError(f"{file.path} kept changing while it was copied; try the backup again.")


def _snapshot_database(
    file: LocalFile, writer: ContentWriter, scratch: Path, before: Signature, previous: str | None
) -> tuple[PendingFile, Signature]:
    chunker = sqlite_chunker(previous)
    if previous is None:  # a first backup: every chunk is new (see _snapshot_sqlite)
        return _copied(file.absolute, writer, scratch, chunker), before
    return _snapshot_sqlite(file.absolute, writer, scratch, before, chunker)


def _snapshot_sqlite(
    source: Path, writer: ContentWriter, scratch: Path, before: Signature, chunker: str
) -> tuple[PendingFile, Signature]:
    """The database's own bytes while no one commits (`frozen`): the signature is taken
    then, after the checkpoint that may have touched the file. Otherwise a copy through
    SQLite's backup API, with the signature it had before. Writers wait while the file
    is read and hashed and its new chunks packed: few, once the file was backed up
    before; its first backup, where packing every chunk waits on the disk, takes the
    copy instead."""
    with frozen(source) as raw:
        if raw is not None:
            return writer.add(raw, chunker), signature(source)
    return _copied(source, writer, scratch, chunker), before


def _copied(source: Path, writer: ContentWriter, scratch: Path, chunker: str) -> PendingFile:
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "snapshot.db"
    try:
        backup_copy(source, copy)
        with copy.open("rb") as handle:
            return writer.add(handle, chunker)
    finally:
        copy.unlink(missing_ok=True)


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
