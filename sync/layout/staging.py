"""Staging: a backup's data directory built beside the live one, before any swap.

Live files that still hold the target's content are copied (databases through
SQLite's backup API). The others are rebuilt from their chunks: chunks a live
file that is not a database already holds (its saved manifest says where) are read
from it, the rest are decompressed from packs as the packs the cache lacks arrive.
Every rebuilt file is checked against its whole-content hash.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync.content.pack import Arrivals, PackReader
from sync.content.reader import Base, BaseDiffers, assemble
from sync.errors import SyncError, VerificationFailed
from sync.layout.stored import DATA_PREFIX, StoredFile, lfs_objects, pack_path
from sync.local.progress import RestoreProgress
from sync.local.snapshot import LocalFile, is_side_file, signature
from sync.local.sqlitefile import CheckedDatabases, backup_copy, is_live_sqlite, is_sqlite
from sync.repo import remote_errors
from sync.repo.lfs import Pointer
from sync.workspace import Workspace

__all__ = ["Base", "drop_damaged", "fetch_objects", "stage", "write_file"]
log = logging.getLogger(__name__)


def stage(
    ws: Workspace,
    commit: str,
    target: dict[str, StoredFile],
    progress: RestoreProgress | None = None,
    *,
    live: dict[str, LocalFile] | None = None,
    bases: dict[str, Base] | None = None,
    checked: CheckedDatabases | None = None,
) -> tuple[Path, int]:
    """Build the backup's data directory beside the live one; clean up on any failure.

    Files in `live` are copied from the data directory. The others are rebuilt from
    their chunks: those a live file in `bases` holds are read from it, the rest from
    packs, fetching the packs the cache lacks. Returns the directory and the bytes
    downloaded.
    """
    live, bases = live or {}, bases or {}
    staging = ws.staging_dir
    if staging.exists():
        shutil.rmtree(staging)
    _make_staging(ws, staging)
    try:
        files = [f for f in target.values() if not is_side_file(f.path)]
        rebuilt = {f.path: f for f in files if f.path not in live}
        needed = _needed(rebuilt, bases)
        # Files rebuild while git-lfs downloads: each waits only for the packs it reads.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kura-fetch") as fetcher:
            download = fetcher.submit(fetch_objects, ws, commit, rebuilt, progress, objects=needed)
            arriving = Arrivals(ws.store, download)
            copied = {f.path: f for f in files if f.path in live}
            moved = _build_all(ws, copied, live, rebuilt, staging, bases, checked, arriving)
            downloaded = download.result()
        # Live files that changed while they were read: rebuild those from the backup alone.
        retry = {f.path: f for f in moved}
        downloaded += fetch_objects(ws, commit, retry)
        for file in retry.values():
            _rebuild(ws, file, staging, None, checked)
        for file in files:
            if file.executable:
                (staging / file.path).chmod(0o755)
        return staging, downloaded
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise SyncError(
                "Not enough disk space to stage the restore; free some space and retry. "
                "The data was not touched."
            ) from None
        raise


def drop_damaged(ws: Workspace, files: Iterable[StoredFile]) -> bool:
    """Delete the cached LFS objects of `files` that do not hash to their id (a flipped
    byte on disk passes every size check); True when there were any, to fetch again.
    Run only after a rebuild failed: hashing every cached pack on every restore would
    cost what the rebuild's own hash check already proves."""
    damaged = [
        oid
        for oid, size in lfs_objects(files).items()
        if ws.store.has(Pointer(oid, size)) and not ws.store.is_intact(Pointer(oid, size))
    ]
    for oid in damaged:
        log.warning("Dropping damaged LFS object %s from the cache", oid[:12])
        ws.store.delete(oid)
    return bool(damaged)


_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _build_all(
    ws: Workspace,
    copied: dict[str, StoredFile],
    live: dict[str, LocalFile],
    rebuilt: dict[str, StoredFile],
    staging: Path,
    bases: dict[str, Base],
    checked: CheckedDatabases | None,
    arriving: Arrivals,
) -> list[StoredFile]:
    """Copy the live files and rebuild the others, in parallel (copies, zstd, sha256 and
    writes release the GIL); the ones that changed while they were read. A pack the
    download did not bring fails the rebuild; the download's own error, when it has one,
    says more and wins."""
    # Rebuilds first: they cost more a byte than copies, which fill in around them.
    jobs = [
        (f, lambda f=f: _rebuild(ws, f, staging, bases.get(f.path), checked, arriving))
        for f in rebuilt.values()
    ]
    jobs += [(f, lambda f=f: _copy_live(live[f.path], staging)) for f in copied.values()]
    try:
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            done = list(pool.map(lambda job: job[1](), jobs))
            return [f for (f, _), ok in zip(jobs, done, strict=True) if not ok]
    except VerificationFailed:
        arriving.download.result()  # raises the download's error, if it failed
        raise


_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _make_staging(ws: Workspace, staging: Path) -> None:
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        if exc.errno not in _READ_ONLY:
            raise
        raise SyncError(
            f"The data directory {ws.data_dir} cannot be written here "
            f"({os.strerror(exc.errno).lower()}): mount it read-write to restore. "
            "The data was not touched."
        ) from None


def _needed(rebuilt: dict[str, StoredFile], bases: dict[str, Base]) -> dict[str, int]:
    """The LFS objects the rebuilt files need beyond the chunks their bases hold."""
    needed: dict[str, int] = {}
    for path, file in rebuilt.items():
        base = bases.get(path)
        if base and file.manifest:
            for chunk in file.manifest.chunks:
                if chunk.id not in base.offsets:
                    needed[chunk.pack] = file.manifest.pack_sizes[chunk.pack]
        else:
            needed.update(file.lfs_objects)
    return needed


def _rebuild(
    ws: Workspace,
    file: StoredFile,
    staging: Path,
    base: Base | None,
    checked: CheckedDatabases | None = None,
    arriving: Arrivals | None = None,
) -> bool:
    """Write one file; False when its base changed while it was read (rebuild it again).

    A database is quick-checked here, while other files are still being rebuilt, so the
    check before the swap finds it done (`checked` remembers it by content id).
    """
    target = staging / file.path
    with PackReader(ws.store, arriving=arriving) as packs:
        try:
            write_file(ws, file, target, packs, base=base)
        except BaseDiffers:
            return False  # rebuilt from the backup alone, once its packs are fetched
        except VerificationFailed:
            if base is None or base.unchanged():
                raise
            return False
    if base is not None and not base.unchanged():
        return False
    if checked is not None and is_sqlite(target):
        checked.check(target, file.content_id)  # a failure is reported before the swap
    return True


def _copy_live(file: LocalFile, staging: Path) -> bool:
    """Copy a live file; False when it changed meanwhile (the copy cannot be trusted). A
    database (whatever format its backup used) is copied through SQLite's backup API:
    its file alone may lack committed pages its WAL still holds, and opening and closing
    it here would drop the app's locks on it."""
    target = staging / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if is_live_sqlite(file.absolute):
            backup_copy(file.absolute, target)
        else:
            shutil.copyfile(file.absolute, target)
        return signature(file.absolute) == file.signature
    except (FileNotFoundError, sqlite3.DatabaseError):
        return False


def fetch_objects(
    ws: Workspace,
    commit: str,
    target: dict[str, StoredFile],
    progress: RestoreProgress | None = None,
    *,
    objects: dict[str, int] | None = None,
) -> int:
    """Bring the LFS objects of `target` (or just `objects` among them) into the cache,
    only those it lacks; return the bytes downloaded. VerificationFailed if the remote
    lacks any."""
    progress = progress or RestoreProgress()
    wanted = lfs_objects(target.values()) if objects is None else objects
    missing = {oid: size for oid, size in wanted.items() if not ws.store.has(Pointer(oid, size))}
    progress.downloading(
        total_bytes=sum(missing.values()),
        files=len(target),
        measure=lambda: ws.store.bytes_present(missing),
    )
    if not missing:
        return 0
    result = ws.pull_lfs(commit, missing, include=_include(target.values(), missing))
    lacking = [
        f.path
        for f in target.values()
        if any(o in missing and not ws.store.has(Pointer(o, s)) for o, s in f.lfs_objects.items())
    ]
    if lacking:
        if result and result.returncode != 0 and not remote_errors.is_bad_object(result):
            remote_errors.raise_for(result, operation="lfs fetch")
        raise VerificationFailed(
            f"The remote lacks the content of {', '.join(lacking[:5])}: this backup cannot be "
            "restored; pick another restore point. The data was not touched."
        )
    return sum(missing.values())


_INCLUDE_LIMIT = 100_000  # one argv string may not exceed 128 KiB on Linux
_PATTERN_SPECIALS = set(",*?[]!\\ ")


def _include(files: Iterable[StoredFile], missing: dict[str, int]) -> str | None:
    """`git lfs fetch --include` for exactly the missing objects' paths; None (fetch every
    object of the commit the cache lacks) when a path cannot be a pattern or they are many."""
    paths = [pack_path(oid) for oid in sorted(missing)]
    for file in files:
        if file.pointer and file.pointer.oid in missing:
            paths.append(DATA_PREFIX + file.path)
    joined = ",".join(paths)
    if len(joined) > _INCLUDE_LIMIT or any(c in _PATTERN_SPECIALS for p in paths for c in p):
        return None
    return joined


def write_file(
    ws: Workspace, file: StoredFile, target: Path, packs: PackReader, *, base: Base | None = None
) -> None:
    """Write one file of a backup whose LFS objects (beyond its base's chunks) are cached."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if file.manifest is not None:
        try:
            assemble(file.manifest, packs, target, base=base)
        except BaseDiffers:
            raise
        except VerificationFailed as exc:
            raise VerificationFailed(
                f"{file.path} in this backup cannot be rebuilt: {exc.message}; pick another "
                "restore point. The data was not touched."
            ) from None
    elif file.pointer is None:
        ws.git.blob_to_file(file.blob, target)
    else:
        # The store is content-addressed and only ever holds hash-checked objects (hashed
        # by git-lfs as it downloaded them): a kernel copy will do.
        packs.wait_for(file.pointer.oid)
        try:
            shutil.copyfile(ws.store.path(file.pointer.oid), target)
        except FileNotFoundError:
            raise VerificationFailed(
                f"{file.path} in this backup cannot be rebuilt: its content is missing; pick "
                "another restore point. The data was not touched."
            ) from None
