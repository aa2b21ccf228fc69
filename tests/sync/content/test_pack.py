import os
import shutil
import threading
from concurrent.futures import Future

import pytest

from sync.content.manifest import ChunkRef
from sync.content.pack import BATCH_CHUNKS, Arrivals, PackReader, PackWriter
from sync.errors import VerificationFailed
from sync.repo.lfs import LfsStore


def test_chunks_read_back_in_order_across_batches_and_packs(tmp_path) -> None:
    store = LfsStore(tmp_path)
    count = 3 * BATCH_CHUNKS + 5
    chunks = [os.urandom(1000 + i) if i % 3 else b"text " * (i + 1) for i in range(count)]
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


def test_a_reader_waits_for_a_pack_the_download_brings_and_not_past_its_end(tmp_path) -> None:
    source, store = LfsStore(tmp_path / "remote"), LfsStore(tmp_path / "cache")
    writer = PackWriter(source)
    ticket = writer.add(b"a page " * 500)
    [(oid, _)], placements = writer.finish()
    ref = ChunkRef("0" * 64, 3500, oid, placements[ticket].offset, placements[ticket].length)
    download: Future = Future()
    reading = threading.Event()

    def bring() -> None:
        reading.wait()  # the reader is under way before the pack lands
        store.path(oid).parent.mkdir(parents=True)
        shutil.copyfile(source.path(oid), store.path(oid))
        download.set_result(3500)

    threading.Thread(target=bring).start()
    arriving = Arrivals(store, download)
    with PackReader(store, arriving=arriving) as reader:
        reading.set()
        assert bytes(next(reader.read([ref]))) == b"a page " * 500

    missing = ChunkRef("0" * 64, 10, "f" * 64, 11, 10)
    with (
        PackReader(store, arriving=arriving) as reader,  # the download is over
        pytest.raises(VerificationFailed, match="missing"),
    ):
        list(reader.read([missing]))


def test_frames_in_a_row_out_of_order_and_repeated_read_back_the_same(tmp_path) -> None:
    store = LfsStore(tmp_path)
    chunks = [os.urandom(500 + i) for i in range(40)]
    writer = PackWriter(store, target=8_000)
    tickets = [writer.add(chunk) for chunk in chunks]
    packs, placements = writer.finish()
    refs = [
        ChunkRef("0" * 64, len(c), packs[p.pack][0], p.offset, p.length)
        for c, p in zip(chunks, (placements[t] for t in tickets), strict=True)
    ]
    order = [*range(10, 25), 3, 3, 4, *range(39, 30, -1), 0, 1, 2]  # runs, gaps, repeats
    with PackReader(store) as reader:
        assert [bytes(b) for b in reader.read([refs[i] for i in order])] == [
            chunks[i] for i in order
        ]
    last = store.path(refs[-1].pack)
    last.write_bytes(last.read_bytes()[: refs[-1].offset + 10])  # a pack cut short
    with PackReader(store) as reader, pytest.raises(VerificationFailed, match="damaged"):
        list(reader.read(refs[-3:]))
