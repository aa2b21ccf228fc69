"""`make bench`: Kura against the fresh-clone approach, side by side in one run.

Usage: python -m bench [--size-mb 300] [--rounds 3] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import datasets, fresh_clone
from bench import history as history_bench
from config import Settings
from sync import Workspace, backup, restore

ROOT = Path(__file__).resolve().parent.parent


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_of(rounds: int, prepare: Callable[[], object], action: Callable[[], object]) -> float:
    samples = []
    for _ in range(rounds):
        prepare()
        samples.append(timed(action))
    return statistics.median(samples)


def floor_small_change(db: Path, scratch: Path) -> float:
    """The unavoidable work: SQLite backup-API copy of the changed database, and its hash."""

    def work() -> None:
        target = scratch / "floor.db"
        target.unlink(missing_ok=True)
        src, dst = sqlite3.connect(db), sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
        digest = hashlib.sha256()
        with target.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)

    return timed(work)


def copy_floor(data: Path, scratch: Path) -> float:
    target = scratch / "cp-copy"
    shutil.rmtree(target, ignore_errors=True)
    seconds = timed(lambda: subprocess.run(["cp", "-r", str(data), str(target)], check=True))
    shutil.rmtree(target)
    return seconds


def workspace(data: Path, home: Path, remote: Path) -> Workspace:
    # The bench's index segment is larger than the default MAX_FILE_SIZE_MB.
    settings = Settings(data_dir=data, home=home, data_repo=str(remote), max_file_size_mb=4096)
    return Workspace(settings)


def run(size_mb: int, rounds: int) -> dict[str, tuple[float, float | None]]:
    with tempfile.TemporaryDirectory(prefix="kura-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        remotes = {}
        for name in ("kura", "baseline"):
            remotes[name] = root / f"{name}.git"
            subprocess.run(
                ["git", "init", "-q", "--bare", "-b", "main", str(remotes[name])], check=True
            )
        ws = workspace(data, root / "home", remotes["kura"])
        db = data / "chatbot.db"
        first = backup(ws)
        fresh_clone.backup(data, str(remotes["baseline"]))

        def change() -> None:
            datasets.append_messages(db)

        results: dict[str, tuple[float, float | None]] = {}
        kura = median_of(rounds, change, lambda: backup(ws))
        base = median_of(rounds, change, lambda: fresh_clone.backup(data, str(remotes["baseline"])))
        results["backup after a small change"] = (kura, base)
        floor = statistics.median(floor_small_change(db, root) for _ in range(rounds))
        results["  floor: SQLite backup API copy + hash of the changed db"] = (floor, None)
        results["backup with nothing changed"] = (
            median_of(rounds, lambda: None, lambda: backup(ws)),
            None,
        )

        second = backup(ws).commit or first.commit
        points = [first.commit, second]
        warm = []
        for i in range(rounds):
            warm.append(timed(lambda i=i: restore(ws, points[i % 2])))
        results["restore to an older point, warm cache"] = (statistics.median(warm), None)
        results["  floor: cp -r of the data"] = (copy_floor(data, root), None)

        def fresh_host() -> None:
            host = root / "fresh"
            shutil.rmtree(host, ignore_errors=True)
            restore(workspace(host / "data", host / "home", remotes["kura"]), "latest")

        def baseline_fresh() -> None:
            target = root / "fresh-baseline"
            shutil.rmtree(target, ignore_errors=True)
            fresh_clone.restore(target, str(remotes["baseline"]))

        kura = median_of(rounds, lambda: None, fresh_host)
        base = median_of(rounds, lambda: None, baseline_fresh)
        results["restore on a fresh host"] = (kura, base)
        return results


def table(size_mb: int, results: dict[str, tuple[float, float | None]]) -> str:
    lines = [
        f"| {size_mb} MB | Kura (s) | fresh clone (s) | speed-up |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, (kura, base) in results.items():
        ratio = f"{base / kura:.1f}x" if base else ""
        lines.append(f"| {name} | {kura:.3f} | {'' if base is None else f'{base:.3f}'} | {ratio} |")
    return "\n".join(lines)


def history_table(commits: int, rounds: int) -> str:
    result = history_bench.run(commits, rounds)
    return "\n".join(
        [
            f"| {commits} backups | seconds | naive (s) | speed-up |",
            "| --- | ---: | ---: | ---: |",
            f"| history listing | {result['history']:.3f} | {result['naive']:.3f} | "
            f"{result['naive'] / result['history']:.1f}x |",
            f"| admin page, server time, warm | {result['admin_warm']:.3f} |  |  |",
            f"| admin page, server time, first render | {result['admin_cold']:.3f} |  |  |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size-mb", type=int, nargs="+", default=[300])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history", type=int, default=1000, help="backups in the history run")
    args = parser.parse_args()
    for size in args.size_mb:
        print(table(size, run(size, args.rounds)), flush=True)
    print(history_table(args.history, args.rounds), flush=True)


if __name__ == "__main__":
    main()
