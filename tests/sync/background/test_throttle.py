"""The quota throttle measures the real remote: its LFS storage and median growth."""

from __future__ import annotations

import dataclasses
import os

from sync import Workspace, backup
from sync.actions.storage import storage_usage
from sync.background.throttle import HORIZON_DAYS, QuotaThrottle


def test_the_throttle_measures_the_remotes_growth_and_remeasures_when_due(ws: Workspace) -> None:
    tight = Workspace(dataclasses.replace(ws.settings, lfs_quota_gb=0.001))  # about 1 MiB
    for _ in range(3):
        (ws.data_dir / "blob.bin").write_bytes(os.urandom(20_000))  # ~20 KB a backup
        backup(tight)
    usage = storage_usage(tight)
    quota = 0.001 * 1024**3
    expected = usage.median_growth * HORIZON_DAYS * 86400 / (quota - usage.lfs_bytes)
    throttle = QuotaThrottle(tight, every=3600)
    assert throttle() == expected and expected > 60  # a backup a minute would fill it
    (ws.data_dir / "blob.bin").write_bytes(os.urandom(200_000))  # a much bigger backup
    backup(tight)
    assert throttle() == expected  # measured at most every hour: the same answer
    assert QuotaThrottle(tight, every=0)() > expected  # measured again: more used, less left
