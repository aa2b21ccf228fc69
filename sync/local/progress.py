"""How far a restore has got, for a page to poll from another thread.

The restore reports its phase; while git-lfs downloads (one subprocess, silent
to us), the bytes done are measured on disk: objects already in the cache's LFS
store plus the partial files git-lfs writes to `lfs/incomplete/`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Phase = Literal["connecting", "downloading", "checking", "saving", "done"]


@dataclass(frozen=True)
class ProgressSnapshot:
    phase: Phase
    done_bytes: int
    total_bytes: int
    files: int

    @property
    def fraction(self) -> float:
        if self.phase == "done":
            return 1.0
        return min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 0.0


class RestoreProgress:
    """Thread-safe progress of one restore.

    Example::

        progress = RestoreProgress()
        threading.Thread(target=restore, args=(ws, "latest"), kwargs={"progress": progress}).start()
        print(progress.snapshot().fraction)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._phase: Phase = "connecting"
        self._total = 0
        self._files = 0
        self._done = 0
        self._measure: Callable[[], int] | None = None

    def phase(self, phase: Phase) -> None:
        with self._lock:
            self._phase = phase
            if phase in ("checking", "saving", "done"):
                self._done, self._measure = self._total, None

    def downloading(self, *, total_bytes: int, files: int, measure: Callable[[], int]) -> None:
        """Start the download phase; `measure` returns the bytes on disk so far."""
        with self._lock:
            self._phase, self._total, self._files = "downloading", total_bytes, files
            self._measure = measure

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            measure, done = self._measure, self._done
            phase, total, files = self._phase, self._total, self._files
        if measure is not None:
            try:
                done = measure()
            except OSError:
                pass  # a file moved between listing and stat: show the last figure
            else:
                with self._lock:
                    self._done = done
        return ProgressSnapshot(phase, min(done, total), total, files)
