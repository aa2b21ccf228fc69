"""A long history: backups of a growing chat database through Kura's own writer (as the
scheduler takes them, cache maintenance included), then, at checkpoints, what a fresh
host and the admin side cost against the number of backups, through the command line.

Run alone: `python -m bench.long_history --backups 10000`.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from config import Settings
from sync import Workspace, backup
from sync.actions.storage import storage_usage
from sync.maintenance import cache_shape, maintain_if_due
from sync.tree import lfs_objects, read_data_files

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_BACKUP = 20  # three exchanges of a chat, as bench/realtime.py writes them


@dataclass
class Point:
    backups: int
    backup_s: float  # median of the last 50 backups, in-process
    objects_per_backup: float  # git objects a backup adds to the cache
    lfs_per_backup: int  # median LFS bytes a backup adds (the remote's quota)
    writer_home: int  # bytes of the writing host's KURA_HOME
    live_compressed: int  # the newest backup's packs: what a restore needs
    fresh_restore_s: float
    fresh_download: int
    fresh_home: int
    naive_clone_s: float  # the whole history fetched, as a cache used to begin
    status_s: float
    history_s: float
    cli_floor_s: float  # `python -m sync --help`: the interpreter and imports alone


def grow(db: Path, start: int, *, rows: int = ROWS_PER_BACKUP, body: int = 60) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, body TEXT)")
        conn.executemany(
            "INSERT INTO messages VALUES (?, ?)",
            ((i, f"message {i}: " + os.urandom(body).hex()) for i in range(start, start + rows)),
        )
    conn.close()


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def cli(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sync", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    return time.monotonic() - started, done.stdout


def env_for(home: Path, data: Path, remote: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home.parent),
        "KURA_HOME": str(home),
        "KURA_DATA_DIR": str(data),
        "GITHUB_DATA_REPO": str(remote),
    }


def measure(ws: Workspace, remote: Path, scratch: Path, times: list[float], n: int) -> Point:
    before = cache_shape(ws).loose
    grow(ws.data_dir / "chatbot.db", 5_000_000 + n * ROWS_PER_BACKUP)
    backup(ws, kind="auto")  # one more, unpacked, to count what a backup writes
    objects = cache_shape(ws).loose - before
    maintain_if_due(ws)
    usage = storage_usage(ws)
    tip = ws.tip()
    live = sum(lfs_objects(read_data_files(ws.git, tip).values()).values())
    fresh = scratch / f"fresh-{n}"
    fresh_env = env_for(fresh / ".kura", fresh / "data", remote)
    (fresh / "data").mkdir(parents=True)
    restore_s, out = cli(fresh_env, "restore", "latest", "--yes", "--json")
    downloaded = json.loads(out)["downloaded"]
    status_s, _ = cli(fresh_env, "status", "--json")
    history_s, _ = cli(fresh_env, "history", "--limit", "50", "--json")
    floor_s, _ = cli(fresh_env, "--help")
    started = time.monotonic()
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(remote), str(scratch / f"naive-{n}")], check=True
    )
    naive = time.monotonic() - started
    return Point(
        backups=n + 1,
        backup_s=statistics.median(times[-50:]),
        objects_per_backup=objects,
        lfs_per_backup=usage.median_growth,
        writer_home=du(ws.home),
        live_compressed=live,
        fresh_restore_s=restore_s,
        fresh_download=downloaded,
        fresh_home=du(fresh / ".kura"),
        naive_clone_s=naive,
        status_s=status_s,
        history_s=history_s,
        cli_floor_s=floor_s,
    )


def run(backups: int, checkpoints: list[int]) -> list[Point]:
    points: list[Point] = []
    with tempfile.TemporaryDirectory(prefix="kura-long-") as tmp:
        root = Path(tmp)
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
        (root / "writer" / "data").mkdir(parents=True)
        ws = Workspace(
            Settings(
                data_dir=root / "writer" / "data",
                home=root / "writer" / ".kura",
                data_repo=str(remote),
            )
        )
        seed = ws.data_dir / "chatbot.db"
        for start in range(0, 25_000, 1000):  # a 50 MB chat database to begin with
            grow(seed, start, rows=1000, body=1000)
        times: list[float] = []
        n = 0
        while n < backups:
            grow(seed, 1_000_000 + n * ROWS_PER_BACKUP)
            started = time.monotonic()
            backup(ws, kind="auto")
            times.append(time.monotonic() - started)
            maintain_if_due(ws)  # as the scheduler does between polls
            n += 1
            if n in checkpoints:
                points.append(measure(ws, remote, root, times, n))
                print(table(points[-1:]), flush=True)
                n += 1  # measure() took one more backup
    return points


def table(points: list[Point]) -> str:
    mb = 2**20
    head = (
        "| backups | backup s | git objects / backup | LFS KB / backup | writer KURA_HOME MB "
        "| live packs MB | fresh restore s | fresh download MB | fresh KURA_HOME MB "
        "| whole-history clone s | status s | history 50 s | CLI floor s |\n"
        "|" + " ---: |" * 13
    )
    rows = [
        f"| {p.backups:,} | {p.backup_s:.2f} | {p.objects_per_backup:.0f} | "
        f"{p.lfs_per_backup / 1024:.1f} | {p.writer_home / mb:.1f} | "
        f"{p.live_compressed / mb:.1f} | "
        f"{p.fresh_restore_s:.2f} | {p.fresh_download / mb:.1f} | {p.fresh_home / mb:.1f} | "
        f"{p.naive_clone_s:.2f} | {p.status_s:.2f} | {p.history_s:.2f} | {p.cli_floor_s:.2f} |"
        for p in points
    ]
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.long_history")
    parser.add_argument("--backups", type=int, default=10_000)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[50, 1000, 2500, 10_000])
    args = parser.parse_args()
    points = run(args.backups, [c for c in args.checkpoints if c <= args.backups])
    print("\n" + table(points))


if __name__ == "__main__":
    main()
