from __future__ import annotations

import argparse

from sync import Workspace, status
from sync.cli.output import Output, size


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "status", parents=[common], help="files, last backup and unsaved changes (no network)"
    )


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = status(ws)
    last = result.last_backup
    lines = [
        f"remote:      {result.remote} ({result.branch})",
        f"data:        {result.data_dir}, {len(result.files)} files, {size(result.total_bytes)}",
        f"last backup: {last.commit[:8] + ' at ' + last.date.isoformat() if last else 'none'}",
        f"unsaved:     {'yes' if result.dirty else 'no'}",
    ]
    lines += [f"  {f.path}  {size(f.size)}  {f.modified:%Y-%m-%d %H:%M}" for f in result.files]
    return Output(result.to_json(), "\n".join(lines))
