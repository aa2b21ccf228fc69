from __future__ import annotations

import argparse

import sync
from sync.cli.output import Output, size
from sync.refs import LATEST
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "verify", parents=[common], help="check a backup is complete and restorable"
    )
    parser.add_argument("ref", metavar="REF", nargs="?", default=LATEST)
    parser.add_argument(
        "--deep",
        action="store_true",
        help="download every object, rehash it and check each database (uses LFS bandwidth)",
    )


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = sync.verify(ws, args.ref, deep=args.deep)
    if result.mode == "deep":
        text = (
            f"Backup {result.commit[:8]} is complete: {result.files} files, "
            f"{size(result.bytes)}, downloaded and rehashed ({size(result.downloaded)}); "
            f"{result.sqlite_checked} SQLite databases passed the integrity check."
        )
    else:
        text = (
            f"Backup {result.commit[:8]} is complete on the remote: {result.files} files, "
            f"{size(result.bytes)}, all {result.objects} LFS objects present at the right size "
            "(nothing downloaded; --deep rehashes them)."
        )
    return Output(result.to_json(), text)
