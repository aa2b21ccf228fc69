"""The tree of a new backup: its data blobs, the packs their manifests use, the
attributes and the format mark, on top of what the parent holds besides."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Set
from dataclasses import dataclass
from pathlib import Path

from sync.content.manifest import Manifest
from sync.layout.state import SavedFile
from sync.layout.stored import (
    ATTRIBUTES,
    FORMAT_MARK,
    FORMAT_MARK_TARGET,
    StoredFile,
    attributes_text,
    backup_entries,
    data_files,
    pack_entries,
)
from sync.repo.git import Git, TreeEntry
from sync.repo.lfs import Pointer


@dataclass(frozen=True)
class Parent:
    """The backup a new one goes on top of (commit None: the first backup)."""

    commit: str | None
    entries: list[TreeEntry]  # its whole tree, listed once
    files: dict[str, StoredFile]


@dataclass(frozen=True)
class Snapshot:
    files: dict[str, SavedFile]  # what the saved state records
    stored: dict[str, StoredFile]  # every file as the new tree holds it
    new_packs: dict[str, int]  # packs this backup wrote: {oid: size}


def read_parent(git: Git, tip: str | None) -> Parent:
    entries = git.ls_tree(tip) if tip else []
    return Parent(tip, entries, data_files(git, entries))


def build_tree(
    git: Git, scratch: Path, parent: Parent, files: dict[str, StoredFile]
) -> tuple[str, set[str]]:
    """Write the tree; return it and the packs it names."""
    needed: dict[str, int] = {}
    pieces: set[str] = set()
    for file in files.values():
        if file.manifest:
            needed.update(file.manifest.pack_sizes)
            pieces.update(file.manifest.piece_blobs)
    existing = pack_entries(parent.entries)
    missing = sorted(oid for oid in needed if oid not in existing)
    contents = [Pointer(oid, needed[oid]).encode() for oid in missing]
    attributes, attributes_wanted = _attributes(git, parent)
    mark = _entry(parent, FORMAT_MARK)
    if attributes is None:
        contents.append(attributes_wanted)
    if mark is None:
        contents.append(FORMAT_MARK_TARGET)
    written = iter(write_blobs(git, scratch, contents) if contents else [])
    pointer_blobs = [next(written) for _ in missing]
    attributes_blob = attributes or next(written)
    mark_blob = mark or next(written)
    _OURS.add(attributes_blob)
    packs = {oid: existing[oid] for oid in needed if oid in existing}
    packs |= dict(zip(missing, pointer_blobs, strict=True))
    entries = backup_entries(
        parent.entries,
        {p: f.blob for p, f in files.items()},
        attributes_blob=attributes_blob,
        packs=dict(sorted(packs.items())),
        pieces=pieces,
        mark_blob=mark_blob,
    )
    with tempfile.TemporaryDirectory(dir=scratch, prefix="index-") as tmp:
        return git.write_tree(entries, Path(tmp) / "index"), set(packs)


# Attribute blobs this process wrote or checked: already what Kura would write.
_OURS: set[str] = set()


def _entry(parent: Parent, path: str) -> str | None:
    return next((e.sha for e in parent.entries if e.path == path), None)


def _attributes(git: Git, parent: Parent) -> tuple[str | None, bytes]:
    """The parent's attributes blob when it already is exactly Kura's (None otherwise),
    and the text Kura's must be (read only when the blob is not known to be ours)."""
    found = _entry(parent, ATTRIBUTES)
    if found in _OURS:
        return found, b""
    existing = git.cat_blobs([found]).get(found) if found else None
    wanted = attributes_text(existing)
    return (found if existing == wanted else None), wanted


def write_manifests(
    git: Git, scratch: Path, manifests: list[Manifest], *, held: Set[str] = frozenset()
) -> list[str]:
    """Write each manifest and the pieces git does not hold yet (`held`: the pieces the
    parent backup's manifests name); the manifests' blob ids in order."""
    pieces = {p.id: p.data for m in manifests for p in m.pieces if p.id not in held}
    written = write_blobs(git, scratch, [*pieces.values(), *(m.encode() for m in manifests)])
    if written[: len(pieces)] != list(pieces):
        raise RuntimeError("git named a manifest piece otherwise than Kura computed")
    return written[len(pieces) :]


def held_pieces(files: Iterable[StoredFile]) -> set[str]:
    """The pieces a backup's manifests name: git holds them already."""
    return {blob for f in files if f.manifest for blob in f.manifest.piece_blobs}


PACKED_FROM = 100  # blobs written into one pack rather than loose (git's transfer.unpackLimit)


def write_blobs(git: Git, scratch: Path, contents: list[bytes]) -> list[str]:
    """Write each content as a blob; their ids in order. Many go into one pack, a few
    stay loose (a minute's backup would otherwise leave a tiny pack each time)."""
    with tempfile.TemporaryDirectory(dir=scratch, prefix="blobs-") as tmp:
        if len(contents) >= PACKED_FROM:
            return git.write_blobs_packed(contents, Path(tmp) / "marks")
        paths = []
        for index, content in enumerate(contents):
            path = Path(tmp) / str(index)
            path.write_bytes(content)
            paths.append(path)
        return git.write_blobs(paths)
