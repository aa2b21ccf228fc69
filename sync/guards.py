"""Guards that keep a backup from burying the team's data under a smaller, unrelated one.

Two ways an empty or stray data directory could become the newest backup:

- lineage: a host that never restored from this remote and never backed up to it
  (a fresh disk whose start-up restore failed, a laptop pointed at the team's
  remote) pushes its own data on top of the team's backups;
- shrinkage: a host that did restore loses most of its data (a wiped volume, a
  mistaken delete) and backs that up.

Both refuse unless the caller forces the backup. History keeps every backup either
way; the guards only stop the *newest* one from silently being the wrong one,
since the newest is what every start-up restore brings back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import humanize

from sync.errors import RestoreFirst, ShrinkGuard
from sync.move.lineage import adopt_move
from sync.workspace import Workspace

# The shrink rule, compared with the latest backup's data files:
SHRINK_FILE_SHARE = 0.5  # more than half of its files would be gone (at least 2 of them),
SHRINK_BYTE_SHARE = 0.9  # or more than 90% of its bytes, when it holds at least
SHRINK_MIN_BYTES = 1024 * 1024  # 1 MiB (below that, sizes say little: a fresh SQLite file)


@dataclass(frozen=True)
class Shrink:
    """What a backup would drop, compared with the latest backup."""

    files_before: int
    files_lost: int
    bytes_before: int
    bytes_after: int

    @property
    def is_sudden(self) -> bool:
        if not self.files_before:
            return False
        if self.files_lost == self.files_before:
            return True  # nothing left at all
        lost = self.files_lost
        many_files = lost >= 2 and lost > self.files_before * SHRINK_FILE_SHARE
        many_bytes = (
            self.bytes_before >= SHRINK_MIN_BYTES
            and self.bytes_after < self.bytes_before * (1 - SHRINK_BYTE_SHARE)
        )
        return many_files or many_bytes

    def describe(self) -> str:
        text = f"{self.files_lost} of its {self.files_before} files"
        if self.bytes_after < self.bytes_before:
            text += f" ({_size(self.bytes_before)} → {_size(self.bytes_after)})"
        return text


def measure_shrink(before: Mapping[str, int], after: Mapping[str, int]) -> Shrink:
    """`before` and `after` map data paths to sizes."""
    return Shrink(
        files_before=len(before),
        files_lost=len(set(before) - set(after)),
        bytes_before=sum(before.values()),
        bytes_after=sum(after.values()),
    )


def check_shrink(before: Mapping[str, int], after: Mapping[str, int]) -> None:
    shrink = measure_shrink(before, after)
    if shrink.is_sudden:
        raise ShrinkGuard(
            f"This backup would drop {shrink.describe()} from the latest backup; check the "
            "data directory, then confirm it if that is intended (Back up anyway on the admin "
            "page, or python -m sync backup --force). History keeps every earlier backup."
        )


def in_lineage(ws: Workspace, known: str | None, tip: str | None) -> bool:
    """True when this host may back up on `tip`: the remote holds no backups yet, or the
    backup this host last saved or restored is `tip` or one of its ancestors (however far
    behind: a shallow cache is deepened to find out), or was moved into its history (the
    saved state then names the moved copy)."""
    if tip is None:
        return True
    return ws.descends_from(known, tip) or adopt_move(ws, known, tip) is not None


def check_lineage(ws: Workspace, known: str | None, tip: str | None, *, pending: bool) -> None:
    """`pending`: this host started on an empty data directory and has not restored yet."""
    if tip is not None and pending:
        raise RestoreFirst(
            "This host started with an empty data directory and has not restored the latest "
            "backup yet: restore it first (python -m sync restore latest), or back up on top "
            "of it with --force (history keeps every backup)."
        )
    if not in_lineage(ws, known, tip):
        raise RestoreFirst(
            "The remote holds backups this host never saw (its history was replaced, or "
            "this host never restored from it): restore the latest backup first, or back "
            "up on top of them anyway (python -m sync restore latest, or backup --force; "
            "history keeps every backup)."
        )


def _size(n: int) -> str:
    return humanize.naturalsize(n, binary=True)
