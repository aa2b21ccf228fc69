"""Git LFS pointers and the cache's LFS object store.

Kura writes LFS objects itself while it snapshots (one pass: copy and hash),
in the exact layout git-lfs uses, so `git lfs push` uploads them and
`git lfs fetch` fills the same store on restore.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

POINTER_VERSION = "https://git-lfs.github.com/spec/v1"
MAX_POINTER_SIZE = 1024
CHUNK = 1024 * 1024
_POINTER = re.compile(
    rb"\Aversion https://git-lfs\.github\.com/spec/v1\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*?"
    rb"oid sha256:(?P<oid>[0-9a-f]{64})\n"
    rb"size (?P<size>0|[1-9][0-9]{0,18})\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*\Z"
)


@dataclass(frozen=True)
class Pointer:
    oid: str
    size: int

    def encode(self) -> bytes:
        return f"version {POINTER_VERSION}\noid sha256:{self.oid}\nsize {self.size}\n".encode()


def parse_pointer(data: bytes) -> Pointer | None:
    """The pointer a blob holds, or None when the blob is real content."""
    if len(data) > MAX_POINTER_SIZE:
        return None
    match = _POINTER.match(data)
    if not match:
        return None
    return Pointer(match["oid"].decode(), int(match["size"]))


def looks_like_pointer(path: Path) -> bool:
    """True when a file on disk is an LFS pointer instead of the content it stands for."""
    with path.open("rb") as handle:
        head = handle.read(MAX_POINTER_SIZE + 1)
    return parse_pointer(head) is not None


def copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Copy a stream while hashing it; return (sha256 hex, size). Memory stays flat."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while count := source.readinto(buffer):
        digest.update(view[:count])
        target.write(view[:count])
        size += count
    return digest.hexdigest(), size


class LfsStore:
    """`<git dir>/lfs/objects/ab/cd/<oid>`, the layout git-lfs reads and writes."""

    def __init__(self, git_dir: Path) -> None:
        self.root = git_dir / "lfs" / "objects"
        self.tmp = git_dir / "lfs" / "tmp"

    def path(self, oid: str) -> Path:
        return self.root / oid[:2] / oid[2:4] / oid

    def has(self, pointer: Pointer) -> bool:
        try:
            return self.path(pointer.oid).stat().st_size == pointer.size
        except FileNotFoundError:
            return False

    def add(self, write: Callable[[Path], tuple[str, int]]) -> Pointer:
        """Store what `write` puts into the temporary file it is given, under its hash."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="kura-")
        os.close(fd)
        try:
            oid, size = write(Path(name))
            target = self.path(oid)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(name, target)
            return Pointer(oid, size)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def add_file(self, path: Path) -> Pointer:
        """Store a copy of a regular file, hashing it on the way."""

        def write(tmp: Path) -> tuple[str, int]:
            with path.open("rb") as source, tmp.open("wb") as target:
                return copy_hashing(source, target)

        return self.add(write)

    def bytes_present(self, pointers: Iterable[Pointer]) -> int:
        """Bytes of `pointers` stored so far, partial downloads in `lfs/incomplete` included."""
        done = sum(p.size for p in pointers if self.has(p))
        incomplete = self.root.parent / "incomplete"
        if incomplete.is_dir():
            done += sum(f.stat().st_size for f in incomplete.iterdir() if f.is_file())
        return done

    def oids(self) -> set[str]:
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.glob("??/??/*") if len(p.name) == 64}

    def prune(self, keep: Iterable[str]) -> int:
        """Delete local objects not in `keep` (the remote holds them); return bytes freed."""
        freed = 0
        for oid in self.oids() - set(keep):
            path = self.path(oid)
            with contextlib.suppress(FileNotFoundError):
                freed += path.stat().st_size
                path.unlink()
        return freed

    def clean_tmp(self) -> None:
        for stale in self.tmp.glob("kura-*") if self.tmp.is_dir() else ():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
