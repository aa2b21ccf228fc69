"""History: every backup, newest first, with its real file count and size.

Kura's own commits say their file count and size in trailers. For the others
(the original guide's, anyone's), one `git log --raw` pass lists what each
commit changed; starting from the tip's tree and undoing those changes gives
every commit's file set, whose sizes come from pointers and manifests read in
one `git cat-file --batch` pass, however many backups there are.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from sync.actions.recovery import recover
from sync.errors import Busy, SyncError
from sync.layout.commits import BackupCommit, read_commits
from sync.layout.stored import DATA_PREFIX, FORMAT_MARK, describe_blobs
from sync.models import BackupInfo
from sync.repo.git import ZERO_SHA, Change
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)


def history(
    ws: Workspace,
    *,
    limit: int | None = None,
    refresh: bool = True,
    skip: int = 0,
    before: datetime | None = None,
    search: str | None = None,
) -> list[BackupInfo]:
    """Backups newest first: `limit` of them after skipping `skip`, only those made
    `before` a time, or whose note holds `search` (any case). Reads only the commits it
    returns (and those it skips). With `refresh`, fetch first unless a backup or restore
    runs."""
    ws.require_enabled()
    if refresh or not ws.has_cache():
        _refresh(ws)
    tip = ws.tip()
    if tip is None:
        return []
    if before is not None and before >= datetime.now(UTC):
        before = None  # every backup is made by then (git cannot read a date past 2099)
    if before is not None or search or limit is None:
        _deepen(ws, None)  # a day or a word may be anywhere in the history
    else:
        _deepen(ws, skip + limit + 1)
    with ws.reading():  # maintenance may be trimming the commits about to be read
        commits = read_commits(
            ws.git, tip, limit=limit, skip=skip, before=before, grep=search or None
        )
        return _with_restored(ws, _infos(ws, commits))


def _with_restored(ws: Workspace, infos: list[BackupInfo]) -> list[BackupInfo]:
    """A restore's or an undo's entry says the note and time of the backup it brought
    back (read in one `cat-file --batch` of those commits; one the cache lacks is left
    unsaid)."""
    wanted = {b.restored for b in infos if b.restored}
    if not wanted:
        return infos
    found = {sha: _note_and_date(raw) for sha, raw in ws.git.cat_blobs(wanted).items()}
    return [
        replace(b, restored_message=found[b.restored][0], restored_date=found[b.restored][1])
        if b.restored in found
        else b
        for b in infos
    ]


def _note_and_date(raw: bytes) -> tuple[str, datetime]:
    headers, _, message = raw.decode("utf-8", "replace").partition("\n\n")
    committer = next(h for h in headers.split("\n") if h.startswith("committer "))
    stamp, offset = committer.rsplit(" ", 2)[1:]
    sign = -1 if offset.startswith("-") else 1
    zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    return message.split("\n", 1)[0], datetime.fromtimestamp(int(stamp), zone)


def _infos(ws: Workspace, commits: list[BackupCommit]) -> list[BackupInfo]:
    """Each commit's file set, from the first one's tree with the changes undone one by
    one (a search's commits are not consecutive: each is read from its own tree)."""
    if not commits:
        return []
    consecutive = all(c.parents[:1] == (n.sha,) for c, n in itertools.pairwise(commits))
    if consecutive:
        return _infos_from(ws, commits)
    # Kura's commits say their totals: only another tool's need their tree read.
    return [_info(c, {}, {}) if c.totals else _infos_from(ws, [c])[0] for c in commits]


def _infos_from(ws: Workspace, commits: list[BackupCommit]) -> list[BackupInfo]:
    first = commits[0].sha
    state = {e.path: e.sha for e in ws.git.ls_tree(first, "data") if e.path.startswith(DATA_PREFIX)}
    file_sets = []
    for commit in commits:
        file_sets.append(dict(state))
        _unapply(state, commit.changes)
    sizes = _sizes(ws, [f for c, f in zip(commits, file_sets, strict=True) if not c.totals])
    return [_info(c, files, sizes) for c, files in zip(commits, file_sets, strict=True)]


def _sizes(ws: Workspace, file_sets: list[dict[str, str]]) -> dict[str, int]:
    """Content sizes of the blobs of commits whose trailers do not say their size."""
    sizes: dict[str, int] = {}
    for chunked in (False, True):
        blobs = {
            sha: sha
            for files in file_sets
            if (FORMAT_MARK in files) == chunked
            for path, sha in files.items()
            if path != FORMAT_MARK
        }
        described = describe_blobs(ws.git, blobs, chunked=chunked)
        sizes |= {sha: f.size for sha, f in described.items()}
    return sizes


def _deepen(ws: Workspace, backups: int | None) -> None:
    """Older backups into a cache that began with the newest alone, when no operation
    runs; otherwise (or offline) answer with what the cache holds."""
    if not ws.git.is_shallow():
        return
    try:
        with operation_lock(ws.lock_file):
            ws.deepen(backups)
    except Busy:
        pass
    except SyncError as exc:
        log.warning("Showing the backups the cache holds: %s", exc.message)


def _refresh(ws: Workspace) -> None:
    """Fetch when no operation runs; on a network failure answer from the cache."""
    try:
        with operation_lock(ws.lock_file):
            recover(ws)
            ws.ensure_cache()
            ws.fetch()
    except Busy:
        pass
    except SyncError as exc:
        if not ws.has_cache() or ws.tip() is None:
            raise
        log.warning("Showing the cached history: %s", exc.message)


def _info(commit: BackupCommit, files: dict[str, str], sizes: dict[str, int]) -> BackupInfo:
    data = {p: sha for p, sha in files.items() if p != FORMAT_MARK}
    count, total = commit.totals or (len(data), sum(sizes.get(sha, 0) for sha in data.values()))
    return BackupInfo(
        commit=commit.sha,
        date=commit.date,
        message=commit.subject,
        kind=commit.kind,
        files=count,
        bytes=total,
        host=commit.host,
        uploaded=commit.storage.added if commit.storage else None,
        restored=commit.restored,
        replaced=commit.replaced,
    )


def _unapply(state: dict[str, str], changes: list[Change]) -> None:
    """Turn a commit's file set into its parent's."""
    for change in changes:
        if not change.path.startswith(DATA_PREFIX):
            continue
        if change.old == ZERO_SHA:
            state.pop(change.path, None)
        else:
            state[change.path] = change.old
