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
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sync.actions.recovery import recover
from sync.errors import Busy, SyncError
from sync.layout.history_index import Storage
from sync.layout.stored import DATA_PREFIX, FORMAT_MARK, describe_blobs
from sync.models import KURA_KINDS, BackupInfo
from sync.repo.git import ZERO_SHA, Change, parse_raw_log
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

log = logging.getLogger(__name__)
_SHA = re.compile(r"[0-9a-f]{40}\Z")

_FORMAT = (
    "%x1e%H%x1f%P%x1f%cI%x1f%s%x1f%(trailers:key=Kura-Kind,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Files,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Bytes,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Host,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Storage,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Restored,valueonly,separator=%x2c)"
    "%x1f%(trailers:key=Kura-Replaced,valueonly,separator=%x2c)"
)


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
    if before is not None or search or limit is None:
        _reach(ws, None)  # a day or a word may be anywhere in the history
    else:
        _reach(ws, skip + limit + 1)
    with ws.reading():  # maintenance may be trimming the commits about to be read
        out = ws.git.log(
            tip, _FORMAT, limit=limit, raw=True, skip=skip, before=before, grep=search or None
        )
        return _with_restored(ws, _infos(ws, _parse_log(out)))


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


def _infos(ws: Workspace, commits: list[dict]) -> list[BackupInfo]:
    """Each commit's file set, from the first one's tree with the changes undone one by
    one (a search's commits are not consecutive: each is read from its own tree)."""
    if not commits:
        return []
    consecutive = all(c["parents"][:1] == [n["sha"]] for c, n in itertools.pairwise(commits))
    if consecutive:
        return _infos_from(ws, commits)
    # Kura's commits say their totals: only another tool's need their tree read.
    return [_info(c, {}, {}) if c["totals"] else _infos_from(ws, [c])[0] for c in commits]


def _infos_from(ws: Workspace, commits: list[dict]) -> list[BackupInfo]:
    first = commits[0]["sha"]
    state = {e.path: e.sha for e in ws.git.ls_tree(first, "data") if e.path.startswith(DATA_PREFIX)}
    file_sets = []
    for commit in commits:
        file_sets.append(dict(state))
        _undo(state, commit["changes"])
    sizes = _sizes(ws, [f for c, f in zip(commits, file_sets, strict=True) if not c["totals"]])
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


def _reach(ws: Workspace, backups: int | None) -> None:
    """Older backups into a cache that began with the newest alone, when no operation
    runs; otherwise (or offline) answer with what the cache holds."""
    if not ws.git.is_shallow():
        return
    try:
        with operation_lock(ws.lock_file):
            ws.reach(backups)
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


def _info(commit: dict, files: dict[str, str], sizes: dict[str, int]) -> BackupInfo:
    kind = commit["kind"] if commit["kind"] in KURA_KINDS else "external"
    data = {p: sha for p, sha in files.items() if p != FORMAT_MARK}
    count, total = commit["totals"] or (len(data), sum(sizes.get(sha, 0) for sha in data.values()))
    return BackupInfo(
        commit=commit["sha"],
        date=datetime.fromisoformat(commit["date"]),
        message=commit["subject"],
        kind=kind,
        files=count,
        bytes=total,
        host=commit["host"],
        uploaded=commit["uploaded"],
        restored=commit["restored"],
        replaced=commit["replaced"],
    )


def _undo(state: dict[str, str], changes: list[Change]) -> None:
    """Turn a commit's file set into its parent's."""
    for change in changes:
        if not change.path.startswith(DATA_PREFIX):
            continue
        if change.old == ZERO_SHA:
            state.pop(change.path, None)
        else:
            state[change.path] = change.old


def _parse_log(out: bytes) -> list[dict]:
    commits = []
    for header, changes in parse_raw_log(out):
        sha, parents, date, subject, kind, files, size, host, *rest = header.split("\x1f")
        storage, restored, replaced = (part.strip() for part in rest)
        said = Storage.parse(storage)
        commits.append(
            {
                "sha": sha,
                "parents": parents.split(),
                "date": date,
                "subject": subject,
                "kind": kind.strip(),
                "totals": _totals(kind, files, size),
                "host": host.strip(),
                "uploaded": said.added if said else None,
                "restored": restored if _SHA.match(restored) else None,
                "replaced": replaced if _SHA.match(replaced) else None,
                "changes": changes,
            }
        )
    return commits


def _totals(kind: str, files: str, size: str) -> tuple[int, int] | None:
    """(files, bytes) from a Kura commit's trailers; None when it has none to trust."""
    if kind.strip() not in KURA_KINDS:
        return None
    try:
        return int(files.strip()), int(size.strip())
    except ValueError:
        return None
