from __future__ import annotations

import argparse

from sync import Workspace, history
from sync.cli.output import Output, size


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("history", parents=[common], help="backups, newest first")
    parser.add_argument("--limit", type=_positive, metavar="N", help="show the newest N")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    backups = history(ws, limit=args.limit)
    lines = [
        f"{b.short}  {b.date:%Y-%m-%d %H:%M}  {b.kind:<11}  {b.files:>4} files  "
        f"{size(b.bytes):>10}  {b.message}"
        for b in backups
    ]
    return Output([b.to_json() for b in backups], "\n".join(lines) or "No backups yet.")
