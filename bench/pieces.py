"""What a 20-row chat append writes to git, for other manifest piece sizes.

Each run backs up the same data (`bench/datasets.py`) to a new local remote, then
appends 20 rows and backs up, `--appends` times; it reports the median growth of the
remote per append, split into LFS and git. The piece bounds are set before the first
backup (`sync.content.manifest`'s PIECE_* constants, as a new format would set them),
in a process of its own per setting.

Usage: python -m bench.pieces [--size-mb 317] [--appends 12]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import datasets

ROOT = Path(__file__).resolve().parent.parent
# (fewest, most, one end in) chunks a piece: today's, then smaller pieces
SETTINGS = [(16, 256, 32), (8, 128, 12), (4, 64, 8), (2, 32, 4)]
_RUN = """
import json, shutil, statistics, subprocess, sys
from pathlib import Path
import sync.content.manifest as manifest
manifest.PIECE_MIN, manifest.PIECE_MAX, manifest.PIECE_EVERY = json.loads(sys.argv[1])
from bench import datasets
from bench.__main__ import workspace
from bench.long_history import du
from sync import backup
seed, root, appends = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
shutil.copytree(seed, root / "data")
remote = root / "remote.git"
subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
ws = workspace(root / "data", root / "home", str(remote))
backup(ws)
growth, lfs = [], []
for _ in range(appends):
    datasets.append_messages(root / "data" / "chatbot.db", 20)
    before, before_lfs = du(remote), du(remote / "lfs")
    backup(ws)
    growth.append(du(remote) - before)
    lfs.append(du(remote / "lfs") - before_lfs)
print(json.dumps([statistics.median(growth), statistics.median(lfs)]))
"""


def run(size_mb: int = 317, appends: int = 12) -> list[tuple[tuple[int, int, int], float, float]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="kura-pieces-") as tmp:
        seed = Path(tmp) / "seed"
        datasets.make_data(seed, total_mb=size_mb)
        for setting in SETTINGS:
            root = Path(tmp) / "run"
            root.mkdir()
            args = [json.dumps(setting), str(seed), str(root), str(appends)]
            done = subprocess.run(
                [sys.executable, "-c", _RUN, *args],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            growth, lfs = json.loads(done.stdout.strip().splitlines()[-1])
            results.append((setting, growth, lfs))
            shutil.rmtree(root)
    return results


def table(results: list[tuple[tuple[int, int, int], float, float]]) -> str:
    lines = [
        "| chunks a piece (fewest, most, one end in) | per append | LFS | git |",
        "| --- | ---: | ---: | ---: |",
    ]
    for setting, growth, lfs in results:
        git = growth - lfs
        lines.append(
            f"| {setting} | {growth / 1e3:.1f} KB | {lfs / 1e3:.1f} KB | {git / 1e3:.1f} KB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pieces")
    parser.add_argument("--size-mb", type=int, default=317)
    parser.add_argument("--appends", type=int, default=12)
    args = parser.parse_args()
    print(table(run(args.size_mb, args.appends)))


if __name__ == "__main__":
    main()
