"""The manifest: how a backup rebuilds one data file from chunks in packs.

It is stored as an ordinary git blob at the file's own path (`data/<path>`), so
history, diff and restore find it where the whole-file pointer used to be.
Format version 1, UTF-8 text, one record per line::

    kura-manifest 1
    size 52428800
    sha256 <sha256 of the whole content>
    chunker sqlite-pages-16k
    pack <pack oid> <pack size>               one line per pack it uses, sorted
    <chunk sha256> <size> <pack oid, first 16 hex> <offset> <stored length>
    ...                                       one line per chunk, in file order

A reader that meets a version it does not know refuses the backup. The pack
table carries sizes so that any tree can name its packs as LFS pointers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sync.errors import VerificationFailed

MAGIC = b"kura-manifest "
VERSION = 1
PACK_ID = 16  # hex digits of a pack's oid that chunk lines use
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
_SIZE = r"(0|[1-9][0-9]{0,18})"
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
class Manifest:
    size: int
    sha256: str
    chunker: str
    chunks: tuple[ChunkRef, ...]
    pack_sizes: dict[str, int]  # every pack the chunks use, with its size

    def encode(self) -> bytes:
        lines = [
            f"kura-manifest {VERSION}",
            f"size {self.size}",
            f"sha256 {self.sha256}",
            f"chunker {self.chunker}",
        ]
        lines += [f"pack {oid} {size}" for oid, size in sorted(self.pack_sizes.items())]
        lines += [f"{c.id} {c.size} {c.pack[:PACK_ID]} {c.offset} {c.length}" for c in self.chunks]
        return ("\n".join(lines) + "\n").encode()


def is_manifest(data: bytes) -> bool:
    return data.startswith(MAGIC)


def parse_manifest(data: bytes) -> Manifest:
    """The manifest `data` holds; VerificationFailed when it is damaged or too new."""
    try:
        return _parse(data.decode("ascii").split("\n"))
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
        raise VerificationFailed(
            f"A file's manifest in this backup is damaged ({exc}); pick another restore point."
        ) from None


def _parse(lines: list[str]) -> Manifest:
    if lines[0] != f"kura-manifest {VERSION}":
        raise VerificationFailed(
            f"This backup was made by a newer Kura ({lines[0][:40]!r}): upgrade Kura to read it."
        )
    if lines[-1] != "":
        raise ValueError("no final newline")
    header = dict(line.split(" ", 1) for line in lines[1:4])
    size, sha256, chunker = _number(header["size"]), _hex(header["sha256"]), header["chunker"]
    packs: dict[str, int] = {}
    position = 4
    while position < len(lines) - 1 and lines[position].startswith("pack "):
        _, oid, pack_size = lines[position].split(" ")
        packs[_hex(oid)] = _number(pack_size)
        position += 1
    by_id = {oid[:PACK_ID]: oid for oid in packs}
    if len(by_id) != len(packs):
        raise ValueError("two packs share an id")
    chunks = _chunks("\n".join(lines[position:]), by_id)
    if sum(c.size for c in chunks) != size:
        raise ValueError("the chunks do not add up to the size")
    return Manifest(size, sha256, chunker, chunks, packs)


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
