"""Move: a fresh repository holding the newest backup and those of the last days.

For a spent LFS quota (GitHub frees LFS storage only by deleting a repository). The
old repository is read, never rewritten: its one new commit is the marker that tells
every instance where the backups went. What a move has done is in the new repository
(its commits say which backup each was moved from), so a move cut off anywhere is run
again and finishes: the packs it writes are the same bytes (already uploaded ones are
skipped), and the commits after the ones already moved are added.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from config import redact_url
from sync.actions.recovery import recover
from sync.content.pack import DamagedPack
from sync.content.relocate import Place
from sync.errors import BackupsMoved, NotConfigured, PushRejected, SyncError
from sync.layout.commits import Storage, read_commits
from sync.layout.stored import StoredFile, lfs_objects, read_data_files
from sync.move.dense import check_sources, fetch_sources, read_contents, write_dense
from sync.move.kept import reach_back, read_kept, since_of
from sync.move.marker import MOVED_TO, marker_message, moved_from, trailer
from sync.move.replay import replay
from sync.move.target import target_workspace
from sync.oplog import record
from sync.repo import remote_errors
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)
_ATTEMPTS = 5


@dataclass(frozen=True)
class MoveResult:
    status: str  # moved | unchanged (everything had moved already)
    commit: str  # the new repository's newest backup
    moved: int  # backups this run added to the new repository
    backups: int  # backups the new repository holds
    url: str  # the new repository, without credentials
    old_lfs_bytes: int  # LFS storage of the old repository
    new_lfs_bytes: int  # ... and of the new one
    uploaded: int  # LFS bytes this run sent
    marker: bool  # the old repository says where backups went

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class MovePlan:
    """What a move would keep, worked out from the cache without downloading."""

    backups: int  # the newest and those of the `keep_days` before it
    newest_bytes: int  # the newest backup's chunks, stored once each
    estimated_bytes: int  # at most this: those plus what each kept backup added

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def plan_move(ws: Workspace, keep_days: float) -> MovePlan | None:
    """The new repository's size: the newest backup's distinct chunks (its manifests are
    in the cache) plus the LFS bytes each older backup of the window added (their
    `Kura-Storage` trailers: the window's commits and manifests are fetched, no LFS
    object; dense packs leave out the dead chunks those bytes include). None: no
    backups yet."""
    tip = ws.tip()
    if tip is None:
        return None
    newest = _dense_bytes(read_data_files(ws.git, tip).values())
    since = since_of(ws.git, tip, keep_days)
    reach_back(ws, tip, since)
    window = read_commits(ws.git, tip, since=datetime.fromtimestamp(since, UTC))
    added = sum(c.storage.added for c in window[1:] if c.storage)
    return MovePlan(max(len(window), 1), newest, newest + added)


def _dense_bytes(files: Iterable[StoredFile]) -> int:
    lengths: dict[str, int] = {}
    whole = 0
    for file in files:
        if file.manifest:
            lengths.update((c.id, c.length) for c in file.manifest.chunks)
        elif file.pointer:
            whole += file.pointer.size
    return sum(lengths.values()) + whole


def move(ws: Workspace, url: str, *, keep_days: float | None = None) -> MoveResult:
    """Move the newest backup (and, with `keep_days`, every backup of the `keep_days`
    before it) into the empty repository at `url`; NotConfigured when it is not empty."""
    ws.require_enabled()
    target = target_workspace(ws, url)
    with operation_lock(ws.lock_file):
        recover(ws)
        ws.require_lfs()
        fetched = not ws.has_cache()  # a new cache fetches as it is made
        ws.ensure_cache()
        with record(ws.home, "move", "manual") as recording:
            result = _move_locked(ws, target, keep_days, fetched=fetched)
            recording.bytes, recording.status = result.uploaded, result.status
    shutil.rmtree(target.home, ignore_errors=True)  # scratch: the remotes hold the move
    return result


def _move_locked(
    ws: Workspace, target: Workspace, keep_days: float | None, *, fetched: bool
) -> MoveResult:
    shown = redact_url(target.settings.remote)
    moved, uploaded, marker = 0, 0, False
    for _ in range(_ATTEMPTS):
        source_tip, marked = _source_tip(ws, shown, fetch=not fetched)
        fetched = False
        new_tip, count, sent = _copy(ws, target, source_tip, keep_days)
        moved, uploaded = moved + count, uploaded + sent
        if marked:
            marker = True
            break
        marker = _mark(ws, source_tip, shown)
        if marker is not None:
            break
        keep_days = None  # another instance backed up meanwhile: move what it added
    else:
        raise PushRejected("The old repository kept changing during the move; run it again.")
    return _result(ws, target, new_tip, moved, uploaded, bool(marker), shown)


def _source_tip(ws: Workspace, shown: str, *, fetch: bool) -> tuple[str, bool]:
    """The old repository's newest backup, and whether its marker is there already."""
    tip = ws.fetch() if fetch else ws.tip()
    if tip is None:
        raise NotConfigured("The backup repository holds no backups to move.")
    where = trailer(ws.git, tip, MOVED_TO)
    if where is None:
        return tip, False
    if where != shown:
        raise BackupsMoved(f"Backups moved to {where} already; move from there instead.")
    return read_commits(ws.git, tip, limit=1)[0].parents[0], True


def _copy(
    ws: Workspace, target: Workspace, source_tip: str, keep_days: float | None
) -> tuple[str, int, int]:
    """Bring the new repository up to `source_tip`: its tip, backups added, bytes sent."""
    new_tip = _open_target(ws, target)
    done = moved_from(target.git, new_tip) if new_tip else None
    if new_tip and (done is None or not ws.descends_from(done, source_tip)):
        raise NotConfigured(
            f"{redact_url(target.settings.remote)} already holds backups that were not moved "
            "from this repository: create an empty repository for the move."
        )
    if done == source_tip:
        assert new_tip is not None
        return new_tip, 0, 0
    since = None
    if done is None and keep_days is not None:
        since = since_of(ws.git, source_tip, keep_days)
        reach_back(ws, source_tip, since)
    span = f"{done}..{source_tip}" if done else source_tip
    kept = read_kept(ws.git, span, since, newest_only=done is None and keep_days is None)
    ws.fetch_objects(ws.git.missing_of([k.sha for k in kept]))
    held, seen, before = _target_holds(target, new_tip)
    contents = read_contents(ws.git, kept, held=held)
    downloaded = fetch_sources(ws, contents.sources)
    try:
        check_sources(ws.store, contents, downloaded=downloaded)
    except DamagedPack:  # dropped from the cache: the remote's copies are the ones to move
        check_sources(ws.store, contents, downloaded=fetch_sources(ws, contents.sources))
    places, objects = write_dense(ws.store, target.store, contents)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kura-move-upload") as pool:
        uploading = pool.submit(target.push_lfs, objects)  # while the commits are written
        replayed = replay(
            target.git, contents, kept, held | places, parent=new_tip, before=before, seen=seen
        )
        uploading.result()  # the packs before the branch: never a commit without its objects
    commit = list(replayed.commits.values())[-1]
    pushed = target.git.push(commit, target.branch)
    if pushed.returncode != 0:
        remote_errors.raise_for(pushed, operation="push")
    target.git.update_ref(target.tracking_ref, commit)
    log.info("Moved %d backups to %s", len(kept), redact_url(target.settings.remote))
    return commit, len(kept), sum(objects.values())


def _open_target(ws: Workspace, target: Workspace) -> str | None:
    """A scratch cache for the new repository that reads this host's cache's objects (an
    alternate), so the trees and blobs that move are not copied; its newest backup."""
    shutil.rmtree(target.home, ignore_errors=True)  # a run cut off left it: start clean
    target.ensure_cache()  # a new cache: it fetches the branch as it is made
    alternates = target.cache_dir / "objects" / "info" / "alternates"
    alternates.write_text(f"{ws.cache_dir / 'objects'}\n")
    return target.tip()


def _target_holds(target: Workspace, tip: str | None) -> tuple[dict[str, Place], set[str], Storage]:
    """What the new repository's newest backup holds: where its chunks are, the LFS
    objects it names, and its figures."""
    if tip is None:
        return {}, set(), Storage(0, 0, 0, 0)
    files = read_data_files(target.git, tip)
    places = {
        c.id: Place(c.pack, f.manifest.pack_sizes[c.pack], c.offset, c.length)
        for f in files.values()
        if f.manifest
        for c in f.manifest.chunks
    }
    storage = read_commits(target.git, tip, limit=1)[0].storage or Storage(0, 0, 0, 0)
    return places, set(lfs_objects(files.values())), storage


def _mark(ws: Workspace, source_tip: str, shown: str) -> bool | None:
    """Push the marker: True when it landed, False when the token may not push there
    (the move stands; instances are told otherwise), None when another backup landed
    first and must be moved too."""
    message = marker_message(ws.git, source_tip, shown, ws.instance_name)
    commit = ws.git.commit_tree(ws.git.tree_of(source_tip), parent=source_tip, message=message)
    pushed = ws.git.push(commit, ws.branch)
    if pushed.returncode == 0:
        ws.git.update_ref(ws.tracking_ref, commit)
        return True
    if remote_errors.is_non_fast_forward(pushed):
        return None
    try:
        remote_errors.raise_for(pushed, operation="push")
    except SyncError as exc:
        log.warning("The old repository did not take the move's marker: %s", exc.message)
    return False


def _result(
    ws: Workspace,
    target: Workspace,
    commit: str,
    moved: int,
    uploaded: int,
    marker: bool,
    shown: str,
) -> MoveResult:
    newest = read_commits(target.git, commit, limit=1)[0]
    old = read_commits(ws.git, ws.tip() or commit, limit=1)
    old_storage = old[0].storage if old else None
    new_storage = newest.storage or Storage(0, 0, 0, 0)
    return MoveResult(
        status="moved" if moved else "unchanged",
        commit=commit,
        moved=moved,
        backups=new_storage.backups,
        url=shown,
        old_lfs_bytes=old_storage.bytes if old_storage else 0,
        new_lfs_bytes=new_storage.bytes,
        uploaded=uploaded,
        marker=marker,
    )
