"""Git LFS pointers and the cache's LFS object store.

Kura writes its packs (`sync.content.pack`) straight into the store, in the
exact layout git-lfs uses, so `git lfs push` uploads them and `git lfs fetch`
fills the same store on restore. From a remote on this machine (a path or a
`file://` URL, whose own store has the same layout) Kura copies the objects itself:
`git lfs fetch` copies them one at a time, four times slower than two threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

POINTER_VERSION = "https://git-lfs.github.com/spec/v1"
MAX_POINTER_SIZE = 1024
CHUNK = 1024 * 1024
COPIERS = 2  # objects copied from a local remote at a time (the copy and the hash free the GIL)
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

    def delete(self, oid: str) -> None:
        self.path(oid).unlink(missing_ok=True)

    def is_intact(self, pointer: Pointer) -> bool:
        """The object is here and hashes to its id (a size check misses a flipped byte)."""
        if not self.has(pointer):
            return False
        digest = hashlib.sha256()
        with self.path(pointer.oid).open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        return digest.hexdigest() == pointer.oid

    def bytes_present(self, objects: dict[str, int]) -> int:
        """Bytes of `objects` (oid: size) stored so far, partial downloads included."""
        done = sum(size for oid, size in objects.items() if self.has(Pointer(oid, size)))
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

    def copy_from(self, source: LfsStore, objects: dict[str, int]) -> None:
        """Bring `objects` (oid: size) from another store on this machine, as git-lfs
        would: each hashed as it is copied and put in place whole (a rebuild waiting for
        it never reads half of one). One that is absent there, or does not hash to its
        id, is left out: the caller reports what is still missing."""
        with ThreadPoolExecutor(max_workers=COPIERS, thread_name_prefix="kura-copy") as pool:
            for _ in pool.map(lambda item: self._copy_one(source, *item), objects.items()):
                pass

    def _copy_one(self, source: LfsStore, oid: str, size: int) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="kura-in-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, source.path(oid).open("rb") as handle:
                while block := handle.read(CHUNK):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() == oid and os.path.getsize(name) == size:
                os.chmod(name, 0o644)  # as git-lfs leaves them: other users' hosts read them
                self.path(oid).parent.mkdir(parents=True, exist_ok=True)
                os.replace(name, self.path(oid))
        except FileNotFoundError:
            pass  # not in the source store: missing, as git-lfs would report it
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def clean_tmp(self) -> None:
        for stale in self.tmp.glob("kura-*") if self.tmp.is_dir() else ():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


def local_store(url: str) -> LfsStore | None:
    """The LFS store of a remote on this machine (an absolute path or a `file://` URL,
    a bare repository or a work tree's `.git`); None for any other remote."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        path = Path(urllib.parse.unquote(parts.path))
    elif url.startswith("/"):
        path = Path(url)
    else:
        return None
    return LfsStore(path / ".git" if (path / ".git").is_dir() else path)
