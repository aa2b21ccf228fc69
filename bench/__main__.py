"""`make bench`: Kura against the fresh-clone approach, side by side in one run.

Usage: python -m bench [--size-mb 100 300 1000] [--rounds 3] [--remotes local http]
Then the LFS storage each backup costs (`bench/storage.py`), the chunking
measurements (`bench/chunking.py`) and what near-real-time backup costs
(`bench/realtime.py`), the multi-host soak (`bench/soak.py`), hostile uploads
(`bench/hostile.py`) and password guessing from one tab against ten
(`bench/login.py`). Prints Markdown tables, writes them to bench/results/latest.md
and the plot of time against data size to docs/benchmarks-time-vs-size.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import (
    chunking,
    datasets,
    fresh_clone,
    hostile,
    login,
    long_history,
    peers,
    realtime,
    soak,
    storage,
)
from bench import cli as cli_bench
from bench import history as history_bench
from bench import sources as sources_bench
from bench import wiki as wiki_bench
from config import Settings
from sync import Workspace, backup, restore
from sync.local.snapshot import hash_file

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PLOT = ROOT / "docs" / "benchmarks-time-vs-size.png"
TOKEN = "ghp_BenchToken0123456789abcdefXYZ"


@dataclass
class Row:
    name: str
    kura: float
    baseline: float | None = None
    floor: float | None = None


@dataclass
class Run:
    size_mb: int
    remote: str
    rows: list[Row] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)

    def get(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)


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


def workspace(data: Path, home: Path, remote: str, token: str | None = None) -> Workspace:
    # The bench's index segment is larger than the default MAX_FILE_SIZE_MB.
    settings = Settings(
        data_dir=data, home=home, data_repo=remote, token=token, max_file_size_mb=4096
    )
    return Workspace(settings)


@contextmanager
def remotes(kind: str, root: Path) -> Iterator[tuple[str, str, str | None]]:
    """(Kura's remote, the baseline's remote, token): two empty repositories."""
    if kind == "local":
        for name in ("kura", "baseline"):
            subprocess.run(
                ["git", "init", "-q", "--bare", "-b", "main", str(root / f"{name}.git")], check=True
            )
        yield str(root / "kura.git"), str(root / "baseline.git"), None
        return
    from tests.servers.git_http import GitHttpServer

    server = GitHttpServer(root=root / "repos", token=TOKEN, lfs_root=root / "lfs").start()
    try:
        server.create_repo("team", "kura")
        server.create_repo("team", "baseline")
        # The baseline puts the token in the URL, as the original guide did.
        baseline = server.repo_url("team", "baseline").replace("://", f"://guide:{TOKEN}@")
        yield server.repo_url("team", "kura"), baseline, TOKEN
    finally:
        server.stop()


def floor_small_change(db: Path) -> float:
    """The unavoidable work: reading the changed database once, and hashing it."""
    return timed(lambda: hash_file(db))


def copy_floor(data: Path, scratch: Path) -> float:
    target = scratch / "cp-copy"
    shutil.rmtree(target, ignore_errors=True)
    seconds = timed(lambda: subprocess.run(["cp", "-r", str(data), str(target)], check=True))
    shutil.rmtree(target)
    return seconds


def peak_rss_mb(operation: str, data: Path, home: Path, remote: str, token: str | None) -> float:
    """Run one operation in a fresh process and report its peak resident memory."""
    code = (
        "import sys; from pathlib import Path; from bench.__main__ import workspace; "
        "from sync import backup, restore; "
        "ws = workspace(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5] or None); "
        "backup(ws) if sys.argv[1] == 'backup' else restore(ws, 'latest'); "
        # VmHWM, not ru_maxrss: Linux carries a forking parent's peak into ru_maxrss.
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    args = [operation, str(data), str(home), remote, token or ""]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1]) / 1024


def run(size_mb: int, rounds: int, kind: str) -> Run:
    result = Run(size_mb, kind)
    with tempfile.TemporaryDirectory(prefix="kura-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        db = data / "chatbot.db"
        with remotes(kind, root) as (kura_remote, base_remote, token):
            # The first backup of everything, in its own process, for peak memory.
            result.memory["first backup"] = peak_rss_mb(
                "backup", data, root / "home", kura_remote, token
            )
            ws = workspace(data, root / "home", kura_remote, token)
            first = backup(ws)
            fresh_clone.backup(data, base_remote)

            def change() -> None:
                datasets.append_messages(db)

            kura = median_of(rounds, change, lambda: backup(ws))
            base = median_of(rounds, change, lambda: fresh_clone.backup(data, base_remote))
            floor = statistics.median(floor_small_change(db) for _ in range(rounds))
            result.rows.append(Row("backup after a small change", kura, base, floor))

            # prepare with a backup: the baseline's rounds changed the data meanwhile
            kura = median_of(rounds, lambda: backup(ws), lambda: backup(ws))
            base = median_of(1, lambda: None, lambda: fresh_clone.backup(data, base_remote))
            result.rows.append(Row("backup with nothing changed", kura, base))

            second = backup(ws).commit or first.commit
            points = [first.commit, second]
            warm = [timed(lambda i=i: restore(ws, points[i % 2])) for i in range(rounds + 1)][1:]
            result.rows.append(
                Row(
                    "restore to an older point, warm cache",
                    statistics.median(warm),
                    None,
                    copy_floor(data, root),
                )
            )

            def fresh_host() -> None:
                host = root / "fresh"
                shutil.rmtree(host, ignore_errors=True)
                restore(workspace(host / "data", host / "home", kura_remote, token), "latest")

            def baseline_fresh() -> None:
                target = root / "fresh-baseline"
                shutil.rmtree(target, ignore_errors=True)
                fresh_clone.restore(target, base_remote)

            kura = median_of(rounds, lambda: None, fresh_host)
            base = median_of(rounds, lambda: None, baseline_fresh)
            result.rows.append(Row("restore on a fresh host", kura, base, copy_floor(data, root)))
            shutil.rmtree(root / "fresh", ignore_errors=True)
            result.memory["fresh restore"] = peak_rss_mb(
                "restore", root / "fresh" / "data", root / "fresh" / "home", kura_remote, token
            )
    return result


def table(run: Run) -> str:
    lines = [
        f"| {run.size_mb} MB, {run.remote} remote | Kura (s) | fresh clone (s) | "
        "Kura vs fresh clone | floor (s) | Kura / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in run.rows:
        base = f"{row.baseline:.3f}" if row.baseline is not None else ""
        speedup = f"{row.baseline / row.kura:.1f}x faster" if row.baseline else ""
        floor = f"{row.floor:.3f}" if row.floor is not None else ""
        ratio = f"{row.kura / row.floor:.1f}x" if row.floor else ""
        lines.append(f"| {row.name} | {row.kura:.3f} | {base} | {speedup} | {floor} | {ratio} |")
    memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in run.memory.items())
    lines.append(f"\nPeak RSS of Kura's process: {memory}.")
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


def plot(runs: list[Run]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, name in zip(
        axes, ["backup after a small change", "restore on a fresh host"], strict=True
    ):
        for kind in sorted({r.remote for r in runs}):
            mine = sorted((r for r in runs if r.remote == kind), key=lambda r: r.size_mb)
            sizes = [r.size_mb for r in mine]
            axis.plot(sizes, [r.get(name).kura for r in mine], "o-", label=f"Kura, {kind}")
            axis.plot(
                sizes, [r.get(name).baseline for r in mine], "s--", label=f"fresh clone, {kind}"
            )
        axis.set_title(name)
        axis.set_xlabel("data size (MB)")
        axis.set_ylabel("seconds")
        axis.legend()
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(PLOT, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size-mb", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--remotes", nargs="+", default=["local", "http"])
    parser.add_argument("--history", type=int, default=1000, help="backups in the history run")
    parser.add_argument(
        "--long-history", type=int, default=10_000, help="backups in the long-history run"
    )
    args = parser.parse_args()
    runs, out = [], []
    for kind in args.remotes:
        for size in args.size_mb:
            runs.append(run(size, args.rounds, kind))
            out.append(table(runs[-1]))
            print(out[-1] + "\n", flush=True)
    out.append(peers.table(peers.run()))
    print(out[-1], flush=True)
    out.append(cli_bench.table(cli_bench.run()))
    print(out[-1], flush=True)
    out.append(storage.run(300))
    print(out[-1], flush=True)
    out.append(chunking.run(300))
    print(out[-1], flush=True)
    out.append(realtime.run())
    print(out[-1], flush=True)
    out.append(history_table(args.history, args.rounds))
    print(out[-1], flush=True)
    checkpoints = [c for c in (50, 1000, 2500, 5000, 10_000) if c <= args.long_history]
    out.append(long_history.table(long_history.run(args.long_history, checkpoints)))
    out.append(
        long_history.synthetic_table([long_history.synthetic(n) for n in (50, 10_000, 175_000)])
    )
    print(out[-1], flush=True)
    out.append(wiki_bench.run())
    print(out[-1], flush=True)
    out.append(sources_bench.run())
    print(out[-1], flush=True)
    out.append(soak.run())
    print(out[-1], flush=True)
    out.append(hostile.run())
    print(out[-1], flush=True)
    out.append(login.run())
    print(out[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text("\n\n".join(out) + "\n")
    if len(args.size_mb) > 1:
        plot(runs)


if __name__ == "__main__":
    main()
