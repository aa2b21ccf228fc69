"""A long history: backups of a growing chat database through Kura's own writer (as the
scheduler takes them, cache maintenance and compaction included), then, at checkpoints,
what a fresh host and the admin side cost against the number of backups, through the
command line and Chromium.

The database grows with the history (20 rows a backup), so a backup's own work (the
SQLite copy and its hashing) grows with it. Each checkpoint therefore also times 50
backups of the same database on a new, empty history: the difference between the two
is what the history's length costs.

`--synthetic 50 10000 175000` adds histories made quickly, up to a year of minute
backups: that many Kura-style commits written by one `git fast-import` (their trees are
one real backup's) and the operations log such a writer keeps, then a real backup on
top, measured the same way.

Run alone: `python -m bench.long_history --backups 10000 --synthetic 50 10000 175000`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.admin_browser import admin_open_seconds
from config import Settings
from sync import Workspace, backup
from sync.actions.storage import storage_usage
from sync.content.compact import pack_uses
from sync.layout.stored import lfs_objects, read_data_files
from sync.oplog import KEEP, Operation, log_path
from sync.repo.maintenance import maintain_if_due

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_BACKUP = 20  # three exchanges of a chat, as bench/realtime.py writes them


@dataclass
class Point:
    backups: int
    backup_s: float  # median of the last 50 backups, in-process
    control_s: float  # the same database's backups on a new history: the data's own cost
    objects_per_backup: float  # git objects a backup adds to the cache
    git_bytes_per_backup: int  # their bytes, compressed as git stores them loose
    lfs_per_backup: int  # median LFS bytes a backup adds (the remote's quota)
    lfs_mean: float  # LFS bytes stored after the first backup / backups: compaction included
    writer_home: int  # bytes of the writing host's KURA_HOME
    live_compressed: int  # the newest backup's chunks, compressed: the live data
    named_packs: int  # the packs its tree names: what a restore downloads
    fresh_restore_s: float
    fresh_download: int
    fresh_home: int
    naive_clone_s: float  # the whole history fetched, as a cache used to begin
    status_s: float  # on the fresh host
    writer_status_s: float  # on the writing host, whose cache holds the whole history
    history_s: float
    admin_s: float  # Chromium: a click on Admin until the history table shows
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


def loose_bytes(ws: Workspace) -> tuple[int, int]:
    files = [p for p in (ws.cache_dir / "objects").glob("??/*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def control(db: Path, scratch: Path, backups: int = 50) -> float:
    """Median seconds of the last 20 of `backups` backups of a copy of `db` on a new,
    empty history: what a backup of this database costs with no history behind it."""
    root = scratch / f"control-{time.monotonic_ns()}"
    remote = root / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    (root / "data").mkdir(parents=True)
    ws = Workspace(Settings(data_dir=root / "data", home=root / ".kura", data_repo=str(remote)))
    with sqlite3.connect(db) as source, sqlite3.connect(ws.data_dir / "chatbot.db") as target:
        source.backup(target)
    source.close()
    target.close()
    times = []
    for n in range(backups):
        grow(ws.data_dir / "chatbot.db", 7_000_000 + n * ROWS_PER_BACKUP)
        started = time.monotonic()
        backup(ws, kind="auto")
        times.append(time.monotonic() - started)
        maintain_if_due(ws)
    shutil.rmtree(root)
    return statistics.median(times[-20:])


def measure(
    ws: Workspace, remote: Path, scratch: Path, times: list[float], n: int, first: int
) -> Point:
    """`first`: the LFS bytes of the first backup (the whole database), left out of the
    mean per backup."""
    maintain_if_due(ws)
    before = loose_bytes(ws)
    grow(ws.data_dir / "chatbot.db", 5_000_000 + n * ROWS_PER_BACKUP)
    backup(ws, kind="auto")  # one more, to count what a backup writes
    after = loose_bytes(ws)
    maintain_if_due(ws)
    usage = storage_usage(ws)
    tip = ws.tip()
    files = read_data_files(ws.git, tip).values()
    live = sum(u.live for u in pack_uses(f.manifest for f in files if f.manifest))
    named = sum(lfs_objects(files).values())
    fresh = scratch / f"fresh-{n}"
    fresh_env = env_for(fresh / ".kura", fresh / "data", remote)
    (fresh / "data").mkdir(parents=True)
    restore_s, out = cli(fresh_env, "restore", "latest", "--yes", "--json")
    downloaded = json.loads(out)["downloaded"]
    status_s, _ = cli(fresh_env, "status", "--json")
    writer_status_s, _ = cli(env_for(ws.home, ws.data_dir, remote), "status", "--json")
    history_s, _ = cli(fresh_env, "history", "--limit", "50", "--json")
    floor_s, _ = cli(fresh_env, "--help")
    admin_s = admin_open_seconds(ws.data_dir.parent, str(remote))
    started = time.monotonic()
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(remote), str(scratch / f"naive-{n}")], check=True
    )
    naive = time.monotonic() - started
    return Point(
        backups=n + 1,
        backup_s=statistics.median(times[-50:]),
        control_s=control(ws.data_dir / "chatbot.db", scratch),
        objects_per_backup=after[0] - before[0],
        git_bytes_per_backup=after[1] - before[1],
        lfs_per_backup=usage.median_growth,
        lfs_mean=(usage.lfs_bytes - first) / max(usage.backups - 1, 1),
        writer_home=du(ws.home),
        live_compressed=live,
        named_packs=named,
        fresh_restore_s=restore_s,
        fresh_download=downloaded,
        fresh_home=du(fresh / ".kura"),
        naive_clone_s=naive,
        status_s=status_s,
        writer_status_s=writer_status_s,
        history_s=history_s,
        admin_s=admin_s,
        cli_floor_s=floor_s,
    )


def writer(root: Path, remote: Path) -> Workspace:
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
    return ws


def run(backups: int, checkpoints: list[int]) -> list[Point]:
    points: list[Point] = []
    with tempfile.TemporaryDirectory(prefix="kura-long-") as tmp:
        root = Path(tmp)
        remote = root / "remote.git"
        ws = writer(root, remote)
        times: list[float] = []
        n, first = 0, 0
        while n < backups:
            grow(ws.data_dir / "chatbot.db", 1_000_000 + n * ROWS_PER_BACKUP)
            started = time.monotonic()
            made = backup(ws, kind="auto")
            times.append(time.monotonic() - started)
            first = first or made.uploaded
            maintain_if_due(ws)  # as the scheduler does between polls
            n += 1
            if n in checkpoints:
                points.append(measure(ws, remote, root, times, n, first))
                print(table(points[-1:]), flush=True)
                n += 1  # measure() took one more backup
    return points


@dataclass
class Synthetic:
    backups: int
    made_s: float  # git fast-import of the history
    backup_on_top_s: float  # a real backup on top (the writer fetches the whole history)
    fresh_restore_s: float
    fresh_download: int
    fresh_home: int
    status_s: float  # fresh host
    writer_first_status_s: float  # the writer's history index reads every commit, once
    writer_status_s: float
    history_s: float
    admin_s: float  # Chromium, on the writer


def synthetic(commits: int) -> Synthetic:
    """`commits` Kura-style backups a minute apart on top of one real backup (they keep its
    tree: what grows here is the number of commits), then a real backup on top."""
    with tempfile.TemporaryDirectory(prefix="kura-synthetic-") as tmp:
        root = Path(tmp)
        remote = root / "remote.git"
        ws = writer(root, remote)
        first = backup(ws, kind="auto")
        started = time.monotonic()
        fast_import(remote, first.commit, commits)
        made = time.monotonic() - started
        operations_log(ws.home, commits)
        grow(ws.data_dir / "chatbot.db", 9_000_000)
        started = time.monotonic()
        backup(ws, kind="auto")
        on_top = time.monotonic() - started
        writer_env = env_for(ws.home, ws.data_dir, remote)
        writer_first, _ = cli(writer_env, "status", "--json")
        writer_status, _ = cli(writer_env, "status", "--json")
        fresh = root / "fresh"
        (fresh / "data").mkdir(parents=True)
        fresh_env = env_for(fresh / ".kura", fresh / "data", remote)
        restore_s, out = cli(fresh_env, "restore", "latest", "--yes", "--json")
        status_s, _ = cli(fresh_env, "status", "--json")
        history_s, _ = cli(fresh_env, "history", "--limit", "50", "--json")
        return Synthetic(
            backups=commits + 2,
            made_s=made,
            backup_on_top_s=on_top,
            fresh_restore_s=restore_s,
            fresh_download=json.loads(out)["downloaded"],
            fresh_home=du(fresh / ".kura"),
            status_s=status_s,
            writer_first_status_s=writer_first,
            writer_status_s=writer_status,
            history_s=history_s,
            admin_s=admin_open_seconds(ws.data_dir.parent, str(remote)),
        )


def operations_log(home: Path, backups: int) -> None:
    """The operations log the writer would hold after `backups` minute backups: the log
    keeps its newest KEEP to 2 x KEEP entries (`sync.oplog`)."""
    now = datetime.now(UTC)
    kept = min(backups, 2 * KEEP - 1)
    lines = [
        json.dumps(
            asdict(
                Operation(
                    "backup",
                    "auto",
                    (now - timedelta(minutes=kept - n)).isoformat(),
                    0.45 + (n % 7) / 100,
                    True,
                    52428800,
                    "created",
                    uploaded=3000,
                )
            )
        )
        for n in range(kept)
    ]
    log_path(home).write_text("\n".join(lines) + "\n")


def fast_import(remote: Path, base: str, commits: int) -> None:
    """Backups a minute apart up to now, with Kura's trailers (3 KB of LFS each)."""
    said = subprocess.run(
        ["git", "log", "-1", "--format=%(trailers:key=Kura-Storage,valueonly)", base],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    totals = dict(item.split("=") for item in said.split())
    stored, objects = int(totals["bytes"]), int(totals["objects"])
    now = int(time.time())
    lines = [f"reset refs/heads/main\nfrom {base}"]
    for n in range(commits):
        stored, objects = stored + 3000, objects + 1
        message = (
            f"Automatic backup\n\nKura-Kind: auto\nKura-Files: 1\nKura-Bytes: 52428800\n"
            f"Kura-Host: bench\nKura-Storage: added=3000 bytes={stored} objects={objects} "
            f"backups={n + 2}\n"
        )
        lines.append("commit refs/heads/main")
        lines.append(f"committer Kura <kura@localhost> {now - (commits - n) * 60} +0000")
        lines.append(f"data {len(message.encode())}\n{message}")
    script = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=remote, input=script, check=True)


def table(points: list[Point]) -> str:
    mb = 2**20
    head = (
        "| backups | backup s | same data, new history s | git objects / backup "
        "| git KB / backup | LFS KB / backup (median) | LFS KB / backup (all, compaction "
        "included) | writer KURA_HOME MB | live data MB (compressed) | packs named MB "
        "| fresh restore s "
        "| fresh download MB | fresh KURA_HOME MB | whole-history clone s | status s "
        "| writer status s | history 50 s | admin page s (Chromium) | CLI floor s |\n"
        "|" + " ---: |" * 19
    )
    rows = [
        f"| {p.backups:,} | {p.backup_s:.2f} | {p.control_s:.2f} | {p.objects_per_backup:.0f} | "
        f"{p.git_bytes_per_backup / 1024:.1f} | {p.lfs_per_backup / 1024:.1f} | "
        f"{p.lfs_mean / 1024:.1f} | {p.writer_home / mb:.1f} | {p.live_compressed / mb:.1f} | "
        f"{p.named_packs / mb:.1f} | "
        f"{p.fresh_restore_s:.2f} | {p.fresh_download / mb:.1f} | {p.fresh_home / mb:.1f} | "
        f"{p.naive_clone_s:.2f} | {p.status_s:.2f} | {p.writer_status_s:.2f} | "
        f"{p.history_s:.2f} | {p.admin_s:.2f} | {p.cli_floor_s:.2f} |"
        for p in points
    ]
    return "\n".join([head, *rows])


def synthetic_table(points: list[Synthetic]) -> str:
    mb = 2**20
    head = (
        "| backups | made in s | a backup on top s | fresh restore s | fresh download MB "
        "| fresh KURA_HOME MB | status s | writer status s (first, then) | history 50 s "
        "| admin page s (Chromium) |\n"
        "|" + " ---: |" * 10
    )
    rows = [
        f"| {p.backups:,} | {p.made_s:.1f} | {p.backup_on_top_s:.2f} | "
        f"{p.fresh_restore_s:.2f} | {p.fresh_download / mb:.1f} | "
        f"{p.fresh_home / mb:.1f} | {p.status_s:.2f} | "
        f"{p.writer_first_status_s:.2f}, {p.writer_status_s:.2f} | "
        f"{p.history_s:.2f} | {p.admin_s:.2f} |"
        for p in points
    ]
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.long_history")
    parser.add_argument("--backups", type=int, default=10_000)
    parser.add_argument(
        "--checkpoints", type=int, nargs="+", default=[50, 1000, 2500, 5000, 10_000]
    )
    parser.add_argument("--synthetic", type=int, nargs="*", default=[50, 10_000, 175_000])
    args = parser.parse_args()
    if args.synthetic:
        print(synthetic_table([synthetic(n) for n in args.synthetic]), flush=True)
    if args.backups:
        points = run(args.backups, [c for c in args.checkpoints if c <= args.backups])
        print("\n" + table(points))


if __name__ == "__main__":
    main()
