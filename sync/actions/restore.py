"""Restore: make the data directory exactly a backup, verified first, swapped atomically."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from sync.actions.backup import backup_locked
from sync.actions.recovery import record_restored, recover
from sync.actions.resolve import resolve
from sync.content.chunker import SQLITE_BLOCKS
from sync.errors import InvalidRef, SyncError, VerificationFailed
from sync.layout.staging import Base, drop_damaged, stage
from sync.layout.state import SavedState, load_state
from sync.layout.stored import StoredFile, describe_blobs, lfs_objects, read_data_files
from sync.local.journal import Journal, complete_swap, write_journal
from sync.local.mount import is_mount_point
from sync.local.progress import RestoreProgress
from sync.local.snapshot import LocalFile, is_side_file, scan
from sync.local.sqlitefile import CheckedDatabases, is_healthy, is_sqlite
from sync.models import NOTE_PREFIXES, BackupResult, RestoreResult, UnrecordedRestore
from sync.oplog import Recording, record
from sync.refs import validate_ref
from sync.repo.lfs import looks_like_pointer
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)
FULL_ID = 40
RESTORED_TRAILER = "Kura-Restored"
REPLACED_TRAILER = "Kura-Replaced"


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
            note_restore(recording, result)
        return result


def note_restore(recording: Recording, result: RestoreResult) -> None:
    """What the operations log keeps of a restore: one it could not record counts as a
    failure, so every session sees it until a backup records it."""
    recording.status, recording.bytes = result.status, result.bytes
    recording.downloaded = result.downloaded
    if result.unrecorded is not None:
        error = result.unrecorded
        recording.failure = (error.code, unrecorded_message(result.commit, error))


def restore_locked(
    ws: Workspace, ref: str, progress: RestoreProgress | None = None, *, undo: bool = False
) -> RestoreResult:
    """The restore itself, under the operation lock. `undo`: it brings back what the
    newest restore replaced, and its commit says so (kind `undo`)."""
    progress = progress or RestoreProgress()
    ws.require_lfs()
    fetched = ws.ensure_cache()
    commit = _resolve(ws, ref, fetched=fetched)
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
    live, bases = _from_live(ws, saved, local, target)
    checked = CheckedDatabases(ws.home / "checked-databases")
    try:
        staging, downloaded = stage(
            ws, commit, target, progress, live=live, bases=bases, checked=checked
        )
    except VerificationFailed:
        if not drop_damaged(ws, target.values()):
            raise
        # A cached pack was damaged on disk: the remote's copy, fetched again, is not.
        staging, downloaded = stage(
            ws, commit, target, progress, live=live, bases=bases, checked=checked
        )
    try:
        progress.phase("checking")
        verify_staging(staging, target, checked)
        progress.phase("saving")
        safety = _safety_backup(ws, commit, target) if dirty else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(ws, commit, target)
    unrecorded = _commit_restored_state(ws, commit, replaced=safety or saved.commit, undo=undo)
    progress.phase("done")
    if unrecorded is not None:
        return RestoreResult("unrecorded", commit, safety, size, downloaded, unrecorded)
    return RestoreResult("restored", commit, safety, size, downloaded)


def _resolve(ws: Workspace, ref: str, *, fetched: bool) -> str:
    """A full commit id the cache already reaches (a pick from the history table) needs no
    fetch: if the remote moved meanwhile, recording the restore fetches and re-commits on
    its new tip. `latest`, prefixes and unknown ids are resolved against a fresh fetch
    (`fetched`: the cache was made or re-pointed just now, and fetched then)."""
    cached = ws.tip()
    if cached and len(ref) == FULL_ID:
        with contextlib.suppress(InvalidRef):
            return resolve(ws, ref, cached)
    return resolve(ws, ref, cached if fetched else ws.fetch())


def _from_live(
    ws: Workspace, saved: SavedState, local: list[LocalFile], target: dict[str, StoredFile]
) -> tuple[dict[str, LocalFile], dict[str, Base]]:
    """What the live files lend the restore, by the same stat evidence a backup trusts to
    skip a file: those holding exactly the target's content are copied whole; the others
    whose content is known lend the chunks they share with the target (`Base`)."""
    live, known = {}, {}
    for file in local:
        saved_file = saved.matching(file)
        wanted = target.get(file.path)
        if not saved_file or not wanted or is_side_file(file.path):
            continue
        if saved_file.oid == wanted.content_id:
            live[file.path] = file
        elif wanted.manifest:
            # Each lent chunk is checked against its id as it is read: a database's file
            # is not what its backup holds byte for byte (its header counts commits, its
            # WAL may hold pages), and a chunk it does not hold sends the file back to
            # its packs alone.
            known[file.path] = (file, saved_file.blob)
    described = describe_blobs(ws.git, {p: blob for p, (_, blob) in known.items()}, chunked=True)
    bases = {
        path: Base.of(file, manifest)
        for path, (file, _) in known.items()
        if (manifest := described[path].manifest)
    }
    return live, bases


def _safety_backup(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> str | None:
    """Save the data about to be replaced. Forced: whatever it is, it must be kept, and the
    restore commits the restored data on top of it right after."""
    result = backup_locked(
        ws,
        message=NOTE_PREFIXES["pre-restore"] + commit[:8],
        kind="pre-restore",
        force=True,
        keep=set(lfs_objects(target.values())),
        compaction=False,
    )
    return result.commit if result.status == "created" else None


def _same_content(saved: SavedState, target: dict[str, StoredFile]) -> bool:
    wanted = {p: f.blob for p, f in target.items() if not is_side_file(p)}
    return {p: f.blob for p, f in saved.files.items()} == wanted


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
        elif _stored_as_database(file) and is_sqlite(path) and not _healthy(path, file, checked):
            problem = "is a damaged SQLite database"
        if problem:
            shutil.rmtree(staging, ignore_errors=True)
            raise VerificationFailed(
                f"{file.path} in this backup {problem}; pick another restore point. "
                "The data was not touched."
            )


def _stored_as_database(file: StoredFile) -> bool:
    """A file backed up as a database (by SQLite's own reading) must open as one; a file
    that only starts like one was stored as its bytes, which its hash already proves."""
    return file.manifest is None or file.manifest.chunker in SQLITE_BLOCKS


def _healthy(path: Path, file: StoredFile, checked: CheckedDatabases | None) -> bool:
    return checked.check(path, file.content_id) if checked else is_healthy(path)


def journal_for(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> Journal:
    files = {
        p: [f.content_id or "", f.size, f.blob] for p, f in target.items() if not is_side_file(p)
    }
    staging = ws.staging_dir
    contents = is_mount_point(ws.data_dir)
    return Journal(commit, str(ws.data_dir), str(staging), os.stat(staging).st_ino, files, contents)


def _swap_in(ws: Workspace, commit: str, target: dict[str, StoredFile]) -> None:
    journal = journal_for(ws, commit, target)
    write_journal(ws.journal_file, journal)
    complete_swap(journal)
    record_restored(ws, journal)
    ws.journal_file.unlink()


def _commit_restored_state(
    ws: Workspace, commit: str, *, replaced: str | None, undo: bool
) -> SyncError | None:
    """Make the restored data the newest backup, so a restart does not bring back the old;
    the error that kept it from being recorded, if any. The intent is written first: a
    refused push, or a kill while pushing, leaves it for the next backup to record
    (`record_restore`), and no backup records the older data over it meanwhile."""
    intent = UnrecordedRestore(commit, replaced, undo)
    ws.set_restore_unrecorded(intent)
    try:
        # On the remote's newest tip, fetched now: the restore may have resolved its target
        # from the cache alone, and that remote may since have moved, or been emptied.
        record_restore(ws, intent)
    except SyncError as exc:
        log.warning("Restored %s; recording it as the newest backup failed: %s", commit, exc)
        return exc
    return None


def record_restore(ws: Workspace, intent: UnrecordedRestore, *, fetch: bool = True) -> BackupResult:
    """Commit the restored data on top of the branch. Its trailers name the backup it
    brought back and the one whose data it replaced (the safety backup, or this host's
    last backup or restore): what an undo brings back. Forced and unmerged: the restored
    data exactly (rows merge back on later backups), on whatever tip the remote has."""
    trailers = {RESTORED_TRAILER: intent.restored}
    if intent.replaced:
        trailers[REPLACED_TRAILER] = intent.replaced
    result = backup_locked(
        ws,
        message=intent.message,
        kind=intent.kind,
        trailers=trailers,
        fetch=fetch,
        force=True,
        merge=False,
        compaction=False,
    )
    ws.set_restore_unrecorded(None)
    return result


def unrecorded_message(commit: str, error: SyncError) -> str:
    return (
        f"Restored {commit[:8]}, but it is not recorded as the newest backup yet: "
        f"{error.message} Kura records it at the next backup (or Record it now on the "
        "admin page); until then a fresh host would restore the older data."
    )
