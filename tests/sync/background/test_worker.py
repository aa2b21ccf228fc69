"""The one shape of background workers: rounds in a daemon thread, woken, stopped."""

from __future__ import annotations

import threading

from sync.background.worker import Loop
from tests.conftest import wait_until


def test_rounds_wait_as_told_wake_early_survive_a_failure_and_stop() -> None:
    rounds: list[int] = []
    ran = threading.Event()

    def round() -> float:
        rounds.append(len(rounds))
        ran.set()
        if len(rounds) == 2:
            raise RuntimeError("one bad round")
        return 3600.0  # only a wake brings the next round

    loop = Loop("kura-test", round, failed_wait=3600.0)
    loop.start()
    assert ran.wait(10)
    for expected in (2, 3):  # the second round raises, and the loop goes on
        ran.clear()
        loop.wake()
        assert ran.wait(10)
        assert len(rounds) == expected
    loop.stop(timeout=10)
    assert loop.stopped and not loop._thread.is_alive()


def test_a_round_that_returns_none_ends_the_thread() -> None:
    loop = Loop("kura-test", lambda: None)
    loop.start()
    wait_until(lambda: not loop._thread.is_alive())
    assert not loop.stopped  # it ended by itself, nobody stopped it
