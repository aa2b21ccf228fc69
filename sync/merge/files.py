"""Which version of each file a backup on another instance's newer tip holds.

Per file, the last writer wins, and a host only counts as a writer of the files whose
content it changed since its last backup or restore (by content hash: a touched or
copied file is not a change). A file this host did not touch keeps the
tip's version (another instance may have changed, added or deleted it meanwhile);
a file this host changed or added is this host's version. A file this host deleted
stays deleted unless another instance changed it after this host last saw it.
Databases with merge rules were merged into the live file before (`merge.tip`), so
this host's version of them already holds both instances' rows.
"""

from __future__ import annotations

from sync.layout.build import Parent
from sync.layout.state import SavedState
from sync.layout.stored import StoredFile


def keep_their_changes(
    parent: Parent, saved: SavedState, mine: dict[str, StoredFile]
) -> dict[str, StoredFile]:
    """The files of the new backup: `mine` (this host's data as it would be stored),
    with the tip's version of every file whose content this host did not change since
    `saved`."""
    if parent.commit is None:
        return mine  # the first backup
    # Not a shortcut on `parent.commit == saved.commit`: a backup that found nothing of
    # its own to add records the other's tip as its commit while its files stay its own.
    seen = {path: f.oid for path, f in saved.files.items()}
    theirs = {path: f for path, f in parent.files.items()}
    files = {}
    for path in sorted(set(mine) | set(theirs)):
        chosen = _choose(mine.get(path), theirs.get(path), seen.get(path))
        if chosen is not None:
            files[path] = chosen
    return files


def content_of(file: StoredFile | None) -> str | None:
    """What a file holds, by the sha256 its manifest or pointer records: a new mtime, a
    new inode or a manifest rewritten by compaction leave it the same. A raw blob (the
    guide's non-LFS files) has no such hash: its blob id stands in."""
    if file is None:
        return None
    return file.content_id or file.blob


def _choose(
    mine: StoredFile | None, theirs: StoredFile | None, seen: str | None
) -> StoredFile | None:
    """`seen`: the content this host last saved or restored at this path (None: none)."""
    if content_of(mine) == seen:
        return theirs  # untouched here: whatever the tip holds, changed, added or deleted there
    if mine is None and theirs is not None and content_of(theirs) != seen:
        return theirs  # deleted here, but changed there since: keep the newer content
    return mine
