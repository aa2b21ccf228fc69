"""The operations log stays short, and still counts every download of the month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.oplog import KEEP, downloaded_since, log_path, read_operations, record


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
