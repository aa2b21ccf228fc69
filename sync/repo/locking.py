"""One backup or restore at a time, across threads and processes; and the cache's own
locks, which readers, fetches and maintenance share."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
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


@contextlib.contextmanager
def file_lock(path: Path, *, shared: bool = False, wait: float, busy: str = BUSY) -> Iterator[None]:
    """flock(2) on `path`: shared (many holders) or exclusive, within `wait` seconds or
    Busy. Each call opens its own descriptor, so threads of one process conflict as
    processes do, and the OS drops the lock when a holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(busy) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)
