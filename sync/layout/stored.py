"""The data files inside a backup commit, and the tree of a new backup.

The repository keeps the data directory under `data/` at its root (the layout
of the original guide). Each data file is either a Git LFS pointer to its whole
content (older Kura, the guide) or a manifest (`sync.content.manifest`) naming
chunks in packs; the packs sit as LFS pointers under `packs/`, so the tree names
every LFS object the backup needs, and the manifests' pieces under `manifests/`.
Kura replaces `data/`, `packs/` and `manifests/` and manages `.gitattributes`;
anything else at the root (a README, a CI workflow) is carried over.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sync.content.manifest import Manifest, is_manifest, parse_manifest, read_pieces
from sync.errors import VerificationFailed
from sync.layout import parsed
from sync.repo.git import Git, TreeEntry
from sync.repo.lfs import MAX_POINTER_SIZE, Pointer, parse_pointer

DATA_PREFIX = "data/"
PACKS_PREFIX = "packs/"
PIECES_PREFIX = "manifests/"
ATTRIBUTES = ".gitattributes"
# A symlink: the Kura that wrote whole-file backups refuses a tree holding one,
# so it never mistakes a manifest for a file's content.
FORMAT_MARK = DATA_PREFIX + ".kura-chunked"
FORMAT_MARK_TARGET = b"A chunked backup (storage format 1): upgrade Kura to restore it."
LFS_RULES = (
    "data/** filter=lfs diff=lfs merge=lfs -text",
    "packs/** filter=lfs diff=lfs merge=lfs -text",
)
REGULAR = "100644"
EXECUTABLE = "100755"
SYMLINK = "120000"
MAX_MANIFEST_SIZE = 256 * 1024 * 1024  # the manifest of a file of about 40 GB


@dataclass(frozen=True)
class StoredFile:
    """A data file as a backup holds it."""

    path: str  # relative to the data directory
    blob: str
    pointer: Pointer | None  # a whole-file LFS object (older backups)
    size: int  # the real content size
    executable: bool = False
    manifest: Manifest | None = None  # chunks in packs (neither: the blob is the content)

    @property
    def content_id(self) -> str | None:
        """sha256 of the content, when the backup records it."""
        if self.manifest:
            return self.manifest.sha256
        return self.pointer.oid if self.pointer else None

    @property
    def lfs_objects(self) -> dict[str, int]:
        """The LFS objects (oid: size) a restore of this file needs."""
        if self.manifest:
            return dict(self.manifest.pack_sizes)
        return {self.pointer.oid: self.pointer.size} if self.pointer else {}


def lfs_objects(files: Iterable[StoredFile]) -> dict[str, int]:
    objects: dict[str, int] = {}
    for file in files:
        objects.update(file.lfs_objects)
    return objects


def read_data_files(git: Git, commit: str) -> dict[str, StoredFile]:
    """Every data file of `commit`, refusing anything a restore could not write safely."""
    return data_files(git, git.ls_tree(commit, "data"))


def data_files(git: Git, tree: list[TreeEntry]) -> dict[str, StoredFile]:
    """The data files among a commit's tree entries (`read_data_files` for a listed tree)."""
    entries = [e for e in tree if e.path.startswith(DATA_PREFIX) and e.path != FORMAT_MARK]
    chunked = any(e.path == FORMAT_MARK for e in tree)
    for entry in entries:
        check_entry(entry)
    blobs = {e.path[len(DATA_PREFIX) :]: e.sha for e in entries}
    files = describe_blobs(git, blobs, chunked=chunked)
    for entry in entries:
        if entry.mode == EXECUTABLE:
            path = entry.path[len(DATA_PREFIX) :]
            files[path] = dataclasses.replace(files[path], executable=True)
    return files


def describe_blobs(git: Git, blobs: dict[str, str], *, chunked: bool) -> dict[str, StoredFile]:
    """Resolve blob ids to StoredFiles: pointers and manifests are read, raw blobs sized.

    Only a chunked tree can hold manifests, so only there are blobs larger than a
    pointer read: a raw blob (the guide's non-LFS files) is never loaded whole.
    """
    known = {sha: m for sha in set(blobs.values()) if (m := _remembered(git, sha)) is not None}
    sizes = git.blob_sizes(sha for sha in blobs.values() if sha not in known)
    limit = MAX_MANIFEST_SIZE if chunked else MAX_POINTER_SIZE
    contents = git.cat_blobs(sha for sha in sizes if sizes[sha] <= limit)
    pieces = read_pieces((d for d in contents.values() if is_manifest(d)), git.cat_blobs)
    described = {sha: StoredFile("", sha, None, m.size, manifest=m) for sha, m in known.items()}
    files = {}
    for path, sha in blobs.items():
        if sha not in described:
            described[sha] = _describe(sha, contents.get(sha), sizes.get(sha, 0), pieces)
        files[path] = dataclasses.replace(described[sha], path=path)
    return files


class _ManifestCache(OrderedDict[str, Manifest]):
    """Parsed manifests by blob id (a blob never changes), newest use last: a backup reads
    its parent's manifests, which are mostly the previous backup's."""

    def __init__(self, max_chunks: int) -> None:
        super().__init__()
        self.max_chunks = max_chunks
        self.chunks = 0

    def remember(self, sha: str, manifest: Manifest) -> None:
        if sha not in self:
            self[sha] = manifest
            self.chunks += len(manifest.chunks)
        self.move_to_end(sha)
        while self.chunks > self.max_chunks and len(self) > 1:
            _, dropped = self.popitem(last=False)
            self.chunks -= len(dropped.chunks)


_MANIFESTS = _ManifestCache(max_chunks=300_000)  # about 5 GB of data in 60 MB of memory


def _remembered(git: Git, blob: str) -> Manifest | None:
    """A manifest this process holds, or one an earlier process left parsed on disk."""
    manifest = _MANIFESTS.get(blob)
    if manifest is None and (manifest := parsed.load(git.git_dir, blob)) is not None:
        _MANIFESTS.remember(blob, manifest)
    return manifest


def keep_parsed(git: Git, files: Iterable[StoredFile]) -> None:
    """Leave the manifests of `files` (the backup just recorded) parsed on disk for the
    next process, and only those."""
    parsed.keep(git.git_dir, {f.blob: f.manifest for f in files if f.manifest})


def remember_manifest(blob: str, manifest: Manifest) -> None:
    """A manifest this process wrote: the next backup's parent holds it."""
    _MANIFESTS.remember(blob, manifest)


def _describe(
    sha: str, content: bytes | None, blob_size: int, pieces: dict[str, bytes]
) -> StoredFile:
    if content is not None and is_manifest(content):
        manifest = parse_manifest(content, pieces)
        _MANIFESTS.remember(sha, manifest)
        return StoredFile("", sha, None, manifest.size, manifest=manifest)
    pointer = parse_pointer(content) if content is not None else None
    return StoredFile("", sha, pointer, pointer.size if pointer else blob_size)


def check_entry(entry: TreeEntry) -> None:
    """Only regular files at normal paths: no links, submodules or escaping paths."""
    path = entry.path
    parts = path.split("/")
    unsafe = (
        entry.mode not in (REGULAR, EXECUTABLE)
        or path.startswith("/")
        or posixpath.normpath(path) != path
        or any(p in ("", ".", "..", ".git") for p in parts)
        or "\\" in path
        or "\0" in path
    )
    if unsafe:
        raise VerificationFailed(
            f"The backup holds an entry Kura will not restore ({path!r}, mode {entry.mode}): "
            "only regular files are restored; pick another restore point."
        )


def pack_path(oid: str) -> str:
    return f"{PACKS_PREFIX}{oid[:2]}/{oid}"


def piece_path(blob: str) -> str:
    """Where a backup's tree names a manifest piece. Two levels of 16 keep each tree a
    change rewrites small (git rewrites a whole tree object for one changed entry);
    readers find pieces by id, so backups that used `manifests/<2 hex>/` read the
    same."""
    return f"{PIECES_PREFIX}{blob[0]}/{blob[1]}/{blob}"


def backup_entries(
    parent: list[TreeEntry],
    data: dict[str, str],
    *,
    attributes_blob: str,
    packs: dict[str, str],
    pieces: Iterable[str] = (),
    mark_blob: str,
) -> list[TreeEntry]:
    """The full tree of a new backup: the parent's other files, our attributes, the
    data (path: blob), the packs its manifests use (oid: pointer blob), their pieces
    (blob ids) and the mark."""
    ours = (DATA_PREFIX, PACKS_PREFIX, PIECES_PREFIX)
    kept = [e for e in parent if not e.path.startswith(ours) and e.path != ATTRIBUTES]
    kept.append(TreeEntry(REGULAR, "blob", attributes_blob, ATTRIBUTES))
    kept.append(TreeEntry(SYMLINK, "blob", mark_blob, FORMAT_MARK))
    kept.extend(
        TreeEntry(REGULAR, "blob", blob, DATA_PREFIX + path) for path, blob in sorted(data.items())
    )
    kept.extend(TreeEntry(REGULAR, "blob", blob, pack_path(oid)) for oid, blob in packs.items())
    kept.extend(TreeEntry(REGULAR, "blob", blob, piece_path(blob)) for blob in sorted(set(pieces)))
    return kept


def pack_entries(tree: list[TreeEntry]) -> dict[str, str]:
    """The packs a tree names: {oid: pointer blob}."""
    return {
        e.path.rsplit("/", 1)[-1]: e.sha
        for e in tree
        if e.path.startswith(PACKS_PREFIX) and e.mode == REGULAR
    }


def attributes_text(existing: bytes | None) -> bytes:
    """Keep the repository's own rules, with ours last so that they win."""
    lines = [] if existing is None else existing.decode("utf-8", "replace").splitlines()
    lines = [line for line in lines if line.strip() not in LFS_RULES]
    return ("\n".join([*lines, *LFS_RULES]) + "\n").encode()
