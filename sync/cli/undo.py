"""`python -m sync undo [--yes]`: bring back what the newest restore replaced."""

from __future__ import annotations

import argparse

from sync.cli.output import Output
from sync.cli.restore import confirm
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "undo", parents=[common], help="restore what the newest restore replaced"
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    if not args.yes:
        confirm(ws, None)
    from sync.actions.undo import undo  # loaded by the one command using it

    result = undo(ws)
    text = (
        f"The data already matches {result.commit[:8]}."
        if result.status == "unchanged"
        else f"Undone: the data is {result.commit[:8]}'s again."
    )
    return Output(result.to_json(), text)
