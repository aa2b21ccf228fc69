"""Failed password checks, kept in KURA_HOME: a restart, or a second server process on
the same home, forgets none of them, so the login slow-down cannot be reset by waiting
for a deploy or by crashing the server."""

from __future__ import annotations

import json
import time
from pathlib import Path

from filelock import FileLock

from sync.local.atomic import write_atomic

# The delay stops growing long before this many; older entries carry no information.
KEEP = 64


class LoginFailures:
    """Example::

    failures = LoginFailures(home / "login-failures.json", window=900)
    failures.add()
    failures.recent()  # 1, until 15 minutes have passed
    """

    def __init__(self, path: Path | None, *, window: float) -> None:
        self.path = path  # None: in memory only (a test's gate)
        self.window = window
        self._memory: list[float] = []

    def recent(self) -> int:
        return len(self._within(self._read()))

    def add(self) -> None:
        if self.path is None:
            self._memory = [*self._within(self._memory), time.time()][-KEEP:]
            return
        with FileLock(self.path.with_name(self.path.name + ".lock")):
            kept = [*self._within(self._read()), time.time()][-KEEP:]
            write_atomic(self.path, json.dumps(kept).encode())

    def _read(self) -> list[float]:
        if self.path is None:
            return self._memory
        try:
            loaded = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            # Unreadable: every failure it held counts again, as if just made.
            return [time.time()] * KEEP
        return (
            [float(t) for t in loaded if isinstance(t, int | float)]
            if isinstance(loaded, list)
            else []
        )

    def _within(self, times: list[float]) -> list[float]:
        horizon = time.time() - self.window
        return [t for t in times if t >= horizon]
