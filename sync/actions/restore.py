"""Restore: make the data directory exactly a backup, verified first, swapped atomically."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync import remote_errors
from sync.actions.backup import backup_locked
from sync.actions.recovery import record_restored, recover
from sync.actions.resolve import resolve
from sync.content.pack import PackReader
from sync.content.reader import assemble
from sync.errors import SyncError, VerificationFailed
from sync.journal import Journal, complete_swap, write_journal
from sync.lfs import Pointer, looks_like_pointer
from sync.locking import operation_lock
from sync.models import RestoreResult
from sync.oplog import record
from sync.progress import RestoreProgress
from sync.refs import validate_ref
from sync.snapshot import LocalFile, is_side_file, scan, signature
from sync.sqlitefile import CheckedDatabases, is_healthy, is_sqlite
from sync.state import SavedState, load_state
from sync.tree import DATA_PREFIX, StoredFile, lfs_objects, pack_path, read_data_files
from sync.workspace import Workspace

log = logging.getLogger(__name__)


def restore(
    ws: Workspace, ref: str, *, kind: str = "manual", progress: RestoreProgress | None = None
) -> RestoreResult:
    """Restore REF (`latest`, a commit id or a unique prefix of 7+ hex characters)."""
    validate_ref(ref)
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        with record(ws.home, "restore", kind) as recording:
            result = restore_locked(ws, ref, progress)
            recording.status, recording.bytes = result.status, result.bytes
            recording.downloaded = result.downloaded
        return result


def restore_locked(
    ws: Workspace, ref: str, progress: RestoreProgress | None = None
) -> RestoreResult:
    progress = progress or RestoreProgress()
    ws.require_lfs()
    ws.ensure_cache()
    tip = ws.fetch()
    commit = resolve(ws, ref, tip)
    target = read_data_files(ws.git, commit)
    size = sum(f.size for f in target.values() if not is_side_file(f.path))
    saved = load_state(ws.state_file)
    local = scan(ws.data_dir)
    dirty = saved.is_dirty(local)
    if not dirty and _same_content(saved, target):
        ws.set_restore_pending(False)
        progress.phase("done")
        return RestoreResult("unchanged", commit, None, size)

    # Stage and verify before the safety backup: a restore that cannot happen (a missing
    # object, a damaged database, a dead remote) leaves no safety backup on top of the branch.
    live = _reusable(saved, local, target)
    staging, downloaded = stage(ws, commit, target, progress, live=live)
    try:
        progress.phase("checking")
        verify_staging(staging, target, CheckedDatabases(ws.home / "checked-databases"))
        progress.phase("saving")
        safety = _safety_backup(ws, commit, target) if dirty else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(ws, commit, target)
    _commit_restored_state(ws, commit)
    progress.phase("done")
    return RestoreResult("restored", commit, safety, size, downloaded)


def _reusable(
    saved: SavedState, local: list[LocalFile], target: dict[str, StoredFile]
) -> dict[str, LocalFile]:
    """Live files that hold exactly the target's content, by the same stat evidence a
    backup trusts to skip a file: copying them spares downloading and rebuilding them."""
    reusable = {}
    for file in local:
        known = saved.matching(file)
        wanted = target.get(file.path)
        if known and wanted and known.blob == wanted.blob and not is_side_file(file.path):
            reusable[file.path] = file
    return reusable


def _safety_backup(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> str | None:
    """Save the data about to be replaced. Forced: whatever it is, it must be kept, and the
    restore commits the restored data on top of it right after."""
    result = backup_locked(
        ws,
        message=f"Safety backup before restoring {commit[:8]}",
        kind="pre-restore",
        force=True,
        keep=set(lfs_objects(target.values())),
    )
    return result.commit if result.status == "created" else None


def _same_content(saved: SavedState, target: dict[str, StoredFile]) -> bool:
    wanted = {p: f.blob for p, f in target.items() if not is_side_file(p)}
    return {p: f.blob for p, f in saved.files.items()} == wanted


def stage(
    ws: Workspace,
    commit: str,
    target: dict[str, StoredFile],
    progress: RestoreProgress | None = None,
    *,
    live: dict[str, LocalFile] | None = None,
) -> tuple[Path, int]:
    """Build the backup's data directory beside the live one; clean up on any failure.

    Files in `live` are copied from the data directory; the others are rebuilt from
    LFS objects, fetching those the cache lacks. Returns the directory and the bytes
    downloaded.
    """
    live = live or {}
    staging = ws.staging_dir
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        files = [f for f in target.values() if not is_side_file(f.path)]
        rebuilt = [f for f in files if f.path not in live]
        downloaded = fetch_objects(ws, commit, {f.path: f for f in rebuilt}, progress)
        copied_away = [f for f in files if f.path in live and not _copy_live(live[f.path], staging)]
        if copied_away:  # changed while being copied: rebuild those from the backup
            downloaded += fetch_objects(ws, commit, {f.path: f for f in copied_away})
            rebuilt += copied_away
        # zstd, sha256 and writes release the GIL: files rebuild in parallel on each core.
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            list(pool.map(lambda file: _rebuild(ws, file, staging), rebuilt))
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


_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _rebuild(ws: Workspace, file: StoredFile, staging: Path) -> None:
    with PackReader(ws.store) as packs:
        write_file(ws, file, staging / file.path, packs)


def _copy_live(file: LocalFile, staging: Path) -> bool:
    """Copy a live file; False when it changed meanwhile (the copy cannot be trusted)."""
    target = staging / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(file.absolute, target)
        return signature(file.absolute) == file.signature
    except FileNotFoundError:
        return False


def fetch_objects(
    ws: Workspace,
    commit: str,
    target: dict[str, StoredFile],
    progress: RestoreProgress | None = None,
) -> int:
    """Bring the LFS objects of `target` into the cache, only those it lacks; return the
    bytes downloaded. VerificationFailed if the remote lacks any."""
    progress = progress or RestoreProgress()
    missing = {
        oid: size
        for oid, size in lfs_objects(target.values()).items()
        if not ws.store.has(Pointer(oid, size))
    }
    progress.downloading(
        total_bytes=sum(missing.values()),
        files=len(target),
        measure=lambda: ws.store.bytes_present(missing),
    )
    if not missing:
        return 0
    result = ws.git.lfs_fetch(commit, include=_include(target.values(), missing))
    lacking = [
        f.path
        for f in target.values()
        if any(not ws.store.has(Pointer(o, s)) for o, s in f.lfs_objects.items())
    ]
    if lacking:
        if result.returncode != 0 and not remote_errors.is_bad_object(result):
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


def write_file(ws: Workspace, file: StoredFile, target: Path, packs: PackReader) -> None:
    """Write one file of a backup whose LFS objects are in the cache."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if file.manifest is not None:
        try:
            assemble(file.manifest, packs, target)
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
        shutil.copyfile(ws.store.path(file.pointer.oid), target)


def verify_staging(
    staging: Path, target: dict[str, StoredFile], checked: CheckedDatabases | None = None
) -> None:
    """No pointer files, sizes as recorded, SQLite files pass quick_check."""
    for file in target.values():
        if is_side_file(file.path):
            continue
        path = staging / file.path
        problem = None
        if path.stat().st_size != file.size:
            problem = "has the wrong size"
        elif file.pointer and looks_like_pointer(path):
            problem = "is an LFS pointer, not its content"
        elif is_sqlite(path) and not _healthy(path, file, checked):
            problem = "is a damaged SQLite database"
        if problem:
            shutil.rmtree(staging, ignore_errors=True)
            raise VerificationFailed(
                f"{file.path} in this backup {problem}; pick another restore point. "
                "The data was not touched."
            )


def _healthy(path: Path, file: StoredFile, checked: CheckedDatabases | None) -> bool:
    oid = file.content_id
    if oid and checked and checked.passed(oid):
        return True
    healthy = is_healthy(path)
    if healthy and oid and checked:
        checked.remember(oid)
    return healthy


def journal_for(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> Journal:
    files = {
        p: [f.content_id or "", f.size, f.blob] for p, f in target.items() if not is_side_file(p)
    }
    staging = ws.staging_dir
    return Journal(commit, str(ws.data_dir), str(staging), os.stat(staging).st_ino, files)


def _swap_in(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> None:
    journal = journal_for(ws, commit, target)
    write_journal(ws.journal_file, journal)
    complete_swap(journal)
    record_restored(ws, journal)
    ws.journal_file.unlink()


def _commit_restored_state(ws: Workspace, commit: str) -> None:
    """Make the restored data the newest backup, so a restart does not bring back the old."""
    try:
        backup_locked(
            ws, message=f"Restore of {commit[:8]}", kind="manual", fetch=False, force=True
        )
    except SyncError as exc:
        log.warning("Restored %s; recording it as the newest backup failed: %s", commit, exc)
