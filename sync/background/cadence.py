"""When the next automatic backup is due: after writes settle, and never later than a
bound after the first unsaved change. Pure arithmetic on monotonic seconds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Cadence:
    """Example::

    cadence = Cadence(interval=1800, quiet=30, max_delay=60)
    cadence.due(first_change=0.0, last_change=50.0, not_before=0.0)  # 60.0: the bound
    cadence.due(first_change=0.0, last_change=5.0, not_before=0.0)  # 35.0: settled
    """

    interval: float  # AUTO_BACKUP_MINUTES: no unsaved change waits longer than this
    quiet: float = 0.0  # back up once the data has not changed for this long; 0: off
    max_delay: float = 0.0  # ...but at most this long after the first unsaved change

    @property
    def bound(self) -> float:
        """The longest a change waits (before throttling or a retry pushes it back)."""
        return min(self.max_delay, self.interval) if self.max_delay > 0 else self.interval

    def due(self, *, first_change: float, last_change: float, not_before: float) -> float:
        latest = first_change + self.bound
        settled = last_change + self.quiet if self.quiet > 0 else latest
        return max(min(settled, latest), not_before)
