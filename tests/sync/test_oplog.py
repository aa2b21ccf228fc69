"""The operations log stays short, and still counts every download of the month."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.oplog import KEEP, downloaded_since, log_path, read_operations, record

ROOT = Path(__file__).resolve().parents[2]


def test_trimming_keeps_the_newest_entries_and_this_months_downloads(tmp_path: Path) -> None:
    with record(tmp_path, "restore", "manual") as restoring:
        restoring.downloaded = 123_456  # early in the month, long before the trim
    for _ in range(2 * KEEP + 10):  # the log is trimmed once it passes its bound
        with record(tmp_path, "backup", "auto") as backing_up:
            backing_up.uploaded = 10
    entries = read_operations(tmp_path)
    assert len(entries) <= 2 * KEEP + 11 and log_path(tmp_path).stat().st_size < 4_000_000
    assert entries[0].operation == "restore" and entries[0].downloaded == 123_456
    assert sum(1 for e in entries if e.operation == "backup") < 2 * KEEP + 10  # it trimmed
    assert sum(1 for e in entries if e.operation == "backup") >= KEEP  # the newest kept


def test_downloads_since_a_day_count_every_download_and_nothing_else(tmp_path: Path) -> None:
    for downloaded in (1000, 0, 234):
        with record(tmp_path, "restore", "manual") as restoring:
            restoring.downloaded = downloaded
    with record(tmp_path, "verify", "manual") as verifying:
        verifying.downloaded = 10
    for _ in range(50):
        with record(tmp_path, "backup", "auto") as backing_up:
            backing_up.uploaded = 10
    with log_path(tmp_path).open("a") as log:
        log.write('not json, "downloaded": 7\n')  # a damaged line
    everything = datetime(2000, 1, 1, tzinfo=UTC)
    assert downloaded_since(tmp_path, everything) == 1244
    assert downloaded_since(tmp_path, datetime.now(UTC) + timedelta(minutes=1)) == 0
    assert downloaded_since(tmp_path / "none", everything) == 0


APPENDER = """
import sys
from pathlib import Path
from sync.oplog import Operation, append
home, name = Path(sys.argv[1]), sys.argv[2]
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
for n in range(int(sys.argv[3])):
    entry = Operation("backup", name, "2026-01-01T00:00:00+00:00", 0.1, True, message=str(n))
    append(home, entry, keep=40)
"""


def test_two_processes_appending_while_the_log_is_trimmed_lose_no_entry(tmp_path: Path) -> None:
    count = 600
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(tmp_path), name, str(count)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("scheduler", "cli")
    ]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:  # both start appending at once
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    entries = read_operations(tmp_path)
    assert len(entries) <= 2 * 40  # it trimmed all along
    for name in ("scheduler", "cli"):
        seen = [int(e.message) for e in entries if e.kind == name]
        # Whatever the trims dropped is the oldest: each writer's entries end in an
        # unbroken run up to its last one, with nothing missing in between.
        assert seen == list(range(count - len(seen), count)), name
    assert len(log_path(tmp_path).read_bytes().splitlines()) == len(entries)


def test_a_log_that_cannot_be_written_never_fails_the_operation(tmp_path: Path) -> None:
    log_path(tmp_path).mkdir(parents=True)  # not a file: every append fails
    with record(tmp_path, "backup", "manual") as backing_up:
        backing_up.status = "created"
    assert log_path(tmp_path).is_dir()


def test_health_tells_one_failure_story_with_the_badge(tmp_path: Path) -> None:
    """A verify that worked after a failing backup is not the backups' "last success", and
    a failed verify is not the failure the badge and Health speak of."""
    from sync.oplog import Operation, append, health, last_attempt

    start = datetime(2026, 12, 5, 9, tzinfo=UTC)

    def entry(minute: int, operation: str, ok: bool) -> Operation:
        when = (start + timedelta(minutes=minute)).isoformat()
        return Operation(operation, "manual", when, 1.0, ok, code="" if ok else "x", message="m")

    for made in (
        entry(0, "backup", True),
        entry(5, "backup", False),
        entry(6, "verify", True),
        entry(7, "verify", False),
    ):
        append(tmp_path, made)
    state = health(read_operations(tmp_path))
    assert (state.last_failed.operation, state.last_failed.started_at) == (
        "backup",
        start + timedelta(minutes=5),
    )
    assert (state.last_success.operation, state.last_success.started_at) == ("backup", start)
    badge = last_attempt(tmp_path)
    assert badge == state.last_failed  # the badge's failure is Health's
    assert last_attempt(tmp_path, ("backup",), ok=True) == state.last_success
