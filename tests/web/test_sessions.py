import threading
from pathlib import Path

import pytest

from web.sessions import SessionStore

PASSWORD = "team password"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> SessionStore:
    return SessionStore(
        tmp_path / "home" / "sessions.db", idle_seconds=600, max_age_seconds=3600, clock=clock
    )


def test_an_open_session_resumes_until_it_is_ended(store: SessionStore) -> None:
    session = store.open(password=PASSWORD)
    assert store.resume(session, password=PASSWORD)
    store.end(session)
    assert not store.resume(session, password=PASSWORD)
    assert store.count() == 0


def test_the_file_holds_no_session_id_and_no_password(store: SessionStore) -> None:
    session = store.open(password=PASSWORD)
    raw = store.path.read_bytes()
    assert session.encode() not in raw
    assert PASSWORD.encode() not in raw
    assert store.path.stat().st_mode & 0o077 == 0


def test_idle_time_ends_a_session_and_activity_keeps_it(store: SessionStore, clock: Clock) -> None:
    session = store.open(password=PASSWORD)
    for _ in range(5):  # active every 5 minutes, for longer than the idle time-out
        clock.now += 300
        assert store.resume(session, password=PASSWORD)
    clock.now += 601
    assert not store.resume(session, password=PASSWORD)
    clock.now -= 601  # an ended session does not come back
    assert not store.resume(session, password=PASSWORD)


def test_the_maximum_age_ends_even_an_active_session(store: SessionStore, clock: Clock) -> None:
    session = store.open(password=PASSWORD)
    for _ in range(12):
        clock.now += 300
        assert store.resume(session, password=PASSWORD)
    clock.now += 300  # 3,900 s old, active 300 s ago
    assert not store.resume(session, password=PASSWORD)


def test_a_new_password_ends_every_session(store: SessionStore, clock: Clock) -> None:
    sessions = [store.open(password=PASSWORD) for _ in range(3)]
    restarted = SessionStore(store.path, idle_seconds=600, max_age_seconds=3600, clock=clock)
    assert not any(restarted.resume(s, password="new password") for s in sessions)
    assert restarted.resume(restarted.open(password="new password"), password="new password")
    assert store.count() == 1  # the old ones are gone from the file too


def test_sessions_survive_a_restart_with_the_same_password(
    store: SessionStore, clock: Clock
) -> None:
    session = store.open(password=PASSWORD)
    restarted = SessionStore(store.path, idle_seconds=600, max_age_seconds=3600, clock=clock)
    assert restarted.resume(session, password=PASSWORD)


@pytest.mark.parametrize("value", ["", "x", "a" * 43, "a" * 10_000, "\udcff", "💥" * 40])
def test_a_tampered_or_foreign_value_opens_nothing(store: SessionStore, value: str) -> None:
    session = store.open(password=PASSWORD)
    assert not store.resume(value, password=PASSWORD)
    assert not store.resume(session[:-1] + ("A" if session[-1] != "A" else "B"), password=PASSWORD)
    store.end(value)  # never raises, never ends another session
    assert store.resume(session, password=PASSWORD)


def test_twenty_concurrent_sessions_stay_independent(store: SessionStore) -> None:
    results: dict[int, str] = {}

    def log_in(index: int) -> None:
        results[index] = store.open(password=PASSWORD)

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sessions = list(results.values())
    assert len(set(sessions)) == 20
    for session in sessions[:10]:
        store.end(session)
    assert [store.resume(s, password=PASSWORD) for s in sessions] == [False] * 10 + [True] * 10
