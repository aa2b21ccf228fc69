"""`python -m sync`: the command line that scripts and operators rely on (see DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from config import SettingsError, load_settings
from config.cli import Parser, UsageError, fail, json_flag
from sync.cli import backup, diff, dump, history, ls, move, restore, status, undo, verify
from sync.cli.output import Output
from sync.errors import SyncError
from sync.workspace import Workspace

log = logging.getLogger("sync.cli")
COMMANDS = {
    m.__name__.rsplit(".", 1)[1]: m
    for m in (status, backup, history, diff, restore, undo, ls, dump, move, verify)
}


def build_parser() -> argparse.ArgumentParser:
    common = json_flag()
    parser = Parser(prog="python -m sync", description="Back up and restore Kura's data.")
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (KURA_DATA_DIR)")
    parser.add_argument("--remote", metavar="URL", help="backup remote (GITHUB_DATA_REPO)")
    parser.add_argument("--branch", metavar="NAME", help="backup branch (GITHUB_DATA_BRANCH)")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for module in COMMANDS.values():
        module.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return fail("usage", f"{exc} (see python -m sync --help)", as_json, status=2)
    try:
        settings = load_settings(_overrides(args))
        output = COMMANDS[args.command].run(Workspace(settings), args)
    except SettingsError as exc:
        return fail("not_configured", str(exc), args.json)
    except SyncError as exc:
        return fail(exc.code, exc.message, args.json)
    except KeyboardInterrupt:
        return fail("interrupted", "Interrupted; run the command again to finish.", args.json)
    except Exception:
        log.exception("python -m sync %s failed", args.command)
        return fail("internal", "Unexpected error; see the log above for details.", args.json)
    _print(output, args.json)
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    pairs = {
        "KURA_DATA_DIR": args.data_dir,
        "GITHUB_DATA_REPO": args.remote,
        "GITHUB_DATA_BRANCH": args.branch,
    }
    return {k: v for k, v in pairs.items() if v is not None}


def _print(output: Output, as_json: bool) -> None:
    if output.data is None and not output.text:
        return  # the command wrote its output itself (dump's bytes)
    if as_json:
        print(json.dumps(output.data, ensure_ascii=False))
    elif output.text:
        print(output.text)
