from __future__ import annotations

import argparse

from sync import Workspace, verify
from sync.cli.output import Output, size
from sync.refs import LATEST


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "verify", parents=[common], help="check a backup is complete and restorable"
    )
    parser.add_argument("ref", metavar="REF", nargs="?", default=LATEST)


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = verify(ws, args.ref)
    text = (
        f"Backup {result.commit[:8]} is complete: {result.files} files, {size(result.bytes)}, "
        f"{result.sqlite_checked} SQLite databases passed the integrity check."
    )
    return Output(result.to_json(), text)
