"""The restore journal: an atomic directory swap that survives SIGKILL at any point.

The journal is written after the staging directory is verified and before
anything live is touched. It records the staging directory's inode, so the
next command can tell whether the swap happened: if the data directory now
has that inode, only cleanup is left; otherwise the swap is done again.
Either way the data directory ends up wholly the old state or wholly the new.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from sync.local.atomic import write_atomic
from sync.local.mount import MARKER, RETIRED, swap_contents

log = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Journal:
    commit: str
    data_dir: str
    staging: str
    staging_inode: int
    files: dict[str, list]  # path -> [oid, size, blob]: what the restored data holds
    contents: bool = False  # a mount point: its entries are swapped (`sync.local.mount`)

    @property
    def retired(self) -> Path:
        """Where the old data sits when the swap cannot exchange in one step."""
        return Path(f"{self.staging}.old")


def write_journal(path: Path, journal: Journal) -> None:
    write_atomic(path, json.dumps(asdict(journal)).encode())


def read_journal(path: Path) -> Journal | None:
    try:
        return Journal(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        log.error("Ignoring an unreadable restore journal at %s", path)
        return None


def complete_swap(journal: Journal) -> bool:
    """Put the staged directory in place (again, if need be) and drop the old data.

    Returns False when neither the staged nor the swapped-in directory exists,
    which means the journal is stale and nothing was changed.
    """
    data, staging = Path(journal.data_dir), Path(journal.staging)
    if journal.contents:
        return _complete_contents(journal)
    if not _has_inode(data, journal.staging_inode):
        if not _has_inode(staging, journal.staging_inode):
            return False
        _swap(staging, data, journal.retired)
    for leftover in (staging, journal.retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    return True


def _complete_contents(journal: Journal) -> bool:
    data, staging = Path(journal.data_dir), Path(journal.staging)
    started = (data / MARKER).exists() or (data / RETIRED).exists()
    if started or _has_inode(staging, journal.staging_inode):
        swap_contents(data)
        return True
    # No staging left: the swap finished before the journal was removed, or the journal
    # is stale. Only the first leaves the data holding every restored file.
    return all(
        (data / path).is_file() and (data / path).stat().st_size == size
        for path, (_, size, _) in journal.files.items()
    )


def _has_inode(path: Path, inode: int) -> bool:
    try:
        return path.stat().st_ino == inode
    except FileNotFoundError:
        return False


def _swap(staging: Path, data: Path, retired: Path) -> None:
    """Exchange the directories atomically where the kernel can; else two renames."""
    if not data.exists():
        os.rename(staging, data)
        return
    if _exchange(staging, data):
        return
    if not retired.exists():
        os.rename(data, retired)
    os.rename(staging, data)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # this filesystem cannot exchange; fall back to two renames
    raise OSError(error, os.strerror(error), str(b))
