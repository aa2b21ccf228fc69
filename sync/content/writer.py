"""Storing files as chunks: chunks the remote lacks go into new packs, the rest are named."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from sync.content.chunker import chunker_for, cut
from sync.content.index import ChunkIndex
from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import PackWriter
from sync.lfs import LfsStore


@dataclass(frozen=True)
class PendingFile:
    """A stored file whose new chunks sit in packs that may not be sealed yet."""

    size: int
    sha256: str
    chunker: str
    chunks: tuple[str, ...]  # chunk ids, in file order


class ContentWriter:
    """One backup's writer: deduplicates against `index` and within itself.

    Example::

        writer = ContentWriter(store, ChunkIndex(parent_manifests))
        with path.open("rb") as source:
            pending = writer.add(source, sqlite=False)
        new_packs = writer.finish()  # {oid: size}, to upload before the commit
        manifest = writer.manifest(pending)
    """

    def __init__(self, store: LfsStore, index: ChunkIndex) -> None:
        self._index = index
        self._packs = PackWriter(store)
        self._placed: dict[str, tuple[int, int]] = {}  # chunk id: (ticket, size)
        self._sealed: list[tuple[str, int]] | None = None

    def add(self, source: BinaryIO, *, sqlite: bool) -> PendingFile:
        whole = hashlib.sha256()
        chunks, size = [], 0
        for chunk in cut(source, sqlite=sqlite):
            whole.update(chunk)
            chunk_id = hashlib.sha256(chunk).hexdigest()
            if chunk_id not in self._placed and self._index.get(chunk_id) is None:
                self._placed[chunk_id] = (self._packs.add(chunk), len(chunk))
            chunks.append(chunk_id)
            size += len(chunk)
        return PendingFile(size, whole.hexdigest(), chunker_for(sqlite=sqlite), tuple(chunks))

    def finish(self) -> dict[str, int]:
        """Seal the last pack; the packs this writer made, {oid: size}."""
        self._sealed, placements = self._packs.finish()
        for chunk_id, (ticket, size) in self._placed.items():
            placement = placements[ticket]
            oid, pack_size = self._sealed[placement.pack]
            ref = ChunkRef(chunk_id, size, oid, placement.offset, placement.length)
            self._index.add(ref, pack_size)
        return dict(self._sealed)

    def discard(self) -> None:
        self._packs.discard()

    def manifest(self, pending: PendingFile) -> Manifest:
        """The manifest of a file added before `finish`."""
        assert self._sealed is not None, "finish() first"
        chunks = tuple(self._known(chunk_id) for chunk_id in pending.chunks)
        packs = {c.pack: self._index.pack_size(c.pack) for c in chunks}
        return Manifest(pending.size, pending.sha256, pending.chunker, chunks, packs)

    def _known(self, chunk_id: str) -> ChunkRef:
        ref = self._index.get(chunk_id)
        if ref is None:
            raise KeyError(f"chunk {chunk_id} was neither placed nor known")
        return ref
