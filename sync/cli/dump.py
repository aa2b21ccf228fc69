"""`python -m sync dump REF PATH [--output FILE]`: one file of a backup, its bytes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sync.cli.output import Output, size
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "dump", parents=[common], help="one file of a backup: its bytes to stdout (or --output)"
    )
    parser.add_argument("ref", metavar="REF")
    parser.add_argument("path", metavar="PATH", help="the file's path inside the data directory")
    parser.add_argument("--output", metavar="FILE", type=Path, help="write here, not to stdout")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    from sync.actions.files import dump_file  # loaded by the one command using it

    if args.output is None:
        dump_file(ws, args.ref, args.path, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return Output(None, "")  # the bytes were the output
    partial = args.output.with_name(f".{args.output.name}.partial")
    try:
        with partial.open("wb") as out:
            written = dump_file(ws, args.ref, args.path, out)
        partial.replace(args.output)  # never half a file under the name asked for
    finally:
        partial.unlink(missing_ok=True)
    return Output(
        {"path": args.path, "output": str(args.output), "bytes": written},
        f"Wrote {args.path} ({size(written)}) to {args.output}.",
    )
