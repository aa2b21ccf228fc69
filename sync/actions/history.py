"""History: every backup, newest first, with its real file count and size.

One `git log --raw` pass lists the commits with what each changed; starting
from the tip's tree and undoing those changes gives every commit's file set,
so sizes come from LFS pointers read in one `git cat-file --batch` pass,
however many backups there are.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sync.actions.recovery import recover
from sync.errors import Busy, SyncError
from sync.git import ZERO_SHA
from sync.locking import operation_lock
from sync.models import KURA_KINDS, BackupInfo
from sync.tree import DATA_PREFIX, describe_blobs
from sync.workspace import Workspace

log = logging.getLogger(__name__)

_FORMAT = "%x1e%H%x1f%cI%x1f%s%x1f%(trailers:key=Kura-Kind,valueonly,separator=%x2c)"


def history(ws: Workspace, *, limit: int | None = None, refresh: bool = True) -> list[BackupInfo]:
    """Backups newest first. With `refresh`, fetch first unless a backup or restore runs."""
    ws.require_enabled()
    if refresh or not ws.has_cache():
        _refresh(ws)
    tip = ws.tip()
    if tip is None:
        return []
    commits = _parse_log(ws.git.log(tip, _FORMAT, limit=limit, raw=True))
    state = {e.path: e.sha for e in ws.git.ls_tree(tip, "data") if e.path.startswith(DATA_PREFIX)}
    file_sets = []
    for commit in commits:
        file_sets.append(dict(state))
        _undo(state, commit["changes"])
    blobs = {sha: sha for files in file_sets for sha in files.values()}
    sizes = {sha: f.size for sha, f in describe_blobs(ws.git, blobs).items()}
    return [_info(c, files, sizes) for c, files in zip(commits, file_sets, strict=True)]


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
    return BackupInfo(
        commit=commit["sha"],
        date=datetime.fromisoformat(commit["date"]),
        message=commit["subject"],
        kind=kind,
        files=len(files),
        bytes=sum(sizes.get(sha, 0) for sha in files.values()),
    )


def _undo(state: dict[str, str], changes: list[tuple[str, str, str]]) -> None:
    """Turn a commit's file set into its parent's."""
    for old, _new, path in changes:
        if not path.startswith(DATA_PREFIX):
            continue
        if old == ZERO_SHA:
            state.pop(path, None)
        else:
            state[path] = old


def _parse_log(out: bytes) -> list[dict]:
    commits = []
    for record in out.split(b"\x1e")[1:]:
        header, _, rest = record.partition(b"\0")
        sha, date, subject, kind = header.decode("utf-8", "replace").split("\x1f")
        tokens = rest.lstrip(b"\n").split(b"\0")
        changes = []
        for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
            if meta.startswith(b":"):
                fields = meta[1:].decode().split()
                changes.append((fields[2], fields[3], path.decode("utf-8", "surrogateescape")))
        commits.append(
            {"sha": sha, "date": date, "subject": subject, "kind": kind.strip(), "changes": changes}
        )
    return commits
