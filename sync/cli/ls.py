"""`python -m sync ls REF`: a backup's files with their sizes."""

from __future__ import annotations

import argparse

from sync.cli.output import Output, size
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("ls", parents=[common], help="a backup's files with sizes")
    parser.add_argument("ref", metavar="REF")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    from sync.actions.files import list_files  # loaded by the one command using it

    commit, files = list_files(ws, args.ref)
    lines = [f"{size(f.size):>10}  {f.path}" for f in files]
    text = "\n".join(lines) or f"Backup {commit[:8]} holds no files."
    return Output([f.to_json() for f in files], text)
