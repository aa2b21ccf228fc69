"""Backups far enough apart that the LFS quota lasts: frequent backups of a chatty
instance each add a pack, and a full quota makes the remote refuse every push."""

from __future__ import annotations

import time

from sync.actions.storage import storage_usage
from sync.models import StorageUsage
from sync.workspace import Workspace

HORIZON_DAYS = 90.0  # the quota must last at least this long at the current pace


def spacing_for_quota(
    usage: StorageUsage, *, quota_bytes: float, horizon_days: float = HORIZON_DAYS
) -> float:
    """The shortest time between backups, in seconds, at which backups that each add the
    median growth fill what is left of the quota no sooner than `horizon_days`."""
    if usage.median_growth <= 0:
        return 0.0
    left = quota_bytes - usage.lfs_bytes
    if left <= 0:
        return float("inf")
    return usage.median_growth * horizon_days * 86400 / left


class QuotaThrottle:
    """`spacing_for_quota` of a workspace's remote, measured at most every `every` seconds
    (cheap: the storage index reads only the backups since the last measure).

    Example::

        auto = AutoBackup(workspace=ws, every_minutes=30, spacing=QuotaThrottle(ws))
    """

    def __init__(self, workspace: Workspace, *, every: float = 600.0) -> None:
        self.workspace = workspace
        self.every = every
        self._measured: tuple[float, float] | None = None  # (when, spacing)

    def __call__(self) -> float:
        now = time.monotonic()
        if self._measured is None or now - self._measured[0] >= self.every:
            usage = storage_usage(self.workspace)
            quota = self.workspace.settings.lfs_quota_gb * 1024**3
            self._measured = (now, spacing_for_quota(usage, quota_bytes=quota))
        return self._measured[1]
