import os

import pytest

from sync.content.manifest import ChunkRef
from sync.content.pack import BATCH, PackReader, PackWriter
from sync.errors import VerificationFailed
from sync.lfs import LfsStore


def test_chunks_read_back_in_order_across_batches_and_packs(tmp_path) -> None:
    store = LfsStore(tmp_path)
    chunks = [os.urandom(1000 + i) if i % 3 else b"text " * (i + 1) for i in range(3 * BATCH + 5)]
    writer = PackWriter(store, target=50_000)
    tickets = [writer.add(chunk) for chunk in chunks]
    packs, placements = writer.finish()
    assert tickets == list(range(len(chunks))) and len(packs) > 1
    refs = [
        ChunkRef("0" * 64, len(c), packs[p.pack][0], p.offset, p.length)
        for c, p in zip(chunks, (placements[t] for t in tickets), strict=True)
    ]
    with PackReader(store) as reader:
        assert [bytes(b) for b in reader.read(refs)] == chunks
    for oid, size in packs:
        assert store.path(oid).stat().st_size == size


def test_a_damaged_frame_is_reported(tmp_path) -> None:
    store = LfsStore(tmp_path)
    writer = PackWriter(store)
    ticket = writer.add(b"some chunk " * 100)
    [(oid, _)], placements = writer.finish()
    place = placements[ticket]
    path = store.path(oid)
    data = bytearray(path.read_bytes())
    data[place.offset + place.length - 2] ^= 0xFF  # the frame's checksum
    path.write_bytes(bytes(data))
    ref = ChunkRef("0" * 64, 1100, oid, place.offset, place.length)
    with PackReader(store) as reader, pytest.raises(VerificationFailed, match="damaged"):
        list(reader.read([ref]))
