import hashlib
from dataclasses import replace

import pytest

from sync.content.manifest import (
    MAX_DEPTH,
    PIECE_MAX,
    TOP_MAX,
    ChunkRef,
    Manifest,
    blob_id,
    parse_manifest,
    piece_ids,
    read_pieces,
)
from sync.errors import VerificationFailed

PACK = "ab" * 32
OTHER = "cd" * 32


def chunk(i: int, pack: str = PACK) -> ChunkRef:
    return ChunkRef(
        hashlib.sha256(i.to_bytes(4, "big")).hexdigest(), 10 + i % 7, pack, 11 + 20 * i, 20
    )


def manifest(count: int = 3, **kw) -> Manifest:
    chunks = tuple(chunk(i) for i in range(count))
    return Manifest(
        sum(c.size for c in chunks), "cd" * 32, "fastcdc-16k", chunks, {PACK: 10**6}, **kw
    )


def roundtrip(m: Manifest) -> Manifest:
    return parse_manifest(m.encode(), {p.id: p.data for p in m.pieces})


def test_a_manifest_reads_back_as_written_from_its_pieces() -> None:
    m = manifest(600)
    assert m.encode().startswith(b"kura-manifest 2\nsize ")
    assert len(m.pieces) > 3 and all(p.chunks <= PIECE_MAX for p in m.pieces)
    assert [p.id for p in m.pieces] == piece_ids(m.encode())
    assert all(blob_id(p.data) == p.id for p in m.pieces)
    back = roundtrip(m)
    assert back == m and back.piece_blobs == m.piece_blobs
    assert len(m.encode()) < 60 * len(m.pieces)  # the manifest itself stays small


def test_version_1_manifests_keep_reading() -> None:
    old = manifest(50, version=1)
    text = old.encode()
    assert text.startswith(b"kura-manifest 1\n") and old.pieces == ()
    back = parse_manifest(text)
    assert back == old and back.version == 1 and back.piece_blobs == ()


def test_a_change_rewrites_only_the_pieces_that_hold_it() -> None:
    before = manifest(3000)
    chunks = list(before.chunks)
    chunks[1500] = chunk(10**6)  # one block of a database changed in place
    chunks.insert(10, chunk(10**6 + 1))  # and one chunk inserted near the start
    after = replace(before, chunks=tuple(chunks))
    after = Manifest(after.size, after.sha256, after.chunker, after.chunks, after.pack_sizes)
    new = set(after.piece_blobs) - set(before.piece_blobs)
    assert 1 <= len(new) <= 4 and len(before.pieces) > 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("kura-manifest 2", "kura-manifest 4"), "newer Kura"),
        (lambda t: t.replace("size ", "size 1"), "damaged"),
        (lambda t: t[:-1], "damaged"),
        (lambda t: t.replace(" 3\n", " 4\n"), "wrong number of chunks"),
    ],
)
def test_a_damaged_or_newer_manifest_is_refused(change, message: str) -> None:
    m = manifest(3)
    text = change(m.encode().decode())
    with pytest.raises(VerificationFailed, match=message):
        parse_manifest(text.encode(), {p.id: p.data for p in m.pieces})


def test_a_missing_or_damaged_piece_is_refused() -> None:
    m = manifest(3)
    [piece] = m.pieces
    with pytest.raises(VerificationFailed, match="missing"):
        parse_manifest(m.encode(), {})
    damaged = piece.data.replace(PACK[:16].encode(), OTHER[:16].encode())
    with pytest.raises(VerificationFailed, match="missing"):  # not the blob it names
        parse_manifest(m.encode(), {piece.id: damaged})


def test_a_damaged_version_1_manifest_is_refused() -> None:
    text = manifest(3, version=1).encode().decode()
    for bad in (text.replace(f"pack {PACK}", f"pack {OTHER}"), text.replace("size 3", "size 4")):
        with pytest.raises(VerificationFailed, match="damaged"):
            parse_manifest(bad.encode())


def fetch_from(pieces: dict[str, bytes], reads: list[set[str]]):
    def fetch(wanted: set[str]) -> dict[str, bytes]:
        reads.append(set(wanted))
        return {p: pieces[p] for p in wanted if p in pieces}

    return fetch


def test_a_large_file_s_manifest_names_index_pieces_and_stays_small() -> None:
    m = manifest(60_000)  # a 234 MB database at 4 KiB blocks
    text = m.encode()
    assert text.startswith(b"kura-manifest 3\n")
    assert len(piece_ids(text)) <= TOP_MAX and len(text) < 3_000
    reads: list[set[str]] = []
    pieces = read_pieces([text], fetch_from({p.id: p.data for p in m.pieces}, reads))
    assert len(reads) == 3  # the manifest's pieces, then one read per index level
    back = parse_manifest(text, pieces)
    assert back == m and set(back.piece_blobs) == {p.id for p in m.pieces}


def test_a_change_to_a_large_file_rewrites_a_few_pieces_at_each_level() -> None:
    before = manifest(60_000)
    chunks = list(before.chunks)
    chunks[0] = chunk(10**6)  # a database's header page
    chunks[-1] = chunk(10**6 + 1)  # and its last page
    after = Manifest(before.size, before.sha256, before.chunker, tuple(chunks), before.pack_sizes)
    new = [p for p in after.pieces if p.id not in set(before.piece_blobs)]
    assert len(new) <= 6
    written = sum(len(p.data) for p in new) + len(after.encode())
    assert written < sum(len(p.data) for p in before.pieces) / 100  # not the 6 MB list


def test_index_pieces_are_refused_in_a_version_2_manifest_and_past_the_depth_limit() -> None:
    m = manifest(60_000)
    pieces = {p.id: p.data for p in m.pieces}
    as_version_2 = m.encode().replace(b"kura-manifest 3", b"kura-manifest 2")
    with pytest.raises(VerificationFailed, match="not a piece"):
        parse_manifest(as_version_2, pieces)
    chain = m.encode()
    for _ in range(MAX_DEPTH + 1):  # an index of an index of ... deeper than any writer makes
        lines = [b"kura-index 1", *chain.split(b"\n")[4:-1]]
        index = b"\n".join(lines) + b"\n"
        pieces[blob_id(index)] = index
        chain = (
            b"\n".join(
                [
                    *m.encode().split(b"\n")[:4],
                    b"piece %s %d" % (blob_id(index).encode(), len(m.chunks)),
                ]
            )
            + b"\n"
        )
    with pytest.raises(VerificationFailed, match="not a piece"):
        parse_manifest(chain, pieces)
