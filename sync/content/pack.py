"""Packs: compressed chunks grouped into one LFS object, so that uploads are few.

A pack is `KURAPACK 1\n` followed by zstd frames, one per chunk, each with its
content size and checksum. Nothing inside a pack says which file a chunk
belongs to: manifests point into packs. A pack nobody's manifest points into
(uploaded by a backup that never committed) is simply never read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

import zstandard

from sync.errors import VerificationFailed
from sync.lfs import LfsStore

MAGIC = b"KURAPACK 1\n"
TARGET_SIZE = 8 * 1024 * 1024  # a first backup of 300 MB makes about 20 packs
LEVEL = 3


@dataclass(frozen=True, slots=True)
class Placement:
    """Where `add` put a chunk: in the `pack`-th pack of this writer, still unnamed."""

    pack: int
    offset: int
    length: int


class PackWriter:
    """Append compressed chunks to packs of about `target` bytes in the store's tmp.

    Example::

        writer = PackWriter(store)
        placement = writer.add(b"chunk bytes")
        packs = writer.finish()  # [(oid, size)], in order: placement.pack indexes it
    """

    def __init__(self, store: LfsStore, *, target: int = TARGET_SIZE) -> None:
        self._store = store
        self._target = target
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
        self._sealed: list[tuple[str, int]] = []
        self._handle: BinaryIO | None = None
        self._name = ""
        self._digest = hashlib.sha256()
        self._size = 0

    def add(self, chunk: bytes) -> Placement:
        if self._handle is None:
            self._open()
        frame = self._compressor.compress(chunk)
        placement = Placement(len(self._sealed), self._size, len(frame))
        self._write(frame)
        if self._size >= self._target:
            self._seal()
        return placement

    def finish(self) -> list[tuple[str, int]]:
        """Seal the open pack; every pack written, as (oid, size), in order."""
        if self._handle is not None:
            self._seal()
        return list(self._sealed)

    def discard(self) -> None:
        """Drop the pack being written (the backup failed); sealed packs stay in the store."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._name)

    def _open(self) -> None:
        self._store.tmp.mkdir(parents=True, exist_ok=True)
        fd, self._name = tempfile.mkstemp(dir=self._store.tmp, prefix="kura-pack-")
        self._handle = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._size = 0
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        assert self._handle is not None
        self._handle.write(data)
        self._digest.update(data)
        self._size += len(data)

    def _seal(self) -> None:
        assert self._handle is not None
        self._handle.close()
        self._handle = None
        oid = self._digest.hexdigest()
        target = self._store.path(oid)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._name, target)
        self._sealed.append((oid, self._size))


class PackReader:
    """Read chunks back out of the packs in a store, keeping each pack open once."""

    def __init__(self, store: LfsStore) -> None:
        self._store = store
        self._handles: dict[str, BinaryIO] = {}
        self._decompressor = zstandard.ZstdDecompressor()

    def __enter__(self) -> PackReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()

    def read(self, pack: str, offset: int, length: int, size: int) -> bytes:
        """The chunk's raw bytes; VerificationFailed when the pack is missing or damaged."""
        handle = self._handle(pack)
        handle.seek(offset)
        frame = handle.read(length)
        try:
            chunk = self._decompressor.decompress(frame, max_output_size=size)
        except zstandard.ZstdError:
            raise VerificationFailed(f"pack {pack[:12]} is damaged") from None
        if len(frame) != length or len(chunk) != size:
            raise VerificationFailed(f"pack {pack[:12]} is damaged")
        return chunk

    def _handle(self, pack: str) -> BinaryIO:
        handle = self._handles.get(pack)
        if handle is None:
            try:
                handle = self._handles[pack] = self._store.path(pack).open("rb")
            except FileNotFoundError:
                raise VerificationFailed(f"pack {pack[:12]} is missing") from None
        return handle
