"""Rebuilding a file from its manifest, checked against its whole-content hash."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sync.content.chunker import SQLITE_BLOCKS
from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import BATCH, PackReader
from sync.errors import VerificationFailed
from sync.local.snapshot import LocalFile, signature
from sync.local.sqlitefile import reading

WRITE_BUFFER = 1024 * 1024  # 4 KiB pages written in 1 MiB calls, not 8 KiB ones


class BaseDiffers(VerificationFailed):
    """A live file no longer holds a chunk it was to lend (its bytes there do not hash to
    the chunk's id): rebuild that file from the backup alone."""


@dataclass(frozen=True)
class Base:
    """A live file whose content a manifest describes: its chunks can be read from it,
    each checked against its id as it is read."""

    file: LocalFile
    offsets: dict[str, tuple[int, int]]  # chunk id: (offset, size)

    @classmethod
    def of(cls, file: LocalFile, manifest: Manifest) -> Base:
        """A database's first page is stored as a copy writes its header (`sqlitefile`),
        not as the live file holds it: it is never lent."""
        offsets, position = {}, 0
        for index, chunk in enumerate(manifest.chunks):
            if index or manifest.chunker not in SQLITE_BLOCKS:
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
    with target.open("wb", buffering=WRITE_BUFFER) as out:
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
    with reading(base.file.absolute) as fd:
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            unpacked = iter(list(packs.read([c for c in batch if c.id not in base.offsets])))
            for chunk in batch:
                if chunk.id in base.offsets:
                    offset, size = base.offsets[chunk.id]
                    data = os.pread(fd, size, offset)
                    if hashlib.sha256(data).hexdigest() != chunk.id:
                        raise BaseDiffers(f"{base.file.path} changed since it was saved")
                    yield data
                else:
                    yield next(unpacked)
