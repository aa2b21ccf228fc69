"""`python -m sync move --to URL [--keep-days N] [--yes]`: a fresh repository when the
LFS quota is spent."""

from __future__ import annotations

import argparse
import sys

from sync.cli.output import Output, size
from sync.errors import ConfirmationRequired
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "move",
        parents=[common],
        help="move the newest backups to a fresh, empty repository (a spent LFS quota)",
    )
    parser.add_argument("--to", metavar="URL", help="the empty repository (MOVE_DATA_REPO)")
    parser.add_argument(
        "--keep-days",
        metavar="N",
        type=_days,
        help="also keep every backup of the N days before the newest (default: the newest only)",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {value!r}") from None
    if not 0 <= days <= 36500:
        raise argparse.ArgumentTypeError("--keep-days must be between 0 and 36500")
    return days


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    url = args.to or ws.settings.move_repo or ""
    if not args.yes:
        _confirm(url)
    from sync.actions.move import move  # loaded by the one command using it

    result = move(ws, url, keep_days=args.keep_days)
    text = (
        f"Moved {result.moved} backups to {result.url} ({size(result.uploaded)} uploaded; "
        f"LFS storage there {size(result.new_lfs_bytes)}, here {size(result.old_lfs_bytes)})."
        if result.moved
        else f"Everything had moved to {result.url} already."
    )
    if result.marker:
        text += " Instances still pointed here are told where backups went."
    else:
        text += " This repository could not be marked: update GITHUB_DATA_REPO everywhere."
    return Output(result.to_json(), text + " Now set GITHUB_DATA_REPO to it and restart.")


def _confirm(url: str) -> None:
    if not sys.stdin.isatty():
        raise ConfirmationRequired(
            "A move writes a new repository: run it again with --yes to confirm."
        )
    print(
        f"Move the backups to {url}? The old repository is left as it is. [y/N] ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise ConfirmationRequired("Move cancelled; nothing was changed.")
