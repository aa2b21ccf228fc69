"""The manifest: how a backup rebuilds one data file from chunks in packs.

It is stored as an ordinary git blob at the file's own path (`data/<path>`), where
a whole-file backup keeps its LFS pointer: history, diff and restore find either at
the same place.
Format version 2 (3 with index pieces), UTF-8 text::

    kura-manifest 2
    size 52428800
    sha256 <sha256 of the whole content>
    chunker sqlite-pages-16k
    piece <git blob id> <chunks>              one line per piece, in file order

Its chunks are listed in pieces, each an ordinary git blob that the backup's tree
names under `manifests/` (so that git keeps, pushes and fetches it)::

    kura-piece 1
    pack <pack oid> <pack size>               one line per pack the piece uses, sorted
    <chunk sha256> <size> <pack oid, first 16 hex> <offset> <stored length>
    ...                                       one line per chunk, in file order

A piece ends after a chunk whose id ends in a chosen pattern (16 to 256 chunks,
about 48 on average), so where pieces end depends on the chunks alone: a change
rewrites the pieces that hold changed chunks, and every other piece is the same
blob as before. A file of more than TOP_MAX pieces is written as version 3: the
manifest names index pieces (`kura-index 1`, then `piece <blob> <chunks>` lines
naming pieces or index pieces), grouped where the pieces' ids say, in as many
levels as keep the manifest at TOP_MAX lines, so what a small change writes does
not grow with the file's size. Version 1 held the
pack table and every chunk line in the manifest itself; it is still read. A reader
that meets a version it does not know refuses the backup. The pack tables carry
sizes so that any tree can name its packs as LFS pointers.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from sync.errors import VerificationFailed

MAGIC = b"kura-manifest "
VERSION = 2  # pieces; a manifest whose pieces need an index is written as version 3
PIECE_MAGIC = "kura-piece 1"
INDEX_MAGIC = "kura-index 1"
PIECE_MIN, PIECE_MAX, PIECE_EVERY = 16, 256, 32  # chunks; an end after 1 chunk in 32
INDEX_MIN, INDEX_MAX, INDEX_EVERY = 8, 128, 16  # pieces an index names
TOP_MAX = 32  # piece lines in the manifest itself; more go into index pieces
MAX_DEPTH = 6  # index levels a reader follows (a hostile tree cannot recurse forever)
PACK_ID = 16  # hex digits of a pack's oid that chunk lines use
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
_SIZE = r"(0|[1-9][0-9]{0,18})"
_PIECE_LINE = re.compile(r"piece ([0-9a-f]{40}) ([1-9][0-9]{0,9})\Z")
_CHUNK_LINE = re.compile(rf"([0-9a-f]{{64}}) {_SIZE} ([0-9a-f]{{16}}) {_SIZE} {_SIZE}\n")
_CHUNK_LINES = re.compile(rf"(?:[0-9a-f]{{64}} {_SIZE} [0-9a-f]{{16}} {_SIZE} {_SIZE}\n)*")


class ChunkRef(NamedTuple):
    """Where one chunk lives: `length` stored bytes at `offset` in pack `pack`. A named
    tuple: a restore builds hundreds of thousands, five times faster than dataclasses."""

    id: str  # sha256 of the chunk's raw bytes
    size: int
    pack: str  # the pack's LFS oid
    offset: int
    length: int


@dataclass(frozen=True)
class Piece:
    """Part of a manifest's chunk list, stored as its own git blob."""

    id: str  # the git blob id of `data`
    data: bytes
    chunks: int


@dataclass(frozen=True)
class Manifest:
    size: int
    sha256: str
    chunker: str
    chunks: tuple[ChunkRef, ...]
    pack_sizes: dict[str, int]  # every pack the chunks use, with its size
    version: int = field(default=VERSION, compare=False)  # the format it is stored in
    # The pieces a stored manifest names, as read (None: not stored yet, see `pieces`).
    stored_pieces: tuple[str, ...] | None = field(default=None, compare=False)

    @cached_property
    def _layout(self) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
        """(every piece, the pieces the manifest itself names): chunk pieces, then as
        many levels of index pieces as keep the manifest at TOP_MAX lines."""
        if self.version == 1:
            return (), ()
        level = [make_piece(part, _packs_of(part, self.pack_sizes)) for part in _split(self.chunks)]
        every = list(level)
        while len(level) > TOP_MAX:
            level = [_index(group) for group in _split_index(level)]
            every += level
        return tuple(every), tuple(level)

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """The pieces this manifest is written as, index pieces included (none in
        version 1)."""
        return self._layout[0]

    @cached_property
    def by_id(self) -> dict[str, ChunkRef]:
        """Its chunks by id (the first of duplicates), built once: every backup's index
        of what the remote holds starts from its parent's manifests."""
        chunks: dict[str, ChunkRef] = {}
        for chunk in self.chunks:
            chunks.setdefault(chunk.id, chunk)
        return chunks

    @cached_property
    def frames(self) -> dict[tuple[str, int], int]:
        """{(pack, offset): stored length} of the frames it uses, built once."""
        return {(c.pack, c.offset): c.length for c in self.chunks}

    @property
    def piece_blobs(self) -> tuple[str, ...]:
        """The blobs of the pieces a tree holding this manifest must name."""
        if self.stored_pieces is not None:
            return self.stored_pieces
        return tuple(p.id for p in self.pieces)

    def encode(self) -> bytes:
        lines = self._header()
        if self.version == 1:
            lines += _pack_lines(self.pack_sizes, self.chunks) + _chunk_lines(self.chunks)
        else:
            lines += [f"piece {p.id} {p.chunks}" for p in self._layout[1]]
        return ("\n".join(lines) + "\n").encode()

    def _header(self) -> list[str]:
        indexed = self.version != 1 and len(self._layout[1]) < len(self._layout[0])
        return [
            f"kura-manifest {3 if indexed else self.version}",
            f"size {self.size}",
            f"sha256 {self.sha256}",
            f"chunker {self.chunker}",
        ]


def _cut(ids: list[str], low: int, high: int, every: int) -> list[slice]:
    """Where to cut a run of items into groups of `low` to `high`: after an item whose id
    ends in the pattern (1 in `every`), so an unchanged run of items keeps its groups."""
    cuts, start = [], 0
    for end, item_id in enumerate(ids, 1):
        length = end - start
        if length >= high or (length >= low and int(item_id[-8:], 16) % every == 0):
            cuts.append(slice(start, end))
            start = end
    if start < len(ids):
        cuts.append(slice(start, len(ids)))
    return cuts


def _split(chunks: tuple[ChunkRef, ...]) -> list[tuple[ChunkRef, ...]]:
    cuts = _cut([c.id for c in chunks], PIECE_MIN, PIECE_MAX, PIECE_EVERY)
    return [chunks[cut] for cut in cuts]


def _split_index(pieces: list[Piece]) -> list[list[Piece]]:
    return [pieces[cut] for cut in _cut([p.id for p in pieces], INDEX_MIN, INDEX_MAX, INDEX_EVERY)]


def _index(children: list[Piece]) -> Piece:
    lines = [INDEX_MAGIC, *(f"piece {p.id} {p.chunks}" for p in children)]
    data = ("\n".join(lines) + "\n").encode()
    return Piece(blob_id(data), data, sum(p.chunks for p in children))


def _packs_of(
    chunks: tuple[ChunkRef, ...], pack_sizes: dict[str, int]
) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((oid, pack_sizes[oid]) for oid in {c.pack for c in chunks}))


@functools.lru_cache(maxsize=2048)  # a backup's new manifest mostly repeats the last's pieces
def make_piece(chunks: tuple[ChunkRef, ...], packs: tuple[tuple[str, int], ...]) -> Piece:
    lines = [PIECE_MAGIC, *(f"pack {oid} {size}" for oid, size in packs), *_chunk_lines(chunks)]
    data = ("\n".join(lines) + "\n").encode()
    return Piece(blob_id(data), data, len(chunks))


def _pack_lines(pack_sizes: dict[str, int], chunks: tuple[ChunkRef, ...]) -> list[str]:
    used = {c.pack for c in chunks}
    return [f"pack {oid} {pack_sizes[oid]}" for oid in sorted(used)]


def _chunk_lines(chunks: tuple[ChunkRef, ...]) -> list[str]:
    return [f"{c.id} {c.size} {c.pack[:PACK_ID]} {c.offset} {c.length}" for c in chunks]


def blob_id(data: bytes) -> str:
    """The id git gives a blob of these bytes."""
    header = b"blob %d\0" % len(data)
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


def is_manifest(data: bytes) -> bool:
    return data.startswith(MAGIC)


def piece_ids(data: bytes) -> list[str]:
    """The pieces a manifest (or an index piece) names directly (none in version 1)."""
    if not data.startswith((b"kura-manifest 2\n", b"kura-manifest 3\n", b"kura-index 1\n")):
        return []
    return [line[6:46].decode() for line in data.split(b"\n") if line.startswith(b"piece ")]


def read_pieces(
    manifests: Iterable[bytes], fetch: Callable[[set[str]], Mapping[str, bytes]]
) -> dict[str, bytes]:
    """Every piece the manifests need, index levels followed: `fetch` reads a set of
    blobs at once (one git process a level), to give to `parse_manifest`."""
    pieces: dict[str, bytes] = {}
    wanted = {p for data in manifests for p in piece_ids(data)}
    for _ in range(MAX_DEPTH + 1):
        wanted -= pieces.keys()
        if not wanted:
            break
        found = fetch(wanted)
        pieces.update(found)
        wanted = {p for data in found.values() for p in piece_ids(data)}
    return pieces


def parse_manifest(data: bytes, pieces: Mapping[str, bytes] | None = None) -> Manifest:
    """The manifest `data` holds, its `pieces` (id: content) given; VerificationFailed when
    it is damaged, a piece is missing, or it is too new."""
    try:
        return _parse(data.decode("ascii").split("\n"), pieces or {})
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
        raise VerificationFailed(
            f"A file's manifest in this backup is damaged ({exc}); pick another restore point."
        ) from None


def _parse(lines: list[str], pieces: Mapping[str, bytes]) -> Manifest:
    version = {"kura-manifest 1": 1, "kura-manifest 2": 2, "kura-manifest 3": 3}.get(lines[0])
    if version is None:
        raise VerificationFailed(
            f"This backup was made by a newer Kura ({lines[0][:40]!r}): upgrade Kura to read it."
        )
    if lines[-1] != "":
        raise ValueError("no final newline")
    header = dict(line.split(" ", 1) for line in lines[1:4])
    size, sha256, chunker = _number(header["size"]), _hex(header["sha256"]), header["chunker"]
    if version == 1:
        (chunks, packs), named = parse_table(lines[4:]), ()
    else:
        chunks, packs, named = _pieces(lines[4:-1], pieces, depth=0 if version == 3 else None)
    if sum(c.size for c in chunks) != size:
        raise ValueError("the chunks do not add up to the size")
    return Manifest(size, sha256, chunker, chunks, packs, version, named)


def _pieces(
    lines: list[str], pieces: Mapping[str, bytes], *, depth: int | None
) -> tuple[tuple[ChunkRef, ...], dict[str, int], tuple[str, ...]]:
    """The chunks the piece lines name, in order. `depth` counts index levels followed
    (None: version 2, which has no index pieces)."""
    chunks: list[ChunkRef] = []
    packs: dict[str, int] = {}
    named: list[str] = []
    for line in lines:
        match = _PIECE_LINE.match(line)
        if not match:
            raise ValueError(f"a damaged piece line {line[:20]!r}")
        data = pieces.get(match[1])
        if data is None or blob_id(data) != match[1]:
            raise ValueError(f"piece {match[1][:12]} is missing")
        text = data.decode("ascii").split("\n")
        named.append(match[1])
        if text[0] == PIECE_MAGIC:
            part, part_packs = parse_table(text[1:])
        elif text[0] == INDEX_MAGIC and depth is not None and depth < MAX_DEPTH:
            if text[-1] != "":
                raise ValueError("no final newline")
            part, part_packs, below = _pieces(text[1:-1], pieces, depth=depth + 1)
            named += below
        else:
            raise ValueError(f"piece {match[1][:12]} is not a piece")
        if len(part) != int(match[2]):
            raise ValueError(f"piece {match[1][:12]} holds the wrong number of chunks")
        chunks += part
        packs |= part_packs
    return tuple(chunks), packs, tuple(named)


def parse_table(lines: list[str]) -> tuple[tuple[ChunkRef, ...], dict[str, int]]:
    """A pack table, then chunk lines (ending with an empty line, the final newline)."""
    packs: dict[str, int] = {}
    position = 0
    while position < len(lines) - 1 and lines[position].startswith("pack "):
        _, oid, pack_size = lines[position].split(" ")
        packs[_hex(oid)] = _number(pack_size)
        position += 1
    by_id = {oid[:PACK_ID]: oid for oid in packs}
    if len(by_id) != len(packs):
        raise ValueError("two packs share an id")
    if lines[-1] != "":
        raise ValueError("no final newline")
    return _chunks("\n".join(lines[position:]), by_id), packs


def _chunks(section: str, packs: dict[str, str]) -> tuple[ChunkRef, ...]:
    """Every chunk line: the section is checked by one pattern in C, then split into its
    fields (a database's manifest holds hundreds of thousands of lines, and a restore or
    the first backup of a process reads them all)."""
    if not _CHUNK_LINES.fullmatch(section):
        raise ValueError(f"a damaged chunk line at character {_first_bad(section)}")
    fields = section.split()
    ids, sizes, pack_ids = fields[0::5], fields[1::5], fields[2::5]
    offsets, lengths = fields[3::5], fields[4::5]
    pack_oids = [packs[p] for p in pack_ids]
    rows = zip(ids, map(int, sizes), pack_oids, map(int, offsets), map(int, lengths), strict=True)
    return tuple(map(ChunkRef._make, rows))


def _first_bad(section: str) -> int:
    position = 0
    for match in _CHUNK_LINE.finditer(section):
        if match.start() != position:
            break
        position = match.end()
    return position


def _hex(value: str) -> str:
    if not _HEX64.match(value):
        raise ValueError(f"not a sha256: {value[:20]!r}")
    return value


def _number(value: str) -> int:
    if not _NUMBER.match(value):
        raise ValueError(f"not a size: {value[:20]!r}")
    return int(value)
