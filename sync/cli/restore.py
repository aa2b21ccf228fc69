from __future__ import annotations

import argparse
import sys

import sync
from sync.cli.output import Output
from sync.errors import ConfirmationRequired
from sync.refs import validate_ref
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "restore", parents=[common], help="make the data directory exactly REF's data"
    )
    parser.add_argument("ref", metavar="REF")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    validate_ref(args.ref)
    if not args.yes:
        confirm(ws, args.ref)
    result = sync.restore(ws, args.ref)
    if result.status == "unchanged":
        text = f"The data already matches {result.commit[:8]}."
    else:
        text = f"Restored {result.commit[:8]}."
        if result.safety_backup:
            text += f" Unsaved changes were kept in backup {result.safety_backup[:8]}."
    return Output(result.to_json(), text)


def confirm(ws: Workspace, ref: str | None) -> None:
    """Ask on a terminal (`ref` None: an undo, whose target the history decides)."""
    if not sys.stdin.isatty():
        raise ConfirmationRequired(
            "A restore replaces the data directory: run it again with --yes to confirm."
        )
    plan = sync.diff(ws, ref) if ref and ws.has_cache() else None
    if plan is not None:
        print(
            f"Restoring {plan.commit[:8]} adds {len(plan.added)}, removes {len(plan.removed)} "
            f"and changes {len(plan.changed)} files.",
            file=sys.stderr,
        )
    print("Replace the data directory? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        raise ConfirmationRequired("Restore cancelled; nothing was changed.")
