"""Near-real-time backup: what following a chat minute by minute costs, side by side.

One data directory (Kura's own chatbot.db grown to about 50 MB, as in the issue's
example, plus a wiki database and a vector segment) is chatted into for
MINUTES simulated minutes: a few exchanges a minute through `ChatHistory`, the
app's own write path. Three ways of backing it up run on it in one run, each to
its own local bare remote, whose `lfs/objects` hold what GitHub would bill:

- Kura, change-driven: a backup every minute (the default bound while a chat goes on);
- the original guide (`bench/fresh_clone.py`), also every minute;
- Kura at the old 30-minute interval, for reference.

Then the two-writer case (a backup that first merges another instance's
conversations) and one round of the remote watch against the guide's only way
to learn of a newer backup (a fresh clone).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import datasets, fresh_clone
from bench.storage import bare, lfs_stored
from chatbot.history import ChatHistory
from chatbot.history_schema import ensure_schema, new_id
from config import Settings
from sync import Workspace, backup
from sync.actions.startup import startup_restore
from sync.background.throttle import HORIZON_DAYS, spacing_for_quota
from sync.background.watch import RemoteWatch
from sync.models import StorageUsage

MINUTES = 30
EXCHANGES_PER_MINUTE = 3
CHAT_MB = 50
GIB = 1024**3
QUOTA = 10 * GIB
CHATTY_HOURS_A_DAY = 8


@dataclass
class Cost:
    name: str
    every_seconds: float
    backups: int
    seconds: list[float]
    growth: int  # LFS bytes added over the whole run

    @property
    def per_day(self) -> float:
        """LFS growth of a day with CHATTY_HOURS_A_DAY hours of such chatting."""
        return self.growth / MINUTES * 60 * CHATTY_HOURS_A_DAY

    @property
    def days_to_fill(self) -> float:
        return QUOTA / self.per_day if self.per_day else float("inf")


def _workspace(data: Path, home: Path, remote: Path) -> Workspace:
    return Workspace(Settings(data_dir=data, home=home, data_repo=str(remote)))


def _chat_history(path: Path, megabytes: int) -> None:
    """Kura's chatbot.db with about `megabytes` of conversations, written in bulk."""
    rng = random.Random(7)
    words = [f"w{n}" for n in range(4000)]
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    ensure_schema(connection)
    with connection:
        for conversation in range(megabytes * 400):
            cid, stamp = new_id(), f"2026-11-{1 + conversation % 27:02d}T10:00:00+00:00"
            connection.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, 'bench', ?, ?)",
                (cid, f"question {conversation}", stamp, stamp, stamp),
            )
            for turn in range(4):
                text = " ".join(rng.choice(words) for _ in range(60))
                role = "user" if turn % 2 == 0 else "assistant"
                connection.execute(
                    "INSERT INTO messages VALUES (?, ?, ?, ?, '[]', ?)",
                    (new_id(), cid, role, text, stamp),
                )
    connection.close()


def _make_data(root: Path) -> None:
    datasets.make_data(root, total_mb=60)  # a wiki-like database and a vector segment
    (root / "chatbot.db").unlink()
    _chat_history(root / "chatbot.db", CHAT_MB)


def _chat_a_minute(data: Path, minute: int) -> None:
    history = ChatHistory(data / "chatbot.db", host="bench")
    for exchange in range(EXCHANGES_PER_MINUTE):
        conversation = history.start(f"minute {minute}, question {exchange}")
        history.add(conversation.id, "user", f"minute {minute}, question {exchange} " * 8)
        history.add(conversation.id, "assistant", f"an answer from the wiki {minute} " * 40)


def _follow_the_chat(root: Path, name: str, back_up, every: int) -> Cost:
    """Chat MINUTES minutes into a copy of the data, backing up every `every` minutes."""
    data = root / name / "data"
    shutil.copytree(root / "seed", data)
    remote = bare(root / name / "remote.git")
    run = back_up(data, root / name, remote)
    run()  # the first backup of everything is not what this measures
    before, seconds = lfs_stored(remote)[0], []
    for minute in range(MINUTES):
        _chat_a_minute(data, minute)
        if (minute + 1) % every == 0:
            started = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - started)
    return Cost(name, every * 60, len(seconds), seconds, lfs_stored(remote)[0] - before)


def _kura(data: Path, root: Path, remote: Path):
    ws = _workspace(data, root / "home", remote)
    return lambda: backup(ws, kind="auto")


def _guide(data: Path, root: Path, remote: Path):
    return lambda: fresh_clone.backup(data, str(remote))


def _merge_cost(root: Path) -> tuple[float, float]:
    """Seconds of a backup on the own tip, and of one that first merges 50 conversations
    another instance wrote (median of 3 each)."""
    remote = bare(root / "two.git")
    one = _workspace(root / "one" / "data", root / "one" / "home", remote)
    shutil.copytree(root / "seed", one.data_dir)
    backup(one)
    two = _workspace(root / "two" / "data", root / "two" / "home", remote)
    two.data_dir.mkdir(parents=True)
    startup_restore(two)
    plain, merging = [], []
    for round_ in range(3):
        _chat_a_minute(one.data_dir, 1000 + round_)
        started = time.perf_counter()
        backup(one)
        plain.append(time.perf_counter() - started)
        for minute in range(17):  # about 50 conversations on the other instance
            _chat_a_minute(two.data_dir, 2000 + round_ * 100 + minute)
        backup(two)
        _chat_a_minute(one.data_dir, 3000 + round_)
        started = time.perf_counter()
        result = backup(one)
        merging.append(time.perf_counter() - started)
        assert result.merged == ("chatbot.db",)
    return statistics.median(plain), statistics.median(merging)


def _watch_cost(root: Path) -> tuple[float, float]:
    """Seconds of one idle remote-watch round, and of the guide's fresh clone."""
    remote = root / "two.git"
    ws = _workspace(root / "one" / "data", root / "one" / "home", remote)
    watch = RemoteWatch(workspace=ws, every_seconds=60)
    watch.check_once()
    rounds = []
    for _ in range(10):
        started = time.perf_counter()
        watch.check_once()
        rounds.append(time.perf_counter() - started)
    clones = []
    for _ in range(3):
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            started = time.perf_counter()
            fresh_clone._clone(str(remote), Path(tmp))
            clones.append(time.perf_counter() - started)
    return statistics.median(rounds), statistics.median(clones)


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _throttle(cost: Cost) -> str:
    """The gap the quota throttle would impose, with 1 GiB already stored ("none" when
    backups are further apart than that anyway)."""
    growth = cost.growth // max(cost.backups, 1)
    usage = StorageUsage(GIB, 0, cost.backups, growth, growth, None, 0)
    gap = spacing_for_quota(usage, quota_bytes=QUOTA)
    return f"{gap:,.0f} s" if gap > cost.every_seconds else "none"


def _days(days: float) -> str:
    return f"{days:.1f} days" if days < 10 else f"{days:,.0f} days"


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="kura-realtime-") as tmp:
        root = Path(tmp)
        _make_data(root / "seed")
        size = sum(p.stat().st_size for p in (root / "seed").rglob("*") if p.is_file())
        chat = (root / "seed" / "chatbot.db").stat().st_size
        costs = [
            _follow_the_chat(root, "Kura, every minute", _kura, 1),
            _follow_the_chat(root, "guide, every minute", _guide, 1),
            _follow_the_chat(root, "Kura, every 30 minutes", _kura, 30),
        ]
        plain, merging = _merge_cost(root)
        watch, clone = _watch_cost(root)
    kura, guide = costs[0], costs[1]
    lines = [
        f"{MINUTES} minutes of chat ({EXCHANGES_PER_MINUTE} exchanges a minute) into "
        f"{_size(size)} of data ({_size(chat)} chatbot.db); a day is {CHATTY_HOURS_A_DAY} "
        f"such hours; quota {QUOTA // GIB} GiB.",
        "",
        "| backups | count | median s | LFS added | per backup | per day | quota full in | "
        f"throttle ({HORIZON_DAYS:.0f}-day horizon) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cost in costs:
        lines.append(
            f"| {cost.name} | {cost.backups} | {statistics.median(cost.seconds):.2f} | "
            f"{_size(cost.growth)} | {_size(cost.growth / cost.backups)} | "
            f"{_size(cost.per_day)} | {_days(cost.days_to_fill)} | {_throttle(cost)} |"
        )
    lines += [
        "",
        f"Every minute, Kura adds {guide.growth / max(kura.growth, 1):,.0f}x less LFS storage "
        f"than the guide and each backup is "
        f"{statistics.median(guide.seconds) / statistics.median(kura.seconds):.1f}x faster.",
        "",
        "| two instances, one remote | seconds |",
        "| --- | ---: |",
        f"| backup on its own tip | {plain:.2f} |",
        f"| backup that first merges 50 conversations from the other instance | {merging:.2f} |",
        f"| remote watch, one idle round (ls-remote) | {watch:.3f} |",
        f"| the guide's way to see a newer backup (fresh clone) | {clone:.2f} "
        f"({clone / watch:,.0f}x) |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
