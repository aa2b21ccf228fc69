from __future__ import annotations

import argparse

import sync
from sync.cli.output import Output, size
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("backup", parents=[common], help="back up the data now")
    parser.add_argument("-m", "--message", help="a note for this backup")
    parser.add_argument(
        "--force",
        action="store_true",
        help="back up even when this host never restored the remote's backups, or when most "
        "of the latest backup's data would be dropped (history keeps every backup)",
    )


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = sync.backup(ws, message=args.message, kind="manual", force=args.force)
    if result.status == "created":
        from sync.repo.maintenance import maintain_if_due  # loaded by the one command using it

        maintain_if_due(ws)  # as `git gc --auto` would: only when the cache passed a bound
    if result.status == "unchanged":
        text = f"Nothing changed since backup {result.commit[:8] if result.commit else '-'}."
    else:
        text = (
            f"Backed up {result.files} files ({size(result.bytes)}) as {result.commit[:8]}; "
            f"{result.changed_files} changed."
        )
    return Output(result.to_json(), text)
