"""Backup commits as `git log` reads them: one format, one parser, one typed record.

Kura's commits carry trailers (`Kura-Kind`, `-Files`, `-Bytes`, `-Host`, `-Storage`,
`-Restored`, `-Replaced`); anyone else's (the original guide's) carry none and read as
kind `external`. History, the history index and file origins all read commits here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sync.models import KURA_KINDS
from sync.repo.git import Change, Git, parse_raw_log

STORAGE_TRAILER = "Kura-Storage"
_TRAILERS = (
    "Kura-Kind",
    "Kura-Files",
    "Kura-Bytes",
    "Kura-Host",
    STORAGE_TRAILER,
    "Kura-Restored",
    "Kura-Replaced",
)
FORMAT = "%x1e%H%x1f%P%x1f%ct%x1f%cI%x1f%s" + "".join(
    f"%x1f%(trailers:key={key},valueonly,separator=%x2c)" for key in _TRAILERS
)
_SHA = re.compile(r"[0-9a-f]{40}\Z")


@dataclass(frozen=True)
class Storage:
    """What a backup's `Kura-Storage` trailer says: the LFS bytes it added to the remote,
    and the remote's totals after it. Kura writes it on every backup, so that a cache
    holding the newest backup alone still knows the whole history's figures."""

    added: int
    bytes: int
    objects: int
    backups: int

    def trailer(self) -> str:
        return (
            f"{STORAGE_TRAILER}: added={self.added} bytes={self.bytes} "
            f"objects={self.objects} backups={self.backups}"
        )

    @classmethod
    def parse(cls, text: str) -> Storage | None:
        try:
            fields = dict(part.split("=", 1) for part in text.strip().split())
            return cls(*(int(fields[k]) for k in ("added", "bytes", "objects", "backups")))
        except (KeyError, ValueError):
            return None


@dataclass(frozen=True)
class BackupCommit:
    sha: str
    parents: tuple[str, ...]
    stamp: int  # commit time, seconds since the epoch
    date: datetime  # the same, with the committer's offset
    subject: str
    kind: str  # one of KURA_KINDS, or "external" for a commit Kura did not make
    totals: tuple[int, int] | None  # (files, bytes) its trailers say; None: not Kura's
    host: str
    storage: Storage | None
    restored: str | None  # restore and undo: the backup brought back
    replaced: str | None  # ... and the one holding the data it replaced
    changes: list[Change]  # the paths it changed (against its first parent)


def read_commits(git: Git, rev: str, **options: object) -> list[BackupCommit]:
    """`git log --first-parent --raw` of `rev` (`Git.log`'s options: limit, skip,
    before, grep), newest first."""
    return parse(git.log(rev, FORMAT, raw=True, **options))


def parse(out: bytes) -> list[BackupCommit]:
    commits = []
    for header, changes in parse_raw_log(out):
        sha, parents, stamp, date, subject, *said = header.split("\x1f")
        kind, files, size, host, storage, restored, replaced = (s.strip() for s in said)
        known = kind in KURA_KINDS
        commits.append(
            BackupCommit(
                sha=sha,
                parents=tuple(parents.split()),
                stamp=int(stamp),
                date=datetime.fromisoformat(date),
                subject=subject,
                kind=kind if known else "external",
                totals=_totals(files, size) if known else None,
                host=host,
                storage=Storage.parse(storage),
                restored=restored if _SHA.match(restored) else None,
                replaced=replaced if _SHA.match(replaced) else None,
                changes=changes,
            )
        )
    return commits


def _totals(files: str, size: str) -> tuple[int, int] | None:
    try:
        return int(files), int(size)
    except ValueError:
        return None
