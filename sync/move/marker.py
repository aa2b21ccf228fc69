"""The old repository's last commit after a move, and how every host reads it.

It holds the old tip's tree (no LFS object is added: a spent quota still takes it)
with kind `moved` and a `Kura-Moved-To` trailer naming the new repository (no
credentials). A host still pointed at the old repository refuses to back up there
and says where to point it instead of failing on the quota.
"""

from __future__ import annotations

import re

from config import redact_url
from sync.errors import BackupsMoved
from sync.layout.commits import Storage, read_commits
from sync.models import MOVED_NOTE
from sync.repo.git import Git

MOVED_TO = "Kura-Moved-To"
MOVED_FROM = "Kura-Moved-From"
_SHA = re.compile(r"[0-9a-f]{40}\Z")


def trailer(git: Git, commit: str, key: str) -> str | None:
    said = git.log(commit, f"%(trailers:key={key},valueonly)", limit=1).decode()
    value = said.strip("\0\n ").split("\n")[0].strip()
    return value or None


def moved_from(git: Git, commit: str) -> str | None:
    """The old repository's backup a moved commit was made from."""
    value = trailer(git, commit, MOVED_FROM)
    return value if value and _SHA.match(value) else None


def refuse_if_moved(git: Git, tip: str | None) -> None:
    """BackupsMoved when the remote's newest commit is a move's marker."""
    where = trailer(git, tip, MOVED_TO) if tip else None
    if where:
        raise BackupsMoved(
            f"Backups moved to {where}: set GITHUB_DATA_REPO to it (and its token), then "
            "restart; this repository is kept as an archive."
        )


def marker_message(git: Git, tip: str, url: str, host: str) -> str:
    newest = read_commits(git, tip, limit=1)[0]
    files, size = newest.totals or (0, 0)
    said = newest.storage or Storage(0, 0, 0, 0)
    storage = Storage(0, said.bytes, said.objects, said.backups + 1)
    return (
        f"{MOVED_NOTE}{redact_url(url)}\n\n"
        "Kura-Kind: moved\n"
        f"Kura-Files: {files}\n"
        f"Kura-Bytes: {size}\n"
        f"Kura-Host: {host}\n"
        f"{storage.trailer()}\n"
        f"{MOVED_TO}: {redact_url(url)}\n"
    )
