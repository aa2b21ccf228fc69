"""Which backups a move keeps, and each one's tree, message and authorship.

A move keeps the newest backup and, with `keep_days`, every backup on the branch's
first-parent line made in the `keep_days` before it: a contiguous run ending at the
tip. The window ends at the newest backup, not at the clock, so that the days a spent
quota refused backups do not eat into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sync.layout.stored import PACKS_PREFIX, PIECES_PREFIX
from sync.repo.git import ZERO_SHA, Git, TreeEntry, parse_raw_log
from sync.workspace import Workspace

# A commit as it was made: who and when (as its object writes them), its whole message.
_FORMAT = "%x1e%H%x1f%an <%ae> %at%x1f%aI%x1f%cn <%ce> %ct%x1f%cI%x1f%ct%x1f%B"
_STORAGE = (PACKS_PREFIX, PIECES_PREFIX)  # rewritten by the move, so not carried


@dataclass(frozen=True)
class KeptBackup:
    sha: str
    stamp: int  # commit time, seconds since the epoch
    message: str
    author: str  # `Name <email> seconds +hhmm`, as the commit object holds it
    committer: str
    entries: dict[str, TreeEntry]  # its tree, without packs/ and manifests/


def since_of(git: Git, tip: str, keep_days: float) -> int:
    newest = int(git.log(tip, "%ct", limit=1).strip(b"\0\n"))
    return newest - int(keep_days * 86400)


def reach_back(ws: Workspace, tip: str, since: int) -> None:
    """Deepen a shallow cache until it holds every backup made since `since` (or the whole
    history): in one fetch of exactly those (`--shallow-since`, which only deepens here:
    the cache does not reach that far), with their manifests and pointers unless the
    cache leaves blobs out anyway (they are small: LFS content is not in git)."""
    git = ws.git
    if not git.is_shallow():
        return
    held = git.count_first_parents(tip)
    oldest = int(git.log(tip, "%ct", skip=held - 1, limit=1).strip(b"\0\n") or 0)
    if oldest < since:
        return
    when = datetime.fromtimestamp(since - 1, UTC).isoformat(timespec="seconds")
    ws.fetch(depth=f"--shallow-since={when}", blobs="blob:none" if git.is_partial() else None)


def read_kept(
    git: Git, span: str, since: int | None, *, newest_only: bool = False
) -> list[KeptBackup]:
    """The backups of `span` along first parents (the newest alone, or those made at or
    after `since`), oldest first, each with its tree (built from the oldest one's
    listing and the changes each later one made, not one listing per backup)."""
    when = None if since is None else datetime.fromtimestamp(since, UTC)
    limit = 1 if newest_only else None
    commits = parse_raw_log(git.log(span, _FORMAT, raw=True, since=when, limit=limit))
    commits.reverse()
    kept: list[KeptBackup] = []
    entries: dict[str, TreeEntry] = {}
    for index, (header, changes) in enumerate(commits):
        sha, author, author_date, committer, committer_date, stamp, message = header.split("\x1f")
        if index == 0:
            entries = {e.path: e for e in git.ls_tree(sha) if not e.path.startswith(_STORAGE)}
        else:
            entries = dict(entries)
            for change in changes:
                if change.path.startswith(_STORAGE):
                    continue
                if change.new == ZERO_SHA:
                    entries.pop(change.path, None)
                else:
                    kind = "commit" if change.mode == "160000" else "blob"
                    entries[change.path] = TreeEntry(change.mode, kind, change.new, change.path)
        kept.append(
            KeptBackup(
                sha,
                int(stamp),
                message,
                f"{author} {_zone(author_date)}",
                f"{committer} {_zone(committer_date)}",
                entries,
            )
        )
    return kept


def _zone(iso: str) -> str:
    offset = datetime.fromisoformat(iso).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
