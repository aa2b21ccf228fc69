"""Scheduled pulls of the wiki's sources: at start-up, then every WIKI_SYNC_MINUTES.

One daemon thread per server process. It waits while `hold()` is true (the start-up
restore has not brought wiki.db back yet: pulling into an empty wiki would re-read
every page). A round writes under the backup's operation lock, so a backup never
snapshots a half-indexed pull and a restore never swaps wiki.db under one; the fetch and
the reading of pages, however long, happen before it and hold nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatbot.knowledge import KnowledgeBase
from chatbot.source_pull import PullResult, pull_all
from chatbot.source_store import SourceStore
from sync.background.worker import Loop
from sync.errors import Busy
from sync.repo.locking import operation_lock
from sync.sources import SourceAccess

log = logging.getLogger("kura.sources")

RETRY_SECONDS = 5.0  # held, or a backup was running: look again soon
LOCK_WAIT = 60.0  # a backup or a restore that holds the lock ends within this, as a rule


@dataclass(frozen=True)
class PullerState:
    every_minutes: float
    pulled_at: datetime | None = None
    results: tuple[PullResult, ...] = ()


class SourcePuller:
    """Example::

    puller = SourcePuller(kb=kb, home=Path(".kura"), lock_file=ws.lock_file,
                          access=SourceAccess.of(settings), every_minutes=60).start()
    puller.pull_now()  # wake it for a round at once
    print(puller.state.results)
    puller.stop()
    """

    def __init__(
        self,
        *,
        kb: KnowledgeBase,
        home: Path,
        lock_file: Path,
        access: SourceAccess,
        every_minutes: float,
        hold: Callable[[], bool] = lambda: False,
        lock_wait: float = LOCK_WAIT,
    ) -> None:
        self.kb = kb
        self.home = home
        self.lock_file = lock_file
        self.access = access
        self.every = every_minutes * 60
        self.hold = hold
        self.lock_wait = lock_wait
        self._lock = threading.Lock()
        self._loop = Loop("kura-sources", self._round)
        self._state = PullerState(every_minutes=every_minutes)

    @property
    def state(self) -> PullerState:
        with self._lock:
            return self._state

    def start(self) -> SourcePuller:
        if self.every > 0:
            self._loop.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._loop.stop(timeout)

    def pull_now(self) -> None:
        self._loop.wake()

    def round(self) -> bool:
        """One pull of every source, unless held or a backup runs; True when it ran."""
        if self.hold():
            return False
        if not SourceStore(self.kb).all():
            return True  # nothing to pull: never take the backup's lock for nothing
        try:
            results = pull_all(self.kb, home=self.home, access=self.access, hold=self._backup_lock)
        except Busy:
            return False
        for result in results:
            if result.status == "failed":
                log.warning("wiki source %s: %s", result.name, result.error)
            elif result.status == "updated":
                log.info("wiki source %s: now at %s", result.name, result.commit[:8])
        with self._lock:
            self._state = dataclasses.replace(
                self._state, pulled_at=datetime.now(UTC), results=tuple(results)
            )
        return True

    def _backup_lock(self) -> AbstractContextManager[None]:
        """The backup's lock, for the writes alone: a backup running now ends first."""
        return operation_lock(self.lock_file, wait=self.lock_wait)

    def _round(self) -> float:
        try:
            ran = self.round()
        except Exception:  # a round must never end the thread
            log.exception("wiki sources: the round failed")
            ran = True
        return self.every if ran else RETRY_SECONDS
