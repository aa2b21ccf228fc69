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
import struct
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import zstandard

from sync.content.manifest import ChunkRef
from sync.errors import VerificationFailed
from sync.repo.lfs import LfsStore

MAGIC = b"KURAPACK 1\n"
TARGET_SIZE = 8 * 1024 * 1024  # a first backup of 300 MB makes about 20 packs
LEVEL = 3
BATCH = 64  # chunks a reader takes from a live file's base at a time
BATCH_BYTES = 1024 * 1024  # raw bytes compressed or decompressed together, on every core
BATCH_CHUNKS = 256


class DamagedPack(VerificationFailed):
    """A pack whose bytes do not hold what the manifests say (the packs' full ids)."""

    def __init__(self, *packs: str) -> None:
        super().__init__(f"pack {', '.join(p[:12] for p in packs)} is damaged")
        self.packs = packs


@dataclass(frozen=True, slots=True)
class Placement:
    """Where `add` put a chunk: in the `pack`-th pack of this writer, still unnamed."""

    pack: int
    offset: int
    length: int


class PackWriter:
    """Append compressed chunks to packs of about `target` bytes in the store's tmp.

    Chunks are compressed and written in batches by a worker thread (zstd and writes run
    outside the GIL), so packing one batch overlaps with cutting and hashing the next.

    Example::

        writer = PackWriter(store)
        ticket = writer.add(b"chunk bytes")
        packs, placements = writer.finish()
        placements[ticket]  # Placement(pack=0, ...): packs[0] is its (oid, size)
    """

    def __init__(self, store: LfsStore, *, target: int = TARGET_SIZE) -> None:
        self._store = store
        self._target = target
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
        self._queue: list[bytes] = []
        self._queued = 0  # raw bytes in the queue
        self._pending: deque[Future] = deque()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kura-pack")
        self._placements: list[Placement] = []
        self._added = 0
        self._sealed: list[tuple[str, int]] = []
        self._handle: BinaryIO | None = None
        self._name = ""
        self._digest = hashlib.sha256()
        self._size = 0

    def add(self, chunk: bytes) -> int:
        """Queue a chunk; its ticket indexes the placements `finish` returns."""
        self._queue.append(chunk)
        self._queued += len(chunk)
        self._added += 1
        if self._queued >= BATCH_BYTES or len(self._queue) >= BATCH_CHUNKS:
            self._flush()
        return self._added - 1

    def add_frame(self, frame: bytes) -> int:
        """Append a chunk that is compressed already (a frame copied out of another pack)."""
        self._drain()
        self._write_frames([frame])
        self._added += 1
        return self._added - 1

    def seal(self) -> None:
        """Close the open pack now: the next chunk starts a new one."""
        self._drain()
        if self._handle is not None:
            self._seal()

    def finish(self) -> tuple[list[tuple[str, int]], list[Placement]]:
        """Seal the open pack: every pack written, as (oid, size), and every placement."""
        self._drain()
        self._worker.shutdown()
        if self._handle is not None:
            self._seal()
        return list(self._sealed), list(self._placements)

    def discard(self) -> None:
        """Drop the pack being written (the backup failed); sealed packs stay in the store."""
        self._queue.clear()
        self._worker.shutdown(cancel_futures=True)
        self._pending.clear()
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._name)

    def _flush(self) -> None:
        if not self._queue:
            return
        batch, self._queue, self._queued = self._queue, [], 0
        try:
            future = self._worker.submit(self._pack, batch)
        except RuntimeError:
            # The interpreter is exiting (the goodbye backup runs from atexit), and
            # executors refuse new work then: pack here, after the batches before.
            self._drain_pending()
            self._pack(batch)
            return
        self._pending.append(future)
        while len(self._pending) > 2 or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()  # raises what went wrong on the worker

    def _drain(self) -> None:
        self._flush()
        self._drain_pending()

    def _drain_pending(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def _pack(self, batch: list[bytes]) -> None:
        """On the worker: compress a batch and append it, so that neither the compression
        nor the writes (which wait for the disk) hold up the reading and hashing."""
        self._write_frames(self._compress(batch))

    def _compress(self, batch: list[bytes]) -> list[bytes]:
        # Each chunk its own frame, as compress() makes it, the batch spread over the cores.
        frames = self._compressor.multi_compress_to_buffer(batch, threads=-1)
        return [frame.tobytes() for frame in frames]

    def _write_frames(self, frames: list[bytes]) -> None:
        for frame in frames:
            if self._handle is None:
                self._open()
            self._placements.append(Placement(len(self._sealed), self._size, len(frame)))
            self._write(frame)
            if self._size >= self._target:
                self._seal()

    def _open(self) -> None:
        self._store.tmp.mkdir(parents=True, exist_ok=True)
        fd, self._name = tempfile.mkstemp(dir=self._store.tmp, prefix="kura-pack-")
        self._handle = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._size = 0
        self._write(MAGIC)

    def _write(self, data: bytes | memoryview) -> None:
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

    def __init__(self, store: LfsStore, *, arriving: Arrivals | None = None) -> None:
        self._store = store
        self._arriving = arriving
        self._handles: dict[str, BinaryIO] = {}
        self._decompressor = zstandard.ZstdDecompressor()

    def __enter__(self) -> PackReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()

    def read(self, chunks: Sequence[ChunkRef]) -> Iterator[memoryview]:
        """The chunks' raw bytes (buffers), in order, decompressed a batch at a time on
        every core; VerificationFailed when a pack is missing or damaged."""
        for batch in _batches(chunks):
            frames = self._frames(batch)
            sizes = struct.pack(f"={len(batch)}Q", *(c.size for c in batch))
            try:
                decompressed = self._decompressor.multi_decompress_to_buffer(
                    frames, decompressed_sizes=sizes, threads=-1
                )
            except zstandard.ZstdError:
                packs = sorted({c.pack for c in batch})
                raise DamagedPack(*packs) from None
            yield from (memoryview(segment) for segment in decompressed)

    def verified_frames(self, chunks: Sequence[ChunkRef]) -> Iterator[tuple[ChunkRef, bytes]]:
        """Each chunk's frame as stored, once its content was checked against the chunk's
        id (sha256): what may be copied into a new pack. VerificationFailed naming the
        pack when a frame does not hold its chunk (a damaged cached pack of the right
        size passes every size check)."""
        for batch in _batches(chunks):
            frames = [self.frame(c) for c in batch]
            try:
                contents = list(self.read(batch))
            except DamagedPack:  # which frame? each alone, so only its pack is named
                contents = [self._decompress_one(c, f) for c, f in zip(batch, frames, strict=True)]
            for chunk, frame, content in zip(batch, frames, contents, strict=True):
                if hashlib.sha256(content).hexdigest() != chunk.id:
                    raise DamagedPack(chunk.pack)
                yield chunk, frame

    def _decompress_one(self, chunk: ChunkRef, frame: bytes) -> bytes:
        try:
            return zstandard.ZstdDecompressor().decompress(frame, max_output_size=chunk.size)
        except zstandard.ZstdError:
            raise DamagedPack(chunk.pack) from None

    def wait_for(self, oid: str) -> None:
        """Until the LFS object is in the store, or the download bringing it is over."""
        if self._arriving is not None:
            self._arriving.wait(oid)

    def frame(self, chunk: ChunkRef) -> bytes:
        """A chunk's compressed frame, as stored."""
        return self._stored(chunk.pack, chunk.offset, chunk.length)

    def _frames(self, batch: Sequence[ChunkRef]) -> list[memoryview]:
        """The batch's frames; frames stored back to back are read at once (a database's
        4 KiB pages are thousands of frames, mostly in a row)."""
        frames: list[memoryview] = []
        start = 0
        for end in range(1, len(batch) + 1):
            if end < len(batch) and _follows(batch[end - 1], batch[end]):
                continue
            first, last = batch[start], batch[end - 1]
            run = self._stored(first.pack, first.offset, last.offset + last.length - first.offset)
            view, position = memoryview(run), 0
            for chunk in batch[start:end]:
                frames.append(view[position : position + chunk.length])
                position += chunk.length
            start = end
        return frames

    def _stored(self, pack: str, offset: int, length: int) -> bytes:
        handle = self._handle(pack)
        handle.seek(offset)
        data = handle.read(length)
        if len(data) != length:
            raise VerificationFailed(f"pack {pack[:12]} is damaged")
        return data

    def _handle(self, pack: str) -> BinaryIO:
        handle = self._handles.get(pack)
        if handle is None:
            self.wait_for(pack)
            try:
                handle = self._handles[pack] = self._store.path(pack).open("rb")
            except FileNotFoundError:
                raise VerificationFailed(f"pack {pack[:12]} is missing") from None
        return handle


def _follows(previous: ChunkRef, chunk: ChunkRef) -> bool:
    return chunk.pack == previous.pack and chunk.offset == previous.offset + previous.length


def _batches(chunks: Sequence[ChunkRef]) -> Iterator[Sequence[ChunkRef]]:
    """Runs of chunks of about BATCH_BYTES (4 KiB database pages or 64 KiB cuts alike)."""
    start, size = 0, 0
    for end, chunk in enumerate(chunks, 1):
        size += chunk.size
        if size >= BATCH_BYTES or end - start >= BATCH_CHUNKS:
            yield chunks[start:end]
            start, size = end, 0
    if start < len(chunks):
        yield chunks[start:]


class Arrivals:
    """Packs a download is still bringing into the store: a reader waits for each one it
    needs, so files rebuild while the rest download. `wait` returns once the pack is in
    the store or the download is over (a pack still absent then is missing)."""

    POLL = 0.02  # seconds; a pack lands whole (git-lfs renames it into place)

    def __init__(self, store: LfsStore, download: Future) -> None:
        self._store = store
        self.download = download

    def wait(self, oid: str) -> None:
        path = self._store.path(oid)
        while not path.exists() and not self.download.done():
            futures.wait([self.download], timeout=self.POLL)
