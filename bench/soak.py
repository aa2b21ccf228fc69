"""The multi-host soak: tests/sync/test_stateful.py with many more examples than the
suite runs (`make soak`, and a step of `make bench`).

Usage: python -m bench.soak [--examples 500] [--steps 25]
Prints a Markdown table: examples, steps, time, and whether Hypothesis found anything
(the shrunk sequence goes to bench/results/soak.log; keep it as a plain regression test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "bench" / "results" / "soak.log"


def run(examples: int = 500, steps: int = 25) -> str:
    env = {
        **os.environ,
        "KURA_STATEFUL_EXAMPLES": str(examples),
        "KURA_STATEFUL_STEPS": str(steps),
    }
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:timeout",
            "--hypothesis-show-statistics",
            "tests/sync/test_stateful.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.write_text(done.stdout + done.stderr)
    found = "nothing" if done.returncode == 0 else f"a failure (see {LOG.relative_to(ROOT)})"
    return (
        "### Multi-host soak (tests/sync/test_stateful.py)\n\n"
        "| examples | steps each | hosts | remote | time | found |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        f"| {examples} | up to {steps} | 2-3 | local bare + git-lfs | {seconds / 60:.1f} min "
        f"| {found} |\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--steps", type=int, default=25)
    args = parser.parse_args()
    print(run(args.examples, args.steps))


if __name__ == "__main__":
    main()
