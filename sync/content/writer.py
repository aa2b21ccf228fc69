"""Storing files as chunks: chunks the remote lacks go into new packs, the rest are named."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from sync.content.chunker import CONTENT_CHUNKER, cut
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
            pending = writer.add(source)
        new_packs = writer.finish()  # {oid: size}, to upload before the commit
        manifest = writer.manifest(pending)
    """

    def __init__(self, store: LfsStore, index: ChunkIndex) -> None:
        self._index = index
        self._packs = PackWriter(store)
        self._placed: dict[str, tuple[int, int]] = {}  # chunk id: (ticket, size)
        self._sealed: list[tuple[str, int]] | None = None

    def add(self, source: BinaryIO, chunker: str = CONTENT_CHUNKER) -> PendingFile:
        whole = _WholeHash()
        chunks, size = [], 0
        try:
            for chunk in cut(source, chunker):
                whole.update(chunk)
                chunk_id = hashlib.sha256(chunk).hexdigest()
                if chunk_id not in self._placed and self._index.get(chunk_id) is None:
                    self._placed[chunk_id] = (self._packs.add(chunk), len(chunk))
                chunks.append(chunk_id)
                size += len(chunk)
            digest = whole.hexdigest()
        finally:
            whole.close()
        return PendingFile(size, digest, chunker, tuple(chunks))

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


class _WholeHash:
    """The whole file's sha256, computed on another core while chunks are hashed here
    (hashlib releases the GIL): batches of chunks, in order, on one worker thread."""

    _BATCH = 64

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._batch: list[bytes] = []
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kura-hash")
        self._last: Future | None = None

    def update(self, chunk: bytes) -> None:
        self._batch.append(chunk)
        if len(self._batch) >= self._BATCH:
            self._submit()

    def hexdigest(self) -> str:
        self._submit()
        if self._last is not None:
            self._last.result()  # batches run in order: every one before it is hashed
        return self._digest.hexdigest()

    def close(self) -> None:
        self._worker.shutdown(cancel_futures=True)

    def _submit(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            self._last = self._worker.submit(self._hash, batch)
        except RuntimeError:
            # The interpreter is exiting (the goodbye backup runs from atexit), and
            # executors refuse new work then: hash here, after the batches before.
            if self._last is not None:
                self._last.result()
            self._last = None
            self._hash(batch)

    def _hash(self, batch: list[bytes]) -> None:
        for chunk in batch:
            self._digest.update(chunk)
