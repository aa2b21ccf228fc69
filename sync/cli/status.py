from __future__ import annotations

import argparse

import sync
from sync.cli.output import Output, size
from sync.models import StorageUsage
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "status", parents=[common], help="files, last backup and unsaved changes (no network)"
    )


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = sync.status(ws, storage=True)
    last = result.last_backup
    lines = [
        f"remote:      {result.remote} ({result.branch})",
        f"data:        {result.data_dir}, {len(result.files)} files, {size(result.total_bytes)}",
        f"last backup: {last.commit[:8] + ' at ' + last.date.isoformat() if last else 'none'}",
        f"unsaved:     {'yes' if result.dirty else 'no'}",
        *_storage(result.storage, ws.settings.lfs_quota_gb),
    ]
    lines += [f"  {f.path}  {size(f.size)}  {f.modified:%Y-%m-%d %H:%M}" for f in result.files]
    return Output(result.to_json(), "\n".join(lines))


def _storage(usage: StorageUsage | None, quota_gb: float) -> list[str]:
    if usage is None:
        return []
    full = (
        f"full in {usage.days_until_full:.0f} days at this rate"
        if usage.days_until_full is not None
        else "not growing"
    )
    return [
        f"LFS storage: {size(usage.lfs_bytes)} of {quota_gb:g} GB "
        f"({usage.quota_share(quota_gb):.0%}), {full}",
        f"growth:      last backup {size(usage.last_growth)}, "
        f"median {size(usage.median_growth)} over the last 20",
        f"downloaded:  {size(usage.bandwidth_this_month)} this month",
    ]
