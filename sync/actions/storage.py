"""How much Git LFS storage the backups use, for quota warnings.

GitHub keeps every LFS object ever pushed (even after history rewrites), so the
estimate is the sum of the distinct LFS objects across the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.tree import DATA_PREFIX, describe_blobs
from sync.workspace import Workspace

LONG_HISTORY = 5000


@dataclass(frozen=True)
class StorageUsage:
    lfs_bytes: int
    lfs_objects: int
    backups: int

    def quota_share(self, quota_gb: float) -> float:
        return self.lfs_bytes / (quota_gb * 1024**3)


def storage_usage(ws: Workspace) -> StorageUsage:
    """From the local cache only: no network call."""
    tip = ws.tip()
    if tip is None:
        return StorageUsage(0, 0, 0)
    blobs = {
        sha: sha for sha, path in ws.git.objects_with_paths(tip) if path.startswith(DATA_PREFIX)
    }
    sizes = {
        f.pointer.oid: f.pointer.size for f in describe_blobs(ws.git, blobs).values() if f.pointer
    }
    return StorageUsage(sum(sizes.values()), len(sizes), ws.git.count_commits(tip))
