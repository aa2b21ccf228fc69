"""`python -m sync ls REF`: a backup's files with their sizes."""

from __future__ import annotations

import argparse

from sync import Workspace
from sync.actions.files import list_files
from sync.cli.output import Output, size


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("ls", parents=[common], help="a backup's files with sizes")
    parser.add_argument("ref", metavar="REF")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    commit, files = list_files(ws, args.ref)
    lines = [f"{size(f.size):>10}  {f.path}" for f in files]
    text = "\n".join(lines) or f"Backup {commit[:8]} holds no files."
    return Output([f.to_json() for f in files], text)
