"""Rebuilding a file from its manifest, checked against its whole-content hash."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import BATCH, PackReader
from sync.errors import VerificationFailed
from sync.local.snapshot import LocalFile, signature


@dataclass(frozen=True)
class Base:
    """A live file whose content a manifest describes: its chunks can be read from it."""

    file: LocalFile
    offsets: dict[str, tuple[int, int]]  # chunk id: (offset, size)

    @classmethod
    def of(cls, file: LocalFile, manifest: Manifest) -> Base:
        offsets, position = {}, 0
        for chunk in manifest.chunks:
            offsets.setdefault(chunk.id, (position, chunk.size))
            position += chunk.size
        return cls(file, offsets)

    def unchanged(self) -> bool:
        try:
            return signature(self.file.absolute) == self.file.signature
        except FileNotFoundError:
            return False


def assemble(
    manifest: Manifest, packs: PackReader, target: Path, *, base: Base | None = None
) -> None:
    """Write the file at `target`; VerificationFailed if a pack is missing or the content
    does not hash to what the manifest says."""
    whole = hashlib.sha256()
    with target.open("wb") as out:
        for data in _contents(manifest.chunks, packs, base):
            whole.update(data)
            out.write(data)
    if whole.hexdigest() != manifest.sha256:
        raise VerificationFailed("its content does not match its hash")


def _contents(
    chunks: tuple[ChunkRef, ...], packs: PackReader, base: Base | None
) -> Iterator[bytes | memoryview]:
    if base is None:
        yield from packs.read(chunks)
        return
    fd = os.open(base.file.absolute, os.O_RDONLY)
    try:
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            unpacked = iter(list(packs.read([c for c in batch if c.id not in base.offsets])))
            for chunk in batch:
                if chunk.id in base.offsets:
                    offset, size = base.offsets[chunk.id]
                    yield os.pread(fd, size, offset)
                else:
                    yield next(unpacked)
    finally:
        os.close(fd)
