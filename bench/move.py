"""The way out of a spent LFS quota: `python -m sync move` against its alternatives.

A history of chat backups over `--days` days (`--per-day` backups a day: 20 chat rows
each, a vector-store update a day, on `bench/datasets.py`'s data) is built once with
Kura, its dates spread as time would have. Then, in each round and as a user runs them
(whole processes, fresh hosts):

- Kura: `python -m sync move --keep-days K` into an empty repository;
- what a move must beat: a fresh `restore latest` plus a first `backup` into an
  empty repository (the way out without a move: history is lost);
- the guide's way out: a new repository with the newest files pushed whole (git add,
  commit, LFS push): the newest data only;
- restic: `restic copy` of the same kept snapshots into a new repository (restic's
  repository A holds exactly the kept states, backed up as they were made).

Reported: medians and spread of the rounds' seconds, and the new repository's size
against the live data's compressed size plus the kept changes (the chunks the older
kept backups need beyond the newest's): the target is at most 1.1 times that.

Usage: python -m bench.move [--size-mb 30] [--days 90] [--per-day 24] [--keep-days 7]
       [--rounds 3] [--no-restic]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import datasets
from bench.long_history import du
from bench.redate import spread
from config import Settings
from sync import Workspace, backup
from sync.move.dense import read_contents
from sync.move.kept import read_kept

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-only"
PEAK_RSS_MB: dict[str, float] = {}  # per sync command, the largest of the rounds


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(path)], check=True)
    subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=path, check=True)
    return path


def workspace(root: Path, remote: Path) -> Workspace:
    (root / "data").mkdir(parents=True, exist_ok=True)
    return Workspace(Settings(data_dir=root / "data", home=root / ".kura", data_repo=str(remote)))


def build(root: Path, args: argparse.Namespace) -> tuple[Path, Path, int]:
    """The old repository, restic's repository of the kept states, and the kept count."""
    old = bare(root / "old.git")
    writer = workspace(root / "writer", old)
    datasets.make_data(writer.data_dir, total_mb=args.size_mb)
    restic_repo = root / "restic-kept"
    restic_env = {**os.environ, "RESTIC_PASSWORD": PASSWORD, "RESTIC_REPOSITORY": str(restic_repo)}
    if args.restic:
        subprocess.run(["restic", "init", "-q"], env=restic_env, check=True)
    count = args.days * args.per_day
    kept = args.keep_days * args.per_day + 1
    started = time.monotonic()
    for n in range(count):
        datasets.append_messages(writer.data_dir / "chatbot.db", 20)
        if n % args.per_day == 0:
            datasets.update_vectors(writer.data_dir / "chroma_db" / "chroma.sqlite3", 20)
        backup(writer, message=f"backup {n}", kind="auto")
        if args.restic and n >= count - kept:
            subprocess.run(
                ["restic", "backup", "-q", "--no-cache", str(writer.data_dir)],
                env=restic_env,
                check=True,
            )
        if n % 200 == 0:
            print(f"  {n} of {count} backups, {time.monotonic() - started:.0f} s", flush=True)
    spread(old, hours=24 / args.per_day)
    return old, restic_repo, kept


def sync_cli(home: Path, remote: Path, *args: str) -> tuple[float, dict]:
    (home / "data").mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "KURA_HOME": str(home / ".kura"),
        "KURA_DATA_DIR": str(home / "data"),
        "GITHUB_DATA_REPO": str(remote),
    }
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "sync", *args, "--json"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(out.read().decode()[-500:] + err.read().decode()[-500:])
        PEAK_RSS_MB[args[0]] = max(PEAK_RSS_MB.get(args[0], 0.0), usage.ru_maxrss / 1024)
        return seconds, json.loads(out.read())


def naive(data: Path, remote: Path, work: Path) -> float:
    """The guide's new repository: every file whole, through git-lfs."""
    started = time.perf_counter()
    shutil.copytree(data, work)
    for command in (
        ["git", "init", "-q", "--initial-branch=main"],
        ["git", "lfs", "track", "*", "**/*"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "data"],
        ["git", "remote", "add", "origin", str(remote)],  # git-lfs needs a named remote
        ["git", "push", "-q", "origin", "main"],
    ):
        subprocess.run(command, cwd=work, check=True, capture_output=True)
    return time.perf_counter() - started


def restic_copy(source: Path, target: Path) -> float:
    env = {**os.environ, "RESTIC_PASSWORD": PASSWORD, "RESTIC_FROM_PASSWORD": PASSWORD}
    subprocess.run(["restic", "init", "-q", "-r", str(target)], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        ["restic", "copy", "-q", "--no-cache", "-r", str(target), "--from-repo", str(source)],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def dense_parts(root: Path, remote: Path) -> tuple[int, int]:
    """(the newest backup's chunks stored once, the chunks only older kept ones need),
    read the way a move reads them: the whole moved history, each piece once."""
    reader = workspace(root, remote)
    reader.ensure_cache()
    reader.fetch(depth="--unshallow")  # every moved commit with its manifests
    tip = reader.tip()
    assert tip is not None
    kept = read_kept(reader.git, tip, None)
    contents = read_contents(reader.git, kept)
    return sum(c.length for c in contents.newest), sum(c.length for c in contents.older)


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--per-day", type=int, default=24)
    parser.add_argument("--keep-days", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-restic",
        dest="restic",
        action="store_false",
        help="skip restic (it backs up every kept state: slow at a backup a minute)",
    )
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="kura-bench-move-"))
    try:
        old, restic_repo, kept = build(root, args)
        tip = subprocess.run(
            ["git", "rev-parse", "main"], cwd=old, capture_output=True, text=True, check=True
        ).stdout.strip()
        times: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}
        for r in range(args.rounds):
            new = bare(root / f"new-{r}.git")
            seconds, moved = sync_cli(
                root / f"mover-{r}",
                old,
                "move",
                "--to",
                str(new),
                "--keep-days",
                str(args.keep_days),
                "--yes",
            )
            times.setdefault("Kura move", []).append(seconds)
            sizes["Kura move"] = du(new / "lfs")
            subprocess.run(["git", "update-ref", "refs/heads/main", tip], cwd=old, check=True)
            restore_s, _ = sync_cli(root / f"fresh-{r}", old, "restore", "latest", "--yes")
            empty = bare(root / f"empty-{r}.git")
            shutil.copytree(root / f"fresh-{r}" / "data", root / f"first-{r}" / "data")
            first_s, _ = sync_cli(root / f"first-{r}", empty, "backup")
            times.setdefault("fresh restore + first backup", []).append(restore_s + first_s)
            sizes["fresh restore + first backup"] = du(empty / "lfs")
            naive_remote = bare(root / f"naive-{r}.git")
            times.setdefault("guide: whole files to a new repository", []).append(
                naive(root / f"fresh-{r}" / "data", naive_remote, root / f"naive-work-{r}")
            )
            sizes["guide: whole files to a new repository"] = du(naive_remote / "lfs")
            if args.restic:
                times.setdefault("restic copy of the kept snapshots", []).append(
                    restic_copy(restic_repo, root / f"restic-new-{r}")
                )
                sizes["restic copy of the kept snapshots"] = du(root / f"restic-new-{r}")
        live, changes = dense_parts(root / "reader", root / "new-0.git")
        print(
            f"\n{args.days * args.per_day} backups over {args.days} days, "
            f"{kept} kept ({args.keep_days} days), {args.rounds} rounds\n"
        )
        print("| way out | seconds, median (spread) | new repository | backups kept |")
        print("| --- | --- | --- | --- |")
        keeps = {"Kura move": kept, "restic copy of the kept snapshots": kept}
        for name, values in times.items():
            print(
                f"| {name} | {_stats(values)} | {sizes[name] / 1e6:.2f} MB | {keeps.get(name, 1)} |"
            )
        print(
            f"\nold repository LFS: {du(old / 'lfs') / 1e6:.2f} MB; "
            f"moved: {moved['new_lfs_bytes'] / 1e6:.2f} MB = "
            f"{moved['new_lfs_bytes'] / (live + changes):.3f} × (live compressed "
            f"{live / 1e6:.2f} MB + kept changes {changes / 1e6:.2f} MB)"
        )
        print("peak RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in PEAK_RSS_MB.items()))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
