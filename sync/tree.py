"""The data files inside a backup commit, and the tree of a new backup.

The repository keeps the data directory under `data/` at its root (the layout
of the original guide). Kura replaces `data/` and manages `.gitattributes`;
anything else at the root (a README, a CI workflow) is carried over.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass

from sync.errors import VerificationFailed
from sync.git import Git, TreeEntry
from sync.lfs import MAX_POINTER_SIZE, Pointer, parse_pointer

DATA_PREFIX = "data/"
ATTRIBUTES = ".gitattributes"
LFS_RULE = "data/** filter=lfs diff=lfs merge=lfs -text"
REGULAR = "100644"
EXECUTABLE = "100755"


@dataclass(frozen=True)
class StoredFile:
    """A data file as a backup holds it."""

    path: str  # relative to the data directory
    blob: str
    pointer: Pointer | None  # None: the blob is the content itself (an older, non-LFS file)
    size: int  # the real content size
    executable: bool = False


def read_data_files(git: Git, commit: str) -> dict[str, StoredFile]:
    """Every data file of `commit`, refusing anything a restore could not write safely."""
    return data_files(git, git.ls_tree(commit, "data"))


def data_files(git: Git, tree: list[TreeEntry]) -> dict[str, StoredFile]:
    """The data files among a commit's tree entries (`read_data_files` for a listed tree)."""
    entries = [e for e in tree if e.path.startswith(DATA_PREFIX)]
    for entry in entries:
        check_entry(entry)
    files = describe_blobs(git, {e.path[len(DATA_PREFIX) :]: e.sha for e in entries})
    for entry in entries:
        if entry.mode == EXECUTABLE:
            path = entry.path[len(DATA_PREFIX) :]
            files[path] = dataclasses.replace(files[path], executable=True)
    return files


def describe_blobs(git: Git, blobs: dict[str, str]) -> dict[str, StoredFile]:
    """Resolve blob ids to StoredFiles: LFS pointers are read, raw blobs only sized."""
    sizes = git.blob_sizes(blobs.values())
    small = [sha for sha in set(blobs.values()) if sizes.get(sha, 0) <= MAX_POINTER_SIZE]
    contents = git.cat_blobs(small)
    files = {}
    for path, sha in blobs.items():
        pointer = parse_pointer(contents[sha]) if sha in contents else None
        size = pointer.size if pointer else sizes.get(sha, 0)
        files[path] = StoredFile(path, sha, pointer, size)
    return files


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


def backup_entries(
    parent: list[TreeEntry], data: dict[str, str], attributes_blob: str
) -> list[TreeEntry]:
    """The full tree of a new backup: the parent's other files, our attributes, the data."""
    kept = [e for e in parent if not e.path.startswith(DATA_PREFIX) and e.path != ATTRIBUTES]
    kept.append(TreeEntry(REGULAR, "blob", attributes_blob, ATTRIBUTES))
    kept.extend(
        TreeEntry(REGULAR, "blob", blob, DATA_PREFIX + path) for path, blob in sorted(data.items())
    )
    return kept


def attributes_text(existing: bytes | None) -> bytes:
    """Keep the repository's own rules, with ours last so that it wins for data/."""
    lines = [] if existing is None else existing.decode("utf-8", "replace").splitlines()
    lines = [line for line in lines if line.strip() != LFS_RULE]
    return ("\n".join([*lines, LFS_RULE]) + "\n").encode()
