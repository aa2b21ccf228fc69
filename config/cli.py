"""Conventions both command lines share: usage errors exit 2, errors are one line on stderr
and, with --json, `{"error": {"code", "message"}}` on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """Raises UsageError instead of printing usage and exiting, so --json can answer."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def json_flag() -> Parser:
    """A parent parser giving every command its --json."""
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON on stdout")
    return common


def fail(code: str, message: str, as_json: bool, *, status: int = 1) -> int:
    if as_json:
        print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
    print(f"error: {message}", file=sys.stderr)
    return status
