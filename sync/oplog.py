"""Every operation, recorded under KURA_HOME (never backed up): the monitoring data.

One JSON object per line, appended with O_APPEND so that processes do not
interleave; the file is trimmed to its newest entries as it grows. Appends and trims
take one file lock: a trim rewrites the file, and an entry another process appended
to the old file meanwhile would be lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from sync.errors import SyncError

log = logging.getLogger(__name__)
KEEP = 5000
_ENTRY_BYTES = 200  # about the size of one entry: the log is counted only past KEEP's bytes
_LOCK_WAIT = 10.0
_TAIL = 64 * 1024


ATTEMPTS = ("backup", "restore")  # what the failure badge and Health's failure speak of


@dataclass(frozen=True)
class Operation:
    operation: str  # backup | restore | verify
    kind: str  # manual | auto | pre-restore | startup
    started: str  # ISO-8601
    seconds: float
    ok: bool
    bytes: int = 0
    status: str = ""  # created | unchanged | restored ...
    code: str = ""  # the error code when it failed
    message: str = ""  # the one-line user message when it failed
    uploaded: int = 0  # LFS bytes sent (a backup's new packs)
    downloaded: int = 0  # LFS bytes fetched (a restore's or a deep verify's)

    @property
    def started_at(self) -> datetime:
        return datetime.fromisoformat(self.started)


@dataclass
class Recording:
    """Filled in by the operation while it runs."""

    bytes: int = 0
    status: str = ""
    uploaded: int = 0
    downloaded: int = 0
    # (code, message): the operation did its work but fell short (a restore it could not
    # record), so the log counts it as failed without an exception.
    failure: tuple[str, str] | None = None


def log_path(home: Path) -> Path:
    return home / "operations.jsonl"


@contextlib.contextmanager
def record(home: Path, operation: str, kind: str) -> Iterator[Recording]:
    """Time the block and append its outcome; an error is recorded, then re-raised."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    recording = Recording()
    failure: tuple[str, str] | None = ("interrupted", "The operation was interrupted.")
    try:
        yield recording
        failure = None
    except Exception as exc:
        failure = (
            (exc.code, exc.message)
            if isinstance(exc, SyncError)
            else ("internal", "Unexpected error; see the server log.")
        )
        raise
    finally:
        failure = failure or recording.failure
        code, message = failure or ("", "")
        seconds = time.monotonic() - clock
        append(
            home,
            Operation(
                operation,
                kind,
                started.isoformat(),
                seconds,
                failure is None,
                recording.bytes,
                recording.status,
                code,
                message,
                recording.uploaded,
                recording.downloaded,
            ),
        )


def append(home: Path, entry: Operation, *, keep: int = KEEP) -> None:
    """Add one entry; past twice `keep` entries, trim to the newest `keep` (and this
    month's downloads). Never raises: a log that cannot be written must not turn a
    finished backup into a failure; the server log says why."""
    path = log_path(home)
    line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(_lock_path(home), timeout=_LOCK_WAIT, is_singleton=False)
        try:
            lock.acquire()
        except Timeout:  # an append alone is safe (O_APPEND); only the trim needs the lock
            _write(path, line)
            return
        try:
            _write(path, line)
            if path.stat().st_size > 2 * keep * _ENTRY_BYTES:
                _trim(path, keep)
        finally:
            lock.release()
    except OSError as exc:
        log.warning("Could not record the %s in the operations log: %s", entry.operation, exc)


def _lock_path(home: Path) -> Path:
    return home / "operations.lock"


def _write(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _trim(path: Path, keep: int) -> None:
    """Keep the newest `keep` entries, and every older one of this month that downloaded
    LFS bytes: at a backup a minute KEEP is a few days, and the month's bandwidth (GitHub's
    other quota) must still count every restore and verify. Called under the log's lock."""
    lines = path.read_bytes().splitlines(keepends=True)
    if len(lines) <= 2 * keep:
        return
    month = datetime.now(UTC).strftime("%Y-%m")
    kept = [line for line in lines[:-keep] if _downloaded_in(line, month)]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".operations-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join([*kept, *lines[-keep:]]))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _downloaded_in(line: bytes, month: str) -> bool:
    download = _download(line)
    return download is not None and download[0].strftime("%Y-%m") == month


def _download(line: bytes) -> tuple[datetime, int] | None:
    """(when it started, LFS bytes) of an entry that downloaded some; None for the rest,
    most of which (backups that downloaded nothing) are passed over without parsing."""
    if b'"downloaded": 0' in line:
        return None
    try:
        entry = json.loads(line)
        started = datetime.fromisoformat(entry["started"]).astimezone(UTC)
        downloaded = int(entry["downloaded"])
    except (ValueError, KeyError, TypeError):
        return None
    return (started, downloaded) if downloaded > 0 else None


def last_attempt(
    home: Path, operations: tuple[str, ...] = ATTEMPTS, *, ok: bool | None = None
) -> Operation | None:
    """The newest entry of these operations (only successes or failures, with `ok`), read
    from the end of the log (its last 64 KiB: a few hundred entries), so that status costs
    the same whatever the log holds."""
    try:
        with log_path(home).open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - _TAIL))
            tail = handle.read().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(tail):
        try:
            entry = Operation(**json.loads(line))
        except (ValueError, TypeError):
            continue  # the first line of the tail may be cut, or a line damaged
        if entry.operation in operations and ok in (None, entry.ok):
            return entry
    return None


def downloaded_since(home: Path, start: datetime) -> int:
    """LFS bytes every operation since `start` downloaded. Status asks on every page: the
    log holds up to 10,000 entries, nearly all backups that downloaded nothing."""
    try:
        lines = log_path(home).read_bytes().splitlines()
    except FileNotFoundError:
        return 0
    downloads = (d for d in map(_download, lines) if d is not None)
    return sum(size for started, size in downloads if started >= start)


def read_operations(home: Path) -> list[Operation]:
    """Oldest first; unreadable lines are skipped."""
    try:
        raw = log_path(home).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in raw:
        try:
            entries.append(Operation(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return entries


@dataclass(frozen=True)
class Health:
    rate_7_days: float | None  # share of successful operations, None when there were none
    rate_last_100: float | None
    # The newest success of the operation that failed last (a backup when none did): a
    # verify that worked says nothing about backups that fail.
    last_success: Operation | None
    last_failed: Operation | None  # the newest failed backup or restore, however long ago


def health(entries: list[Operation], *, now: datetime | None = None) -> Health:
    now = now or datetime.now(UTC)
    week = [e for e in entries if e.started_at >= now - timedelta(days=7)]
    recent = entries[-100:]
    failed = next((e for e in reversed(entries) if not e.ok and e.operation in ATTEMPTS), None)
    operation = failed.operation if failed else "backup"
    return Health(
        rate_7_days=_rate(week),
        rate_last_100=_rate(recent),
        last_success=next(
            (e for e in reversed(entries) if e.ok and e.operation == operation), None
        ),
        last_failed=failed,
    )


def _rate(entries: list[Operation]) -> float | None:
    return sum(e.ok for e in entries) / len(entries) if entries else None
