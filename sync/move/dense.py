"""The kept backups' chunks, each copied once into large packs of the new repository.

The newest backup's chunks come first, in file order, and their last pack is sealed
before the rest: a fresh host restoring the newest backup downloads its own chunks
and nothing else. The chunks only older backups use follow, newest backups first.
Frames are copied as stored (no recompression) from packs that hash to their ids, so
no damaged byte of the cache reaches the new repository.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sync.content.manifest import ChunkRef, is_manifest, read_pieces
from sync.content.pack import DamagedPack, PackReader, PackWriter
from sync.content.relocate import PieceStore, Place, manifest_chunks
from sync.errors import VerificationFailed
from sync.layout.build import write_blobs
from sync.layout.stored import DATA_PREFIX, FORMAT_MARK, pack_path
from sync.move.kept import KeptBackup
from sync.repo import remote_errors
from sync.repo.git import Git, TreeEntry
from sync.repo.lfs import LfsStore, Pointer, parse_pointer
from sync.workspace import Workspace

DENSE_SIZE = 32 * 1024 * 1024  # written once and read whole by restores: large, but not huge
BATCH = 256  # backups whose manifests are read together


@dataclass
class Contents:
    """What the kept backups store: chunks (first source of each id, in pack order) and
    whole-file LFS objects (older backups), with every source pack's size; and, for
    the commits written next, their manifests and pieces as read (read once)."""

    newest: list[ChunkRef] = field(default_factory=list)
    older: list[ChunkRef] = field(default_factory=list)
    pack_sizes: dict[str, int] = field(default_factory=dict)
    manifests: dict[str, bytes] = field(default_factory=dict)  # data blob: manifest
    pointers: dict[str, Pointer] = field(default_factory=dict)  # data blob: whole file
    pieces: PieceStore = field(default_factory=PieceStore)

    @property
    def whole(self) -> dict[str, int]:
        """The whole-file LFS objects (oid: size) the kept backups name."""
        return {p.oid: p.size for p in self.pointers.values()}

    @property
    def sources(self) -> dict[str, int]:
        """The LFS objects the copy reads: source packs and whole files."""
        packs = {c.pack for c in (*self.newest, *self.older)}
        return {oid: self.pack_sizes[oid] for oid in packs} | self.whole


def data_blobs(backup: KeptBackup) -> dict[str, str]:
    return {
        p[len(DATA_PREFIX) :]: e.sha
        for p, e in backup.entries.items()
        if p.startswith(DATA_PREFIX) and p != FORMAT_MARK
    }


def is_chunked(backup: KeptBackup) -> bool:
    return FORMAT_MARK in backup.entries


def read_contents(git: Git, kept: list[KeptBackup], held: Iterable[str] = ()) -> Contents:
    """Walk the kept backups newest first; `held`: chunk ids the new repository has."""
    contents = Contents()
    seen_ids, seen_pieces, seen_blobs = set(held), set(), set()
    newest = list(reversed(kept))
    in_newest = set(data_blobs(newest[0]).values()) if newest else set()
    for start in range(0, len(newest), BATCH):
        batch = newest[start : start + BATCH]
        blobs = {sha: is_chunked(b) for b in batch for sha in sorted(data_blobs(b).values())}
        blobs = {sha: chunked for sha, chunked in blobs.items() if sha not in seen_blobs}
        seen_blobs |= blobs.keys()
        texts = small_blobs(git, blobs)
        manifests = [t for sha, t in texts.items() if blobs[sha] and is_manifest(t)]
        contents.pieces.add(read_pieces(manifests, _unread(git, contents.pieces)))
        for sha, text in texts.items():
            if blobs[sha] and is_manifest(text):
                contents.manifests[sha] = text
                first = sha in in_newest
                target = contents.newest if first else contents.older
                found = manifest_chunks(text, contents.pieces, seen_pieces, contents.pack_sizes)
                for chunk in found:
                    if chunk.id not in seen_ids:
                        seen_ids.add(chunk.id)
                        target.append(chunk)
            elif (pointer := parse_pointer(text)) is not None:
                contents.pointers[sha] = pointer
    return contents


def _unread(git: Git, store: PieceStore) -> Callable[[set[str]], Mapping[str, bytes]]:
    """Read the pieces the store does not hold yet."""

    def read(wanted: set[str]) -> Mapping[str, bytes]:
        # A piece read before was added with everything under it.
        return git.cat_blobs(p for p in wanted if p not in store.leaves and p not in store.indexes)

    return read


def small_blobs(git: Git, blobs: Mapping[str, bool]) -> dict[str, bytes]:
    """Manifests and pointers among `blobs`, read; raw content (the guide's non-LFS files)
    is only sized, never loaded whole."""
    sizes = git.blob_sizes(blobs)
    readable = [s for s in blobs if sizes.get(s, 0) <= (256 << 20 if blobs[s] else 1024)]
    return git.cat_blobs(readable)


def fetch_sources(ws: Workspace, objects: Mapping[str, int]) -> set[str]:
    """Bring the LFS objects the copy reads into the cache, in one `git lfs fetch` of a
    commit made here that names them all (the backups name them across thousands of
    trees; this names each once). The ones downloaded: git-lfs checked each against its
    id as it arrived."""
    missing = {o: s for o, s in objects.items() if not ws.store.has(Pointer(o, s))}
    if not missing:
        return set()
    with tempfile.TemporaryDirectory(dir=ws.home, prefix="move-") as scratch:
        blobs = write_blobs(
            ws.git, Path(scratch), [Pointer(o, s).encode() for o, s in missing.items()]
        )
        entries = [
            TreeEntry("100644", "blob", blob, pack_path(oid))
            for oid, blob in zip(missing, blobs, strict=True)
        ]
        tree = ws.git.write_tree(entries, Path(scratch) / "index")
        commit = ws.git.commit_tree(tree, parent=None, message="Objects a move copies\n")
        result = ws.git.lfs_fetch(commit)
    lacking = [o for o, s in missing.items() if not ws.store.has(Pointer(o, s))]
    if lacking:
        if result.returncode != 0 and not remote_errors.is_bad_object(result):
            remote_errors.raise_for(result, operation="lfs fetch")
        raise VerificationFailed(
            f"The old repository lacks {len(lacking)} of the objects the kept backups need "
            "(python -m sync verify tells which backups): keep fewer days, or bring them back."
        )
    return set(missing)


def check_sources(store: LfsStore, contents: Contents, *, downloaded: set[str]) -> None:
    """Every object the copy reads hashes to its id (the ones just downloaded were
    checked as they came): a damaged cached pack is dropped, never copied from.
    DamagedPack names those dropped, to download again."""
    cached = [Pointer(o, s) for o, s in contents.sources.items() if o not in downloaded]
    with ThreadPoolExecutor(thread_name_prefix="kura-check") as pool:
        intact = list(pool.map(store.is_intact, cached))  # sha256 lets go of the GIL
    damaged = [p.oid for p, ok in zip(cached, intact, strict=True) if not ok]
    for oid in damaged:
        store.delete(oid)
    if damaged:
        raise DamagedPack(*damaged)


def write_dense(
    source: LfsStore, target: LfsStore, contents: Contents
) -> tuple[dict[str, Place], dict[str, int]]:
    """Copy every chunk once into new packs in `target`, and the whole-file objects as
    they are (`check_sources` first): where each chunk now lives, and every new LFS
    object ({oid: size}). Frames are copied as stored: a pack that hashes to its id
    holds the frames its backups wrote."""
    writer = PackWriter(target, target=DENSE_SIZE)
    tickets: dict[str, int] = {}
    try:
        with PackReader(source) as reader:
            for group in (contents.newest, contents.older):
                for chunk in group:
                    tickets[chunk.id] = writer.add_frame(reader.frame(chunk))
                writer.seal()
        sealed, placements = writer.finish()
    except BaseException:
        writer.discard()
        raise
    places = {}
    for chunk_id, ticket in tickets.items():
        placement = placements[ticket]
        oid, size = sealed[placement.pack]
        places[chunk_id] = Place(oid, size, placement.offset, placement.length)
    whole = contents.whole
    for oid in whole:
        _copy(source.path(oid), target.path(oid))
    return places, dict(sealed) | whole


def _copy(source: Path, target: Path) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
