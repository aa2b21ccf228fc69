from __future__ import annotations

import argparse
from datetime import UTC, datetime

import sync
from sync.cli.output import Output, size
from sync.workspace import Workspace


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _moment(text: str) -> datetime:
    """An ISO date or time; a day alone means the end of that day, a time without a zone
    is in UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use an ISO date or time, like 2026-11-28") from None
    if len(text) == 10:  # a day: every backup of that day
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(text: str) -> str:
    if not text.strip() or any(c in text for c in "\r\n\0"):
        raise argparse.ArgumentTypeError("give words on one line")
    return text


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("history", parents=[common], help="backups, newest first")
    parser.add_argument("--limit", type=_positive, metavar="N", help="show the newest N")
    parser.add_argument("--skip", type=_count, default=0, metavar="N", help="after the newest N")
    parser.add_argument(
        "--before", type=_moment, metavar="DATE", help="only backups made by then (ISO)"
    )
    parser.add_argument(
        "--search", type=_text, metavar="TEXT", help="only backups whose note holds TEXT"
    )


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    backups = sync.history(
        ws, limit=args.limit, skip=args.skip, before=args.before, search=args.search
    )
    lines = [
        f"{b.short}  {b.date:%Y-%m-%d %H:%M}  {b.kind:<11}  {b.files:>4} files  "
        f"{size(b.bytes):>10}  {b.message}"
        for b in backups
    ]
    filtered = args.skip or args.before or args.search
    empty = "No backups match these options." if filtered else "No backups yet."
    return Output([b.to_json() for b in backups], "\n".join(lines) or empty)
