"""The server process itself, as an operator watches it: how long it took to be ready
(and the start-up restore's share), and how much memory it holds (now and at its peak).
Read from Linux's /proc; elsewhere, what Python's `resource` module knows."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_IMPORTED = time.time()  # the fallback start: when the app's code was first loaded


@dataclass(frozen=True)
class ProcessFacts:
    started_at: datetime
    rss: int | None  # bytes held now
    peak: int  # the most bytes held at any time


def process_facts() -> ProcessFacts:
    return ProcessFacts(_started_at(), _status_bytes("VmRSS"), _peak())


def _started_at() -> datetime:
    """The process's start: its start tick (/proc/self/stat, field 22) after boot time."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22, counted after the command's closing ")"
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), tz=UTC)
    except (OSError, ValueError, IndexError, StopIteration):
        return datetime.fromtimestamp(_IMPORTED, tz=UTC)


def _status_bytes(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _peak() -> int:
    return _status_bytes("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
