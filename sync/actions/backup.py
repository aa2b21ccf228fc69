"""Backup: snapshot the data directory, commit it, push it. Never force-pushes."""

from __future__ import annotations

import logging
import socket
import tempfile
from collections.abc import Set
from pathlib import Path

from sync import remote_errors
from sync.actions.recovery import recover
from sync.errors import PushRejected
from sync.git import TreeEntry
from sync.guards import check_lineage, check_shrink
from sync.lfs import Pointer
from sync.locking import operation_lock
from sync.models import BackupResult
from sync.oplog import record
from sync.snapshot import LocalFile, check_sizes, scan, store_file
from sync.state import SavedFile, SavedState, load_state, save_state
from sync.tree import ATTRIBUTES, StoredFile, attributes_text, backup_entries, data_files
from sync.workspace import Workspace

log = logging.getLogger(__name__)

DEFAULT_MESSAGES = {
    "manual": "Manual backup",
    "auto": "Automatic backup",
    "startup": "Backup at start-up",
    "pre-restore": "Safety backup before a restore",
}
_PUSH_ATTEMPTS = 5


def backup(
    ws: Workspace, *, message: str | None = None, kind: str = "manual", force: bool = False
) -> BackupResult:
    """Back up now; `unchanged` (and no commit) when nothing changed since the last backup.

    Refuses with `restore_first` when this host never restored the remote's backups,
    and with `shrink_guard` when most of the latest backup's data would be dropped
    (`sync.guards`); `force=True` backs up anyway, on top: history keeps everything.
    """
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        with record(ws.home, "backup", kind) as recording:
            result = backup_locked(ws, message=message, kind=kind, force=force)
            recording.bytes, recording.status = result.bytes, result.status
        if force:
            ws.set_restore_pending(False)  # a deliberate fresh start
        return result


def backup_locked(
    ws: Workspace,
    *,
    message: str | None,
    kind: str,
    fetch: bool = True,
    force: bool = False,
    keep: Set[str] = frozenset(),
) -> BackupResult:
    """The backup itself, for callers that already hold the operation lock.

    `fetch=False` is for callers that fetched a moment ago (a restore); `keep` names
    LFS objects the cache must keep beyond this backup's (a restore's staged ones).
    """
    ws.require_lfs()
    local = scan(ws.data_dir)
    check_sizes(local, ws.settings.max_file_size_bytes)
    ws.ensure_cache()
    saved = load_state(ws.state_file)
    tip = ws.tip()
    if tip and saved.commit == tip and not saved.is_dirty(local):
        return _unchanged(tip, saved.files)  # no network, no git: the common timer tick

    # Fetch first: a bad token or a dead remote fails here, fast, before git-lfs
    # (which can retry a 401 for minutes); and a commit on the newest tip rarely races.
    tip = ws.fetch() if fetch else tip
    if tip is None:
        ws.set_restore_pending(False)  # the remote holds nothing to restore
    if not force:  # before any copying: refusing is cheap
        check_lineage(ws.git, saved.commit, tip, pending=ws.restore_pending)
    files = _snapshot(ws, local, saved)
    text = _commit_message(message or DEFAULT_MESSAGES.get(kind, "Backup"), kind, files)
    for _ in range(_PUSH_ATTEMPTS):
        result = _commit_and_push(ws, tip, files, text, force=force, keep=keep)
        if result is not None:
            return result
        tip = ws.fetch()  # another instance pushed first: re-commit on its tip
    raise PushRejected("The remote kept changing during the backup; try again in a minute.")


def _unchanged(commit: str, files: dict[str, SavedFile]) -> BackupResult:
    total = sum(f.size for f in files.values())
    return BackupResult("unchanged", commit, len(files), total, 0)


def _snapshot(ws: Workspace, local: list[LocalFile], saved: SavedState) -> dict[str, SavedFile]:
    """Store changed files in the LFS store; reuse the saved record of the others."""
    files: dict[str, SavedFile] = {}
    fresh: list[tuple[LocalFile, Pointer, tuple[int, ...]]] = []
    for file in local:
        known = saved.matching(file)
        if known:
            files[file.path] = known
        else:
            pointer, signature = store_file(file, ws.store)
            fresh.append((file, pointer, signature))
    blobs = _write_pointer_blobs(ws, [pointer for _, pointer, _ in fresh])
    for (file, pointer, signature), blob in zip(fresh, blobs, strict=True):
        files[file.path] = SavedFile(signature, pointer.oid, pointer.size, blob)
    return dict(sorted(files.items()))


def _write_pointer_blobs(ws: Workspace, pointers: list[Pointer]) -> list[str]:
    with tempfile.TemporaryDirectory(dir=ws.home, prefix="pointers-") as tmp:
        paths = []
        for index, pointer in enumerate(pointers):
            path = Path(tmp) / str(index)
            path.write_bytes(pointer.encode())
            paths.append(path)
        return ws.git.write_blobs(paths)


def _commit_message(subject: str, kind: str, files: dict[str, SavedFile]) -> str:
    subject = " ".join(subject.split())[:200] or "Backup"
    total = sum(f.size for f in files.values())
    return (
        f"{subject}\n\n"
        f"Kura-Kind: {kind}\n"
        f"Kura-Files: {len(files)}\n"
        f"Kura-Bytes: {total}\n"
        f"Kura-Host: {socket.gethostname()}\n"
    )


def _commit_and_push(
    ws: Workspace,
    tip: str | None,
    files: dict[str, SavedFile],
    message: str,
    *,
    force: bool,
    keep: Set[str],
) -> BackupResult | None:
    """One attempt on top of `tip`; None when the remote moved and a retry is needed."""
    git = ws.git
    parent = git.ls_tree(tip) if tip else []  # listed once: data, attributes, other files
    parent_files = data_files(git, parent)
    if not force:
        check_shrink(
            {p: f.size for p, f in parent_files.items()}, {p: f.size for p, f in files.items()}
        )
    entries = backup_entries(
        parent, {p: f.blob for p, f in files.items()}, _attributes_blob(ws, parent)
    )
    with tempfile.TemporaryDirectory(dir=ws.home, prefix="index-") as tmp:
        tree = git.write_tree(entries, Path(tmp) / "index")
    total = sum(f.size for f in files.values())
    if tip and git.tree_of(tip) == tree:
        _record(ws, tip, files, previous=parent_files, keep=keep)
        return BackupResult("unchanged", tip, len(files), total, 0)

    commit = git.commit_tree(tree, parent=tip, message=message)
    parent_blobs = {f.blob for f in parent_files.values()}
    new_oids = sorted({f.oid for f in files.values() if f.blob not in parent_blobs})
    if new_oids:
        # Objects first, then the ref: the remote never holds a backup it cannot restore.
        uploaded = git.lfs_push(new_oids)
        if uploaded.returncode != 0:
            remote_errors.raise_for(uploaded, operation="lfs push")
    pushed = git.push(commit, ws.branch)
    if pushed.returncode != 0:
        if remote_errors.is_non_fast_forward(pushed):
            log.info("The remote moved during the backup; re-committing on its new tip")
            return None
        remote_errors.raise_for(pushed, operation="push")
    git.update_ref(ws.tracking_ref, commit)
    _record(ws, commit, files, previous=parent_files, keep=keep)
    changed = _count_changes(parent_files, files)
    return BackupResult("created", commit, len(files), total, changed)


def _attributes_blob(ws: Workspace, parent: list[TreeEntry]) -> str:
    existing = None
    found = next((e.sha for e in parent if e.path == ATTRIBUTES), None)
    if found:
        existing = ws.git.cat_blobs([found]).get(found)
    with tempfile.TemporaryDirectory(dir=ws.home, prefix="attributes-") as tmp:
        path = Path(tmp) / ATTRIBUTES
        path.write_bytes(attributes_text(existing))
        return ws.git.write_blobs([path])[0]


def _count_changes(before: dict, after: dict[str, SavedFile]) -> int:
    paths = set(before) | set(after)
    return sum(
        1 for p in paths if p not in before or p not in after or before[p].blob != after[p].blob
    )


def _record(
    ws: Workspace,
    commit: str,
    files: dict[str, SavedFile],
    *,
    previous: dict[str, StoredFile],
    keep: Set[str],
) -> None:
    """Remember what was saved; keep in the cache only this backup's and the previous one's
    LFS objects (the likeliest restore point), the remote keeps the rest."""
    save_state(ws.state_file, SavedState(commit, files))
    kept = {f.oid for f in files.values()} | keep
    kept |= {f.pointer.oid for f in previous.values() if f.pointer}
    ws.store.prune(keep=kept)
    ws.store.clean_tmp()
