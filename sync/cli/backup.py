from __future__ import annotations

import argparse

from sync import Workspace, backup
from sync.cli.output import Output, size


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("backup", parents=[common], help="back up the data now")
    parser.add_argument("-m", "--message", help="a note for this backup")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    result = backup(ws, message=args.message, kind="manual")
    if result.status == "unchanged":
        text = f"Nothing changed since backup {result.commit[:8] if result.commit else '-'}."
    else:
        text = (
            f"Backed up {result.files} files ({size(result.bytes)}) as {result.commit[:8]}; "
            f"{result.changed_files} changed."
        )
    return Output(result.to_json(), text)
