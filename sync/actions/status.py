"""Status: the data directory, the last backup and `dirty`, with no network call."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from sync.actions.recovery import recover
from sync.actions.storage import storage_usage
from sync.errors import Busy
from sync.layout.state import load_state
from sync.local.snapshot import LocalFile, scan
from sync.local.sqlitefile import HEADER as SQLITE_HEADER
from sync.models import Failure, FileInfo, Status
from sync.oplog import last_attempt
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

_SNIFF = 4096


def status(ws: Workspace, *, storage: bool = False) -> Status:
    """The data directory and its backups; with `storage`, the LFS quota figures too
    (from the storage index, which reads only the backups since its last read)."""
    with contextlib.suppress(Busy), operation_lock(ws.lock_file):
        recover(ws)  # only when no operation runs: a live restore owns its journal
    local = scan(ws.data_dir)
    return Status(
        remote=ws.remote_display,
        branch=ws.branch,
        data_dir=str(ws.settings.data_dir),
        files=[_info(f) for f in local],
        last_backup=ws.last_backup(),
        dirty=load_state(ws.state_file).is_dirty(local),
        lfs_available=ws.lfs_available(),
        restore_pending=ws.restore_pending,
        restore_unrecorded=ws.restore_unrecorded,
        storage=storage_usage(ws) if storage else None,
        last_failure=last_failure(ws),
    )


def last_failure(ws: Workspace) -> Failure | None:
    """The last backup or restore attempt, when it failed: it stays visible to every
    session until an attempt succeeds."""
    attempt = last_attempt(ws.home)
    if attempt is None or attempt.ok:
        return None
    success = last_attempt(ws.home, (attempt.operation,), ok=True)
    return Failure(
        attempt.started_at,
        attempt.operation,
        attempt.code,
        attempt.message,
        last_success=success.started_at if success else None,
    )


def _info(file: LocalFile) -> FileInfo:
    modified = datetime.fromtimestamp(file.mtime_ns / 1e9, tz=UTC).astimezone()
    return FileInfo(file.path, file.size, modified, file_kind(file.absolute))


def file_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
    except OSError:
        return "binary"
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if b"\0" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        return "text" if exc.start >= len(head) - 3 else "binary"
    return "text"
