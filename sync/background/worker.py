"""One shape for background workers: a daemon thread that runs rounds until stopped.

Each round returns how long to wait before the next one, or None to end the thread;
`wake()` cuts a wait short, `stop()` ends the loop and joins the thread. A round that
raises is logged and the loop goes on: a worker must never die of one bad round.

Example::

    loop = Loop("kura-watch", lambda: (check(), 60.0)[1])
    loop.start()
    loop.wake()   # check again now
    loop.stop()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Loop:
    def __init__(
        self, name: str, round: Callable[[], float | None], *, failed_wait: float = 60.0
    ) -> None:
        self.name = name
        self._round = round
        self._failed_wait = failed_wait
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def pause(self, seconds: float) -> None:
        """Wait in the caller's thread, returning early when the loop stops."""
        self._stopped.wait(seconds)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                wait = self._round()
            except Exception:
                log.exception("%s: the round failed", self.name)
                wait = self._failed_wait
            if wait is None:
                return
            self._wake.wait(wait)
            self._wake.clear()
