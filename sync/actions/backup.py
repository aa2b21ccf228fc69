"""Backup: snapshot the data directory, commit it, push it. Never force-pushes."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Set
from dataclasses import replace
from pathlib import Path

from sync.actions.recovery import recover
from sync.background.announce import announce_backup
from sync.content.compact import compact
from sync.content.index import ChunkIndex
from sync.content.writer import ContentWriter
from sync.errors import Busy, PushRejected, VerificationFailed
from sync.guards import check_lineage, check_shrink
from sync.layout import confirmed
from sync.layout.build import (
    Parent,
    Snapshot,
    build_tree,
    held_pieces,
    read_parent,
    write_manifests,
)
from sync.layout.commits import STORAGE_TRAILER, Storage
from sync.layout.history_index import HistoryIndex
from sync.layout.state import SavedFile, SavedState, load_state, save_state
from sync.layout.stored import (
    StoredFile,
    describe_blobs,
    keep_parsed,
    lfs_objects,
    remember_manifest,
)
from sync.local.snapshot import LocalFile, check_sizes, scan, snapshot_file
from sync.merge.files import keep_their_changes
from sync.merge.tip import merge_tip
from sync.models import BackupResult
from sync.move.marker import refuse_if_moved
from sync.oplog import record
from sync.repo import remote_errors
from sync.repo.lfs import Pointer
from sync.repo.locking import operation_lock
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

    A restore this host could not record yet is recorded first, as what this backup
    holds (`sync.actions.restore.record_restore`): the restored data, with whatever
    changed since. Refuses with `restore_first` when this host never restored the remote's backups,
    and with `shrink_guard` when most of the latest backup's data would be dropped
    (`sync.guards`); `force=True` backs up anyway, on top: history keeps everything.
    """
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        unrecorded = ws.restore_unrecorded
        if unrecorded is not None:
            kind = unrecorded.kind  # the restore comes first: never the older data over it
        with record(ws.home, "backup", kind) as recording:
            if unrecorded is not None:
                from sync.actions.restore import record_restore  # restore builds on backup

                result = record_restore(ws, unrecorded)
            else:
                result = backup_locked(ws, message=message, kind=kind, force=force)
            recording.bytes, recording.status = result.bytes, result.status
            recording.uploaded = result.uploaded
        if force:
            ws.set_restore_pending(False)  # a deliberate fresh start
    announce_backup(ws, result, kind=kind)  # after the lock: a slow receiver delays no one
    return result


def backup_locked(
    ws: Workspace,
    *,
    message: str | None,
    kind: str,
    fetch: bool = True,
    force: bool = False,
    keep: Set[str] = frozenset(),
    merge: bool = True,
    compaction: bool = True,
    trailers: dict[str, str] | None = None,
) -> BackupResult:
    """The backup itself, for callers that already hold the operation lock.

    `fetch=False` is for callers that fetched a moment ago (a restore); `keep` names
    LFS objects the cache must keep beyond this backup's (a restore's staged ones);
    `merge=False` records the data exactly as it is (a restore's result), without
    merging another instance's newer rows into it first. `compaction=False` writes no
    pack beyond the changed chunks' (a restore's commits upload nothing). `trailers` are
    added to the commit message (a restore's: what it brought back and replaced).
    """
    ws.require_lfs()
    local = scan(ws.data_dir)
    check_sizes(local, ws.settings.max_file_size_bytes)
    ws.ensure_cache(new_remote=force)
    saved = load_state(ws.state_file)
    tip = ws.tip()
    unchanged_here = not force and tip and saved.commit == tip and not saved.is_dirty(local)
    # Nothing changed here: one look that the remote still has this backup (it may have
    # been emptied or recreated since) is all an unchanged backup costs.
    if unchanged_here and ws.remote_tip() == tip:
        return _unchanged(tip, saved.files)

    # Fetch first: a bad token or a dead remote fails here, fast, before git-lfs
    # (which can retry a 401 for minutes); and a commit on the newest tip rarely races.
    tip = ws.fetch() if fetch else tip
    if tip is None:
        ws.set_restore_pending(False)  # the remote holds nothing to restore
    refuse_if_moved(ws.git, tip)  # forced or not: the quota there is spent
    if not force:  # before any copying: refusing is cheap
        check_lineage(ws, saved.commit, tip, pending=ws.restore_pending)
        saved = load_state(ws.state_file)  # re-pointed when the host's backups moved
    parent, snapshot, merged = read_parent(ws.git, tip), None, set()
    subject = message or DEFAULT_MESSAGES.get(kind, "Backup")
    whole = False  # every local file stored anew: the remote lost chunks the parent names
    for _ in range(_PUSH_ATTEMPTS):
        # Another instance's newer backup may hold rows this host lacks: merge them into
        # the live databases first, so this backup holds both instances' rows.
        merges = merge_tip(ws, parent, saved, local) if merge else {}
        merged |= set(merges)
        if merges or snapshot is None:
            local = scan(ws.data_dir)
            snapshot = _snapshot(ws, local, saved, parent, whole=whole)
        # Files this host did not change keep the version another instance backed up.
        tree = (
            snapshot
            if force
            else replace(snapshot, stored=keep_their_changes(parent, saved, snapshot.stored))
        )
        if compaction:
            tree = _compacted(ws, tree)
        text = _commit_message(subject, kind, tree.stored, trailers or {}, ws.instance_name)
        try:
            result = _commit_and_push(ws, parent, tree, text, force=force, keep=keep)
        except _ObjectsGone:
            if whole:
                raise
            # The remote was emptied or recreated under the cache: store this host's
            # data again from the live files, as a first backup would.
            log.warning("The remote lacks chunks this backup reuses; storing the data anew")
            whole, snapshot = True, None
            continue
        if result is not None:
            return replace(result, merged=tuple(sorted(merged)))
        # Another instance pushed first: re-commit on its tip. The packs are uploaded
        # already and the new tree names them again, so no chunk is lost.
        parent = read_parent(ws.git, ws.fetch())
    raise PushRejected("The remote kept changing during the backup; try again in a minute.")


def _unchanged(commit: str, files: dict[str, SavedFile]) -> BackupResult:
    total = sum(f.size for f in files.values())
    return BackupResult("unchanged", commit, len(files), total, 0)


def _snapshot(
    ws: Workspace, local: list[LocalFile], saved: SavedState, parent: Parent, *, whole: bool
) -> Snapshot:
    """Store the changed files' new chunks in packs; reuse the saved record of the others.
    `whole`: every file, every chunk, as on a first backup."""
    manifests = [] if whole else [f.manifest for f in parent.files.values() if f.manifest]
    writer = ContentWriter(ws.store, ChunkIndex(manifests))
    files: dict[str, SavedFile] = {}
    fresh = []
    reusable = {} if whole else _reusable(ws, local, saved, parent)
    try:
        with tempfile.TemporaryDirectory(dir=ws.home, prefix="snapshot-") as scratch:
            for file in local:
                known = reusable.get(file.path)
                if known:
                    files[file.path] = known
                else:
                    stored = parent.files.get(file.path)
                    previous = stored.manifest.chunker if stored and stored.manifest else None
                    fresh.append(
                        (file, *snapshot_file(file, writer, Path(scratch), previous=previous))
                    )
        new_packs = writer.finish()
    except BaseException:
        writer.discard()
        raise
    manifests = [writer.manifest(pending) for _, pending, _ in fresh]
    blobs = write_manifests(ws.git, ws.home, manifests, held=held_pieces(parent.files.values()))
    stored: dict[str, StoredFile] = {}
    for (file, _, signature), manifest, blob in zip(fresh, manifests, blobs, strict=True):
        files[file.path] = SavedFile(signature, manifest.sha256, manifest.size, blob)
        remember_manifest(blob, manifest)
        stored[file.path] = StoredFile(file.path, blob, None, manifest.size, manifest=manifest)
    stored |= _describe_reused(ws, files, stored, parent)
    return Snapshot(dict(sorted(files.items())), stored, new_packs)


def _reusable(
    ws: Workspace, local: list[LocalFile], saved: SavedState, parent: Parent
) -> dict[str, SavedFile]:
    """The files whose saved record can stand for them (unchanged since, by their stat
    signature), when the cache still holds that record's blob: a cache trimmed or
    damaged since would otherwise leave the tree naming a blob git cannot find, and such a
    file is simply read again. None on a first backup: a remote that is new, emptied or
    recreated holds none of the chunks those records point at."""
    if parent.commit is None:
        return {}
    matching = {f.path: known for f in local if (known := saved.matching(f))}
    in_parent = {f.blob for f in parent.files.values()}
    present = ws.git.blob_sizes(k.blob for k in matching.values() if k.blob not in in_parent)
    return {p: k for p, k in matching.items() if k.blob in in_parent or k.blob in present}


def _compacted(ws: Workspace, snapshot: Snapshot) -> Snapshot:
    """The snapshot with its sparse or small packs merged when that is due
    (`sync.content.compact`): new manifests for the files whose chunks moved."""
    manifests = {p: f.manifest for p, f in snapshot.stored.items() if f.manifest}
    rewritten, packs = compact(ws.store, manifests)
    if not rewritten:
        return snapshot
    held = held_pieces(snapshot.stored.values())
    blobs = write_manifests(ws.git, ws.home, list(rewritten.values()), held=held)
    stored, files = dict(snapshot.stored), dict(snapshot.files)
    for (path, manifest), blob in zip(rewritten.items(), blobs, strict=True):
        remember_manifest(blob, manifest)
        stored[path] = replace(stored[path], blob=blob, manifest=manifest)
        saved = files.get(path)
        if saved is not None and saved.oid == manifest.sha256:
            files[path] = replace(saved, blob=blob)  # the same content, stored elsewhere
    log.info("Compaction moved %d files' chunks into %d new packs", len(rewritten), len(packs))
    return Snapshot(files, stored, snapshot.new_packs | packs)


def _describe_reused(
    ws: Workspace, files: dict[str, SavedFile], stored: dict[str, StoredFile], parent: Parent
) -> dict[str, StoredFile]:
    """Unchanged files as the tree will hold them: from the parent, or read from git (the
    blobs a restore brought back, which the parent need not hold)."""
    by_blob = {f.blob: f for f in parent.files.values()}
    reused = {p: f.blob for p, f in files.items() if p not in stored}
    unknown = {p: blob for p, blob in reused.items() if blob not in by_blob}
    described = describe_blobs(ws.git, unknown, chunked=True)
    return {
        path: described[path] if path in described else replace(by_blob[blob], path=path)
        for path, blob in reused.items()
    }


def _commit_message(
    subject: str, kind: str, files: dict[str, StoredFile], trailers: dict[str, str], host: str
) -> str:
    subject = " ".join(subject.split())[:200] or "Backup"
    total = sum(f.size for f in files.values())
    extra = "".join(f"{key}: {value}\n" for key, value in trailers.items())
    return (
        f"{subject}\n\n"
        f"Kura-Kind: {kind}\n"
        f"Kura-Files: {len(files)}\n"
        f"Kura-Bytes: {total}\n"
        f"Kura-Host: {host}\n"
        f"{extra}"
    )


def _commit_and_push(
    ws: Workspace,
    parent: Parent,
    snapshot: Snapshot,
    message: str,
    *,
    force: bool,
    keep: Set[str],
) -> BackupResult | None:
    """One attempt on top of `parent`; None when the remote moved and a retry is needed."""
    git, tip, files = ws.git, parent.commit, snapshot.stored
    if not force:
        check_shrink(
            {p: f.size for p, f in parent.files.items()}, {p: f.size for p, f in files.items()}
        )
    tree, packs = build_tree(git, ws.home, parent, snapshot.stored)
    total = sum(f.size for f in files.values())
    named = lfs_objects(files.values())
    new = {oid: size for oid, size in snapshot.new_packs.items() if oid in packs}
    # Objects first, then the ref: the remote never holds a backup it cannot restore.
    checked = confirmed.check(ws, {o: s for o, s in named.items() if o not in new}, tip)
    lost = _put_back(ws, checked.lacking, files)
    if tip and git.tree_of(tip) == tree:
        ws.push_lfs(lost)
        confirmed.save(ws, tip, named, asked=checked.asked)
        _record(ws, tip, snapshot, parent=parent, keep=keep)
        return BackupResult("unchanged", tip, len(files), total, 0)

    message += _storage(ws, tip, new | lost).trailer() + "\n"
    commit = git.commit_tree(tree, parent=tip, message=message)
    ws.push_lfs(new | lost)
    pushed = git.push(commit, ws.branch)
    if pushed.returncode != 0:
        if remote_errors.is_non_fast_forward(pushed):
            log.info("The remote moved during the backup; re-committing on its new tip")
            return None
        remote_errors.raise_for(pushed, operation="push")
    git.update_ref(ws.tracking_ref, commit)
    confirmed.save(ws, commit, named, asked=checked.asked)
    _record(ws, commit, snapshot, parent=parent, keep=keep)
    changed = _changed_paths(parent.files, files)
    uploaded = sum((new | lost).values())
    return BackupResult("created", commit, len(files), total, len(changed), uploaded, changed)


class _ObjectsGone(VerificationFailed):
    """The remote lacks LFS objects the backup names, and this host does not hold them."""


def _put_back(ws: Workspace, lost: dict[str, int], files: dict[str, StoredFile]) -> dict[str, int]:
    """The objects the remote lost, to upload again from the cache; _ObjectsGone when
    the cache does not hold them either."""
    # Checked whole before it goes back: no damaged byte of the cache reaches the remote.
    gone = {oid for oid, size in lost.items() if not ws.store.is_intact(Pointer(oid, size))}
    if gone:
        paths = sorted(p for p, f in files.items() if gone & set(f.lfs_objects))
        raise _ObjectsGone(
            f"The remote lacks data of {', '.join(paths[:5])}"
            + (f" and {len(paths) - 5} more files" if len(paths) > 5 else "")
            + ", and this host does not hold it: restore a backup that is complete "
            "(python -m sync verify tells which), or bring the remote's LFS objects back."
        )
    return lost


def _storage(ws: Workspace, tip: str | None, new: dict[str, int]) -> Storage:
    """The remote's LFS totals after this backup: its parent's (from its own trailer, or
    the history index) plus the packs this backup adds. A cache that began with a newest
    backup of an older Kura (no trailer) takes the whole history's commits, trees and LFS
    pointers first (not its manifests), once: after this backup, every cache knows the
    figures from the newest backup alone."""
    added = sum(new.values())
    said = _said_storage(ws, tip) if tip is not None else Storage(0, 0, 0, 0)
    if said is not None:  # the common case: one `git log -1`, no index
        return Storage(added, said.bytes + added, said.objects + len(new), said.backups + 1)
    assert tip is not None
    if ws.git.is_shallow():
        ws.deepen(None, blobs="blob:limit=1024")  # commits, trees and LFS pointers
    before = HistoryIndex(ws.history_index_file).growth(ws.git, tip, recent=0)
    return Storage(
        added, before.lfs_bytes + added, before.lfs_objects + len(new), before.backups + 1
    )


def _said_storage(ws: Workspace, commit: str) -> Storage | None:
    said = ws.git.log(commit, f"%(trailers:key={STORAGE_TRAILER},valueonly)", limit=1)
    return Storage.parse(said.decode().strip("\0\n"))


def _changed_paths(before: dict[str, StoredFile], after: dict[str, StoredFile]) -> tuple[str, ...]:
    paths = set(before) | set(after)
    return tuple(
        sorted(
            p for p in paths if p not in before or p not in after or before[p].blob != after[p].blob
        )
    )


def _record(
    ws: Workspace, commit: str, snapshot: Snapshot, *, parent: Parent, keep: Set[str]
) -> None:
    """Remember what was saved; keep in the cache only the LFS objects of this backup and
    the previous one (the likeliest restore point), the remote keeps the rest."""
    save_state(ws.state_file, SavedState(commit, snapshot.files))
    ws.keep_saved(commit)
    keep_parsed(ws.git, snapshot.stored.values())
    kept = set(lfs_objects(snapshot.stored.values())) | set(lfs_objects(parent.files.values()))
    try:
        with ws.packing(wait=0):  # a read of an older backup may be using other packs
            ws.store.prune(keep=kept | set(keep))
            ws.store.clean_tmp()
    except Busy:
        log.info("Keeping the cache's other LFS objects until no one reads them")
