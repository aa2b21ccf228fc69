"""One backup or restore at a time, across threads and processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from sync.errors import Busy

BUSY = "A backup or restore is already running; try again when it finishes."


@contextlib.contextmanager
def operation_lock(path: Path, *, wait: float = 0, busy: str = BUSY) -> Iterator[None]:
    """Hold the lock for the block, or raise Busy (saying `busy`) at once, or after `wait`
    seconds for short reads that may queue behind a backup.

    A fresh, non-singleton FileLock per call means a second thread of the same
    process conflicts exactly like a second process does; the OS drops the
    lock when a holder dies, even by SIGKILL.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=wait, is_singleton=False, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(busy) from None
    try:
        yield
    finally:
        lock.release()


def is_locked(path: Path) -> bool:
    """True while another caller holds the operation lock."""
    try:
        with operation_lock(path):
            return False
    except Busy:
        return True
