"""Restores into a data directory that is a mount point (a Docker volume, a Kubernetes
volume): its contents are swapped, since the directory itself cannot be renamed.

The staging directory is built inside the mount (one filesystem, so every move is a
rename), and the swap runs in two phases under the restore journal:

1. every old entry moves into `.kura-retired` inside the mount; a marker file then
   says that phase is over;
2. every staged entry moves into the data directory; then both are removed.

A SIGKILL anywhere leaves a state the next command finishes: before the marker,
whatever is in the data directory is old and moves out; after it, whatever is
there is new and the rest of the staged entries move in.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

STAGING = ".kura-staging"
RETIRED = ".kura-retired"
MARKER = ".kura-retired-all"  # phase 1 is over: every old entry is in RETIRED
# Never swapped: Kura's own entries, and the one a fresh ext4 volume comes with.
INTERNAL = frozenset({STAGING, RETIRED, MARKER, "lost+found"})


def is_mount_point(path: Path) -> bool:
    """A directory something is mounted on: another device than its parent (`ismount`),
    or listed by the kernel (a bind mount from the same filesystem, which devices cannot
    tell)."""
    return os.path.ismount(path) or str(path.resolve()) in _mount_points()


def _mount_points() -> set[str]:
    """Where this process's mount namespace has something mounted (Linux)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return set()
    # The fifth field is the mount point, with spaces and the like as octal escapes.
    return {_unescape(line.split()[4]) for line in lines if len(line.split()) > 4}


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def swap_contents(data: Path) -> None:
    """Replace the data directory's entries with the staged ones; safe to run again."""
    staging, retired, marker = data / STAGING, data / RETIRED, data / MARKER
    if not marker.exists():
        retired.mkdir(exist_ok=True)
        for entry in _entries(data):
            os.rename(entry, retired / entry.name)
        _sync_directory(data)
        marker.touch()
        _sync_directory(data)
    if staging.exists():
        for entry in _entries(staging):
            os.rename(entry, data / entry.name)
        _sync_directory(data)
        shutil.rmtree(staging)
    shutil.rmtree(retired, ignore_errors=True)
    marker.unlink(missing_ok=True)


def _entries(directory: Path) -> list[Path]:
    return [e for e in directory.iterdir() if e.name not in INTERNAL]


def _sync_directory(directory: Path) -> None:
    """Make the renames durable before the next phase starts."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
