"""Storing files as chunks: chunks the remote lacks go into new packs, the rest are named."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from sync.content.chunker import CONTENT_CHUNKER, cut
from sync.content.index import ChunkIndex
from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import PackWriter
from sync.repo.lfs import LfsStore


@dataclass(frozen=True)
class PendingFile:
    """A stored file whose new chunks sit in packs that may not be sealed yet."""

    size: int
    sha256: str
    chunker: str
    chunks: tuple[str, ...]  # chunk ids, in file order
    known: tuple[ChunkRef | None, ...]  # where the remote holds each, if it did


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
        hasher = _Hasher()
        ids: list[str] = []
        refs: list[ChunkRef | None] = []
        size = 0
        try:
            # Hashing runs on another core (hashlib releases the GIL) a batch ahead of the
            # lookups and packing here.
            for chunks, chunk_ids in hasher.hashed(cut(source, chunker)):
                for chunk, chunk_id in zip(chunks, chunk_ids, strict=True):
                    ref = None if chunk_id in self._placed else self._index.get(chunk_id)
                    if ref is None and chunk_id not in self._placed:
                        self._placed[chunk_id] = (self._packs.add(chunk), len(chunk))
                    refs.append(ref)
                    size += len(chunk)
                ids += chunk_ids
            digest = hasher.hexdigest()
        finally:
            hasher.close()
        return PendingFile(size, digest, chunker, tuple(ids), tuple(refs))

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
        chunks = tuple(
            ref or self._known(chunk_id)
            for chunk_id, ref in zip(pending.chunks, pending.known, strict=True)
        )
        packs = {c.pack: self._index.pack_size(c.pack) for c in chunks}
        return Manifest(pending.size, pending.sha256, pending.chunker, chunks, packs)

    def _known(self, chunk_id: str) -> ChunkRef:
        ref = self._index.get(chunk_id)
        if ref is None:
            raise KeyError(f"chunk {chunk_id} was neither placed nor known")
        return ref


class _Hasher:
    """Chunk ids and the whole file's sha256, computed on a worker thread a batch ahead
    of the caller (hashlib releases the GIL, so the two run on two cores)."""

    _BATCH = 256

    def __init__(self) -> None:
        self._whole = hashlib.sha256()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kura-hash")

    def hashed(self, chunks: Iterable[bytes]) -> Iterator[tuple[list[bytes], list[str]]]:
        """(chunks, their ids) a batch at a time, in order."""
        pending: deque[tuple[list[bytes], Future[list[str]]]] = deque()
        batch: list[bytes] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= self._BATCH:
                pending.append((batch, self._submit(batch)))
                batch = []
                while len(pending) > 1:
                    done, ids = pending.popleft()
                    yield done, ids.result()
        if batch:
            pending.append((batch, self._submit(batch)))
        while pending:
            done, ids = pending.popleft()
            yield done, ids.result()

    def hexdigest(self) -> str:
        return self._whole.hexdigest()

    def close(self) -> None:
        self._worker.shutdown(cancel_futures=True)

    def _submit(self, batch: list[bytes]) -> Future[list[str]]:
        try:
            return self._worker.submit(self._hash, batch)
        except RuntimeError:
            # The interpreter is exiting (the goodbye backup runs from atexit), and
            # executors refuse new work then: hash here (batches before are done: the
            # caller took their results first).
            future: Future[list[str]] = Future()
            future.set_result(self._hash(batch))
            return future

    def _hash(self, batch: list[bytes]) -> list[str]:
        for chunk in batch:
            self._whole.update(chunk)
        return [hashlib.sha256(chunk).hexdigest() for chunk in batch]
