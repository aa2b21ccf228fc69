"""Manifests rewritten to name the same chunks in other packs, a piece at a time.

A move to a new repository copies every chunk its backups use into new packs, so
each manifest must name new places. Pieces end where the chunks' ids say, not where
they are stored, so a piece relocated keeps its chunks and boundaries, and a piece
many backups share is read and relocated once: the work follows the distinct pieces
of the history moved (what changed), not the number of backups times the files' sizes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from sync.content.manifest import (
    INDEX_MAGIC,
    MAX_DEPTH,
    PIECE_MAGIC,
    ChunkRef,
    Manifest,
    blob_id,
    make_piece,
    parse_manifest,
    parse_table,
)
from sync.errors import VerificationFailed


class Place(NamedTuple):
    """Where a chunk lives now: `length` stored bytes at `offset` in pack `pack`."""

    pack: str
    pack_size: int
    offset: int
    length: int


@dataclass
class PieceStore:
    """Pieces as read once: a piece's chunks and packs, an index piece's children."""

    leaves: dict[str, tuple[tuple[ChunkRef, ...], dict[str, int]]] = field(default_factory=dict)
    indexes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, pieces: Mapping[str, bytes]) -> None:
        for piece, data in pieces.items():
            if piece in self.leaves or piece in self.indexes:
                continue
            if blob_id(data) != piece:
                raise VerificationFailed(f"Piece {piece[:12]} is damaged; the move stopped.")
            lines = data.decode("ascii").split("\n")
            if lines[0] == PIECE_MAGIC:
                self.leaves[piece] = parse_table(lines[1:])
            elif lines[0] == INDEX_MAGIC:
                self.indexes[piece] = piece_lines(data)
            else:
                raise VerificationFailed(f"Piece {piece[:12]} is not a piece; the move stopped.")

    def children(self, piece: str) -> list[str]:
        found = self.indexes.get(piece)
        if found is None:
            raise VerificationFailed(f"Piece {piece[:12]} is missing; the move stopped.")
        return found


@dataclass(frozen=True)
class Relocated:
    data: bytes  # the new manifest
    pieces: tuple[str, ...]  # every piece its tree must name
    packs: dict[str, int]  # every pack its chunks use


@dataclass(frozen=True)
class _Done:
    id: str
    chunks: int
    packs: tuple[tuple[str, int], ...]
    below: tuple[str, ...]  # this piece and every piece under it


def manifest_chunks(
    data: bytes, store: PieceStore, seen: set[str], sizes: dict[str, int]
) -> Iterator[ChunkRef]:
    """The chunks of the pieces of a manifest not in `seen` (which it adds to), in file
    order (a version-1 manifest's all); the packs they name go into `sizes`."""
    if data.startswith(b"kura-manifest 1\n"):
        manifest = parse_manifest(data)
        sizes.update(manifest.pack_sizes)
        yield from manifest.chunks
        return
    yield from _chunks(piece_lines(data), store, seen, sizes, depth=0)


def _chunks(
    pieces: list[str], store: PieceStore, seen: set[str], sizes: dict[str, int], *, depth: int
) -> Iterator[ChunkRef]:
    for piece in pieces:
        if piece in seen:
            continue
        seen.add(piece)
        leaf = store.leaves.get(piece)
        if leaf is not None:
            sizes.update(leaf[1])
            yield from leaf[0]
        elif depth < MAX_DEPTH:
            yield from _chunks(store.children(piece), store, seen, sizes, depth=depth + 1)
        else:
            raise VerificationFailed(f"Piece {piece[:12]} nests too deep; the move stopped.")


class Relocator:
    """Example::

    relocator = Relocator(places, store)  # {chunk id: Place}, the pieces read
    new = relocator.manifest(old_manifest_bytes)
    write(relocator.take_pieces())  # the pieces written since the last take
    """

    def __init__(self, places: Mapping[str, Place], store: PieceStore) -> None:
        self.places = places
        self.store = store
        self._done: dict[str, _Done] = {}
        self._written: dict[str, bytes] = {}

    def manifest(self, data: bytes) -> Relocated:
        if data.startswith(b"kura-manifest 1\n"):
            return self._whole(parse_manifest(data))
        lines = data.decode("ascii").split("\n")
        head, below, packs = lines[:4], [], {}
        for piece in piece_lines(data):
            done = self._piece(piece, depth=0)
            head.append(f"piece {done.id} {done.chunks}")
            below += done.below
            packs.update(done.packs)
        text = ("\n".join(head) + "\n").encode()
        return Relocated(text, tuple(dict.fromkeys(below)), packs)

    def take_pieces(self) -> dict[str, bytes]:
        written, self._written = self._written, {}
        return written

    def _whole(self, manifest: Manifest) -> Relocated:
        chunks = tuple(self._moved(c) for c in manifest.chunks)
        packs = {c.pack: self.places[c.id].pack_size for c in chunks}
        new = Manifest(manifest.size, manifest.sha256, manifest.chunker, chunks, packs)
        for piece in new.pieces:
            self._written[piece.id] = piece.data
        return Relocated(new.encode(), new.piece_blobs, packs)

    def _piece(self, piece: str, *, depth: int) -> _Done:
        done = self._done.get(piece)
        if done is not None:
            return done
        leaf = self.store.leaves.get(piece)
        if leaf is not None:
            chunks = tuple(self._moved(c) for c in leaf[0])
            packs = tuple(sorted({(c.pack, self.places[c.id].pack_size) for c in chunks}))
            new = make_piece(chunks, packs)
            done = _Done(new.id, new.chunks, packs, (new.id,))
            self._written[new.id] = new.data
        elif depth < MAX_DEPTH:
            children = [self._piece(p, depth=depth + 1) for p in self.store.children(piece)]
            body = [INDEX_MAGIC, *(f"piece {c.id} {c.chunks}" for c in children)]
            data = ("\n".join(body) + "\n").encode()
            new_id = blob_id(data)
            self._written[new_id] = data
            packs = tuple(sorted({p for c in children for p in c.packs}))
            below = (new_id, *(b for c in children for b in c.below))
            done = _Done(new_id, sum(c.chunks for c in children), packs, below)
        else:
            raise VerificationFailed(f"Piece {piece[:12]} nests too deep; the move stopped.")
        self._done[piece] = done
        return done

    def _moved(self, chunk: ChunkRef) -> ChunkRef:
        place = self.places[chunk.id]
        return ChunkRef(chunk.id, chunk.size, place.pack, place.offset, place.length)


def piece_lines(data: bytes) -> list[str]:
    """The pieces a manifest or an index piece names, in order."""
    return [line[6:46].decode() for line in data.split(b"\n") if line.startswith(b"piece ")]
