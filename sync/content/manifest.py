"""The manifest: how a backup rebuilds one data file from chunks in packs.

It is stored as an ordinary git blob at the file's own path (`data/<path>`), so
history, diff and restore find it where the whole-file pointer used to be.
Format version 2, UTF-8 text::

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

A piece ends after a chunk whose id ends in a chosen pattern (32 to 512 chunks,
about 160 on average), so where pieces end depends on the chunks alone: a change
rewrites the pieces that hold changed chunks, and every other piece is the same
blob as before. A small change to a 57 MB database writes a few kilobytes of
manifest, not 330 KB. Version 1 held the pack table and every chunk line in the
manifest itself; it is still read. A reader that meets a version it does not know
refuses the backup. The pack tables carry sizes so that any tree can name its
packs as LFS pointers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sync.errors import VerificationFailed

MAGIC = b"kura-manifest "
VERSION = 2
PIECE_MAGIC = "kura-piece 1"
PIECE_MIN, PIECE_MAX, PIECE_EVERY = 32, 512, 128  # chunks; an end after 1 chunk in 128
PACK_ID = 16  # hex digits of a pack's oid that chunk lines use
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
_SIZE = r"(0|[1-9][0-9]{0,18})"
_PIECE_LINE = re.compile(r"piece ([0-9a-f]{40}) ([1-9][0-9]{0,9})\Z")
_CHUNK_LINE = re.compile(rf"([0-9a-f]{{64}}) {_SIZE} ([0-9a-f]{{16}}) {_SIZE} {_SIZE}\n")


@dataclass(frozen=True, slots=True)
class ChunkRef:
    """Where one chunk lives: `length` stored bytes at `offset` in pack `pack`."""

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
    def pieces(self) -> tuple[Piece, ...]:
        """The pieces this manifest is written as (none in version 1)."""
        if self.version == 1:
            return ()
        return tuple(_piece(part, self.pack_sizes) for part in _split(self.chunks))

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
            lines += [f"piece {p.id} {p.chunks}" for p in self.pieces]
        return ("\n".join(lines) + "\n").encode()

    def _header(self) -> list[str]:
        return [
            f"kura-manifest {self.version}",
            f"size {self.size}",
            f"sha256 {self.sha256}",
            f"chunker {self.chunker}",
        ]


def _split(chunks: tuple[ChunkRef, ...]) -> list[tuple[ChunkRef, ...]]:
    """Cut where the chunks say, so that an unchanged run of chunks keeps its pieces."""
    parts, start = [], 0
    for end, chunk in enumerate(chunks, 1):
        length = end - start
        if length >= PIECE_MAX or (
            length >= PIECE_MIN and int(chunk.id[-8:], 16) % PIECE_EVERY == 0
        ):
            parts.append(chunks[start:end])
            start = end
    if start < len(chunks):
        parts.append(chunks[start:])
    return parts


def _piece(chunks: tuple[ChunkRef, ...], pack_sizes: dict[str, int]) -> Piece:
    lines = [PIECE_MAGIC, *_pack_lines(pack_sizes, chunks), *_chunk_lines(chunks)]
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
    """The pieces a manifest names, to read before `parse_manifest` (none in version 1)."""
    if not data.startswith(b"kura-manifest 2\n"):
        return []
    return [line[6:46].decode() for line in data.split(b"\n") if line.startswith(b"piece ")]


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
    version = {"kura-manifest 1": 1, "kura-manifest 2": 2}.get(lines[0])
    if version is None:
        raise VerificationFailed(
            f"This backup was made by a newer Kura ({lines[0][:40]!r}): upgrade Kura to read it."
        )
    if lines[-1] != "":
        raise ValueError("no final newline")
    header = dict(line.split(" ", 1) for line in lines[1:4])
    size, sha256, chunker = _number(header["size"]), _hex(header["sha256"]), header["chunker"]
    if version == 1:
        (chunks, packs), named = _table(lines[4:]), ()
    else:
        chunks, packs, named = _pieces(lines[4:-1], pieces)
    if sum(c.size for c in chunks) != size:
        raise ValueError("the chunks do not add up to the size")
    return Manifest(size, sha256, chunker, chunks, packs, version, named)


def _pieces(
    lines: list[str], pieces: Mapping[str, bytes]
) -> tuple[tuple[ChunkRef, ...], dict[str, int], tuple[str, ...]]:
    chunks: list[ChunkRef] = []
    packs: dict[str, int] = {}
    named = []
    for line in lines:
        match = _PIECE_LINE.match(line)
        if not match:
            raise ValueError(f"a damaged piece line {line[:20]!r}")
        data = pieces.get(match[1])
        if data is None or blob_id(data) != match[1]:
            raise ValueError(f"piece {match[1][:12]} is missing")
        text = data.decode("ascii").split("\n")
        if text[0] != PIECE_MAGIC:
            raise ValueError(f"piece {match[1][:12]} is not a piece")
        part, part_packs = _table(text[1:])
        if len(part) != int(match[2]):
            raise ValueError(f"piece {match[1][:12]} holds the wrong number of chunks")
        chunks += part
        packs |= part_packs
        named.append(match[1])
    return tuple(chunks), packs, tuple(named)


def _table(lines: list[str]) -> tuple[tuple[ChunkRef, ...], dict[str, int]]:
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
    """Every chunk line, checked by one pattern matched end to end (a manifest can hold
    tens of thousands of lines, and the backup reads its parent's on every run)."""
    chunks, position = [], 0
    for match in _CHUNK_LINE.finditer(section):
        if match.start() != position:
            raise ValueError(f"a damaged chunk line at character {position}")
        position = match.end()
        chunk_id, size, pack, offset, length = match.groups()
        chunks.append(ChunkRef(chunk_id, int(size), packs[pack], int(offset), int(length)))
    if position != len(section):
        raise ValueError(f"a damaged chunk line at character {position}")
    return tuple(chunks)


def _hex(value: str) -> str:
    if not _HEX64.match(value):
        raise ValueError(f"not a sha256: {value[:20]!r}")
    return value


def _number(value: str) -> int:
    if not _NUMBER.match(value):
        raise ValueError(f"not a size: {value[:20]!r}")
    return int(value)
