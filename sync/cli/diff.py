from __future__ import annotations

import argparse

import sync
from sync.cli.output import Output, size
from sync.workspace import Workspace


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "diff", parents=[common], help="what a restore of REF would change"
    )
    parser.add_argument("ref", metavar="REF")


def run(ws: Workspace, args: argparse.Namespace) -> Output:
    plan = sync.diff(ws, args.ref)
    lines = [f"+ {c.path}  {size(c.size_after)}" for c in plan.added]
    lines += [f"- {c.path}  {size(c.size_before)}" for c in plan.removed]
    lines += [f"~ {c.path}  {size(c.size_before)} -> {size(c.size_after)}" for c in plan.changed]
    text = "\n".join(lines) or f"The data already matches {plan.commit[:8]}."
    return Output(plan.to_json(), text)
