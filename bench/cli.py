"""Kura's command line beside restic's and borg's: whole processes, as a user runs them.

`python -m sync backup` from cron or a CI job, `python -m sync restore` on a new host:
every Kura step here is a new process (Python's start-up and imports included), timed
from outside like restic's and borg's. One data directory (`bench/datasets.py`), each
tool its own local repository, every step interleaved (each change is made once, then
each tool backs it up in turn) and repeated; medians with the spread (min-max). Every
restore is checked against the data it should hold (`bench.peers.content`).

Then, untimed, each Kura command once more with git and git-lfs behind a wrapper that
logs every process and its wall time: where a whole process spends its time.

Usage: python -m bench.cli [--size-mb 317] [--minutes 10] [--rounds 3]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import datasets, fresh_clone
from bench.long_history import du
from bench.peers import (
    Borg,
    Restic,
    Sample,
    Tool,
    arguments,
    content,
    kura_env,
    litestream_append_bytes,
    measured,
)

ROOT = Path(__file__).resolve().parent.parent
_WRAPPER = """#!/bin/sh
start=$(date +%s%N)
{real} "$@"
status=$?
read parent < /proc/$PPID/comm
echo "$(( ($(date +%s%N) - start) / 1000 )) $parent {name} $1 $2" >> {log}
exit $status
"""


class KuraCli(Tool):
    """`python -m sync`, a new process each step."""

    name = "Kura"

    def __init__(self, root: Path, data: Path) -> None:
        super().__init__(root, data)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.repo)], check=True)
        self.home = self.root / "home"

    def env(self, data: Path | None = None, home: Path | None = None) -> dict[str, str]:
        return kura_env(data or self.data, home or self.home, self.repo)

    def _backup(self) -> Sample:
        sample = measured([sys.executable, "-m", "sync", "backup"], cwd=ROOT, env=self.env())
        tip = subprocess.run(
            ["git", "-C", str(self.repo), "rev-parse", "main"], capture_output=True, check=True
        )
        self.backups.append(tip.stdout.decode().strip())
        return sample

    def restore(self, point: int, target: Path) -> tuple[Sample, Path]:
        argv = [sys.executable, "-m", "sync", "restore", self.backups[point], "--yes"]
        env = self.env(target / "data", target / "home")
        return measured(argv, cwd=ROOT, env=env), target / "data"


@dataclass
class Spread:
    samples: dict[str, list[float]] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)  # each tool's peak

    def add(self, tool: str, seconds: float, rss_mb: float = 0.0) -> None:
        self.samples.setdefault(tool, []).append(seconds)
        self.rss_mb[tool] = max(self.rss_mb.get(tool, 0.0), rss_mb)

    def median(self, tool: str) -> float:
        return statistics.median(self.samples[tool])

    def cell(self, tool: str) -> str:
        values = self.samples[tool]
        return f"{self.median(tool):.3f} ({min(values):.3f}-{max(values):.3f})"


@dataclass
class Result:
    size_mb: int
    steps: dict[str, Spread]
    appends: list[int]  # bytes Kura's repository grew by per 20-row append
    appends_lfs: list[int]
    litestream: list[int]
    # Kura command: (process, microseconds, started by Kura itself rather than by git)
    traces: dict[str, list[tuple[str, int, bool]]]
    startup: float  # `python -m sync --help`


def run(size_mb: int = 317, minutes: int = 10, rounds: int = 3) -> Result:
    with tempfile.TemporaryDirectory(prefix="kura-cli-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        chat = data / "chatbot.db"
        steps: dict[str, Spread] = {}

        def timed(name: str, tool: str, sample: Sample) -> None:
            steps.setdefault(name, Spread()).add(tool, sample.seconds, sample.rss_mb)

        for round_ in range(rounds):  # each round on empty repositories
            for kind in (KuraCli, Restic, Borg):
                tool = kind(root / f"first-{round_}", data)
                timed("first backup", tool.name, tool.backup())
            shutil.rmtree(root / f"first-{round_}")
        tools: list[Tool] = [KuraCli(root, data), Restic(root, data), Borg(root, data)]
        kura = tools[0]
        assert isinstance(kura, KuraCli)
        seed = content(data)
        for tool in tools:
            tool.backup()
        appends, appends_lfs = [], []
        for _ in range(minutes):
            datasets.append_messages(chat, 20)
            for tool in tools:
                lfs = du(kura.repo / "lfs")
                sample = tool.backup()
                timed("a minute's backup (20 chat rows)", tool.name, sample)
                if tool is kura:
                    appends.append(sample.stored)
                    appends_lfs.append(du(kura.repo / "lfs") - lfs)
        latest = content(data)
        for name, point, expected in (
            ("a fresh restore of the latest backup", -1, latest),
            ("a restore of the first backup", 0, seed),
        ):
            for round_ in range(rounds):
                for tool in tools:
                    host = root / f"host-{tool.name}-{round_}"
                    sample, restored = tool.restore(point, host)
                    if content(restored) != expected:
                        raise AssertionError(f"{tool.name}: {name} restored wrong data")
                    timed(name, tool.name, sample)
                    shutil.rmtree(host)
        _warm_restores(root, data, kura, steps, rounds, expected=seed)
        _against_the_guide(root, data, kura, steps, rounds)
        traces = _traces(root, kura)
        startup = min(_startup() for _ in range(5))
        litestream = litestream_append_bytes(chat, root / "litestream", minutes)
    return Result(size_mb, steps, appends, appends_lfs, litestream, traces, startup)


def _warm_restores(
    root: Path,
    data: Path,
    kura: KuraCli,
    steps: dict[str, Spread],
    rounds: int,
    *,
    expected: dict[str, str],
) -> None:
    """Restores on the host that backs up, to the first backup and back (its cache holds
    both), beside `cp -r` of the data directory: `python -m sync restore`, and `restore`
    in one long-lived process as the app runs it."""
    from bench.__main__ import workspace  # the app's way: the bench's own process
    from sync import restore

    app = workspace(data, kura.home, str(kura.repo))
    points = [kura.backups[0], kura.backups[-1]]
    for name, run in (
        ("a warm restore to an older point (command line)", lambda ref: _cli_restore(kura, ref)),
        (
            "a warm restore to an older point (in the app's process)",
            lambda ref: _timed(restore, app, ref),
        ),
    ):
        spread = steps.setdefault(name, Spread())
        for round_ in range(2 * rounds + 1):
            seconds = run(points[round_ % 2])
            if round_:  # the first one brings the first backup's packs into the cache
                spread.add("Kura", seconds)
            copy = root / "cp-copy"
            spread.add(
                "cp -r", _timed(subprocess.run, ["cp", "-r", str(data), str(copy)], check=True)
            )
            shutil.rmtree(copy)
        if content(data) != expected:
            raise AssertionError("the warm restores left other data than the first backup's")


def _cli_restore(kura: KuraCli, ref: str) -> float:
    argv = [sys.executable, "-m", "sync", "restore", ref, "--yes"]
    return measured(argv, cwd=ROOT, env=kura.env()).seconds


def _timed(action: Callable[..., object], *args: object, **kwargs: object) -> float:
    started = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - started


def _against_the_guide(
    root: Path, data: Path, kura: KuraCli, steps: dict[str, Spread], rounds: int
) -> None:
    """A small change backed up by Kura's command line and by the guide's fresh clone."""
    guide = root / "guide.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(guide)], check=True)
    fresh_clone.backup(data, str(guide))
    spread = steps.setdefault("a small change: Kura's command line against the guide", Spread())
    for _ in range(rounds):
        datasets.append_messages(data / "chatbot.db", 20)
        spread.add("Kura", kura.backup().seconds)
        started = time.perf_counter()
        fresh_clone.backup(data, str(guide))
        spread.add("guide", time.perf_counter() - started)


def _traces(root: Path, kura: KuraCli) -> dict[str, list[tuple[str, int, bool]]]:
    """Each Kura command once more, its git and git-lfs processes logged."""
    wrappers, log = root / "wrappers", root / "trace.log"
    wrappers.mkdir()
    for name in ("git", "git-lfs"):
        real = shutil.which(name)
        assert real is not None, f"{name} is missing"
        (wrappers / name).write_text(_WRAPPER.format(real=real, name=name, log=log))
        (wrappers / name).chmod(0o755)
    path = f"{wrappers}:{os.environ['PATH']}"
    traces = {}
    datasets.append_messages(kura.data / "chatbot.db", 20)
    commands = {
        "backup (a minute's change)": (["backup"], kura.env()),
        "restore latest (a new host)": (
            ["restore", "latest", "--yes"],
            kura.env(root / "trace-host" / "data", root / "trace-host" / "home"),
        ),
        "restore FIRST (a new host)": (
            ["restore", kura.backups[0], "--yes"],
            kura.env(root / "trace-first" / "data", root / "trace-first" / "home"),
        ),
    }
    for label, (args, env) in commands.items():
        log.write_text("")
        env = {**os.environ, **env, "PATH": path}  # Kura passes PATH on to git
        subprocess.run(
            [sys.executable, "-m", "sync", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        traces[label] = [_call(line) for line in log.read_text().splitlines()]
    return traces


def _call(line: str) -> tuple[str, int, bool]:
    """A wrapper's log line: the command (`git lfs` with its own subcommand), its time,
    and whether Kura started it (not git or git-lfs on Kura's behalf)."""
    micro, parent, name, first, rest = [*line.split(" ", 4), "", ""][:5]
    command = f"{name} {first} {rest.split(' ')[0]}" if first == "lfs" else f"{name} {first}"
    return command, int(micro), parent.startswith("python")


def _startup() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sync", "--help"], cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - started


def table(result: Result) -> str:
    lines = [
        f"Whole processes on {result.size_mb} MB: median seconds (min-max)\n",
        "| step | Kura | restic | borg | Kura / restic | Kura / borg | peak RSS, MB "
        "(Kura / restic / borg) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, spread in result.steps.items():
        if "Kura" not in spread.samples or "restic" not in spread.samples:
            continue
        kura = spread.median("Kura")
        lines.append(
            f"| {name} | {spread.cell('Kura')} | {spread.cell('restic')} | {spread.cell('borg')}"
            f" | {kura / spread.median('restic'):.2f}x | {kura / spread.median('borg'):.2f}x"
            f" | {' / '.join(f'{spread.rss_mb[t]:.0f}' for t in ('Kura', 'restic', 'borg'))} |"
        )
    baselines = {  # a baseline Kura is compared with alone: its name, the ratio said
        "guide": ("the guide", lambda kura, base: f"{base / kura:.1f}x faster"),
        "cp -r": ("`cp -r`", lambda kura, base: f"{kura / base:.1f}x"),
    }
    for name, spread in result.steps.items():
        for key, (said, ratio) in baselines.items():
            if key in spread.samples:
                lines += [
                    "",
                    f"{name}: Kura {spread.cell('Kura')} s, {said} {spread.cell(key)} s: "
                    f"{ratio(spread.median('Kura'), spread.median(key))}.",
                ]
    kura, lite = statistics.median(result.appends), statistics.median(result.litestream)
    lfs = statistics.median(result.appends_lfs)
    lines += [
        "",
        f"Bytes per 20-row append: Kura {kura / 1e3:.1f} KB ({lfs / 1e3:.1f} KB LFS, "
        f"{(kura - lfs) / 1e3:.1f} KB git), Litestream {lite / 1e3:.1f} KB: {kura / lite:.2f}x.",
        "",
        f"Where a Kura process spends its time (Python start-up and imports: "
        f"{result.startup * 1000:.0f} ms, `python -m sync --help`):",
        "",
        "| command | processes Kura starts (and all, git's own included) | their time (ms) "
        "| the slowest (ms) |",
        "| --- | ---: | ---: | --- |",
    ]
    for label, calls in result.traces.items():
        total = Counter[str]()
        for name, micro, direct in calls:
            if direct:
                total[name] += micro
        slowest = ", ".join(f"{n} {m / 1000:.0f}" for n, m in total.most_common(4))
        direct = sum(1 for *_, d in calls if d)
        spent = sum(total.values()) / 1000
        lines.append(f"| {label} | {direct} ({len(calls)}) | {spent:.0f} | {slowest} |")
    return "\n".join(lines)


def main() -> None:
    args = arguments("python -m bench.cli")
    print(table(run(args.size_mb, args.minutes, args.rounds)))


if __name__ == "__main__":
    main()
