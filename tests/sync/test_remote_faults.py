"""Wrong tokens, dead and hung remotes, missing rights, races: against the real HTTP remote."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import git as gitpython
import pytest

from sync import backup, history, restore, status
from sync.errors import AuthFailed, Busy, PushRejected, RemoteUnreachable
from tests.conftest import data_paths, files_of, git
from tests.servers.git_http import GitHttpServer
from tests.sync.conftest import host


@pytest.mark.parametrize("cache", ["fresh", "existing"])
def test_a_wrong_token_fails_in_seconds(tmp_path, server: GitHttpServer, cache: str) -> None:
    good = host(tmp_path, "good", server.repo_url())
    (good.data_dir / "a.txt").write_text("a")
    backup(good)
    bad = host(tmp_path, "good" if cache == "existing" else "bad", server.repo_url(), "ghp_wrong")
    (bad.data_dir / "a.txt").write_text("changed")
    for operation in (lambda: backup(bad), lambda: restore(bad, "latest")):
        started = time.monotonic()
        with pytest.raises(AuthFailed) as error:
            operation()
        assert time.monotonic() - started < 10
        assert "GITHUB_TOKEN" in error.value.message


def test_a_token_without_write_access_is_told_so(tmp_path, server: GitHttpServer) -> None:
    server.forbid_push = True
    ws = host(tmp_path, "h", server.repo_url())
    (ws.data_dir / "a.txt").write_text("a")
    with pytest.raises(AuthFailed, match="lacks Contents: write"):
        backup(ws)
    assert git("branch", "--list", cwd=server.repo_path()) == ""


def test_refused_connection_is_remote_unreachable(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    ws = host(tmp_path, "h", f"http://127.0.0.1:{port}/team/data.git")
    (ws.data_dir / "a.txt").write_text("a")
    started = time.monotonic()
    with pytest.raises(RemoteUnreachable, match=r"could not be reached \(connection refused\)"):
        backup(ws)
    assert time.monotonic() - started < 10
    assert files_of(ws.data_dir) == {"a.txt": b"a"}


def test_a_missing_repository_is_told_apart_from_a_refused_port(tmp_path) -> None:
    ws = host(tmp_path, "h", str(tmp_path / "no-such-remote.git"))
    (ws.data_dir / "a.txt").write_text("a")
    with pytest.raises(RemoteUnreachable, match=r"\(no repository at that address\)"):
        backup(ws)


@pytest.fixture
def hung_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_hung_remote_is_unreachable_within_two_minutes(tmp_path, hung_server: int) -> None:
    ws = host(tmp_path, "h", f"http://127.0.0.1:{hung_server}/team/data.git")
    (ws.data_dir / "a.txt").write_text("a")
    started = time.monotonic()
    with pytest.raises(RemoteUnreachable):
        backup(ws)
    assert time.monotonic() - started < 120


def test_status_and_cached_history_work_while_the_remote_is_down(
    tmp_path, server: GitHttpServer
) -> None:
    ws = host(tmp_path, "h", server.repo_url())
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    server.down = True
    assert status(ws).last_backup.commit == point.commit
    assert [b.commit for b in history(ws)] == [point.commit]  # refresh fails; cache answers


def test_a_push_race_re_commits_on_the_new_tip_without_force(tmp_path, server) -> None:
    base = host(tmp_path, "base", server.repo_url())
    (base.data_dir / "shared.txt").write_text("base")
    first = backup(base)
    one, two = host(tmp_path, "one", server.repo_url()), host(tmp_path, "two", server.repo_url())
    restore(one, "latest")
    restore(two, "latest")
    (one.data_dir / "one.txt").write_text("one")
    (two.data_dir / "two.txt").write_text("two")

    release = threading.Event()
    server.hold_first_push = release
    results = {}
    racer = threading.Thread(target=lambda: results.setdefault("one", backup(one)))
    racer.start()
    while server.hold_first_push is not None:  # one's push is now waiting at the server
        time.sleep(0.01)
    results["two"] = backup(two)  # two fetched the same tip and pushes first
    release.set()
    racer.join(60)

    repo = gitpython.Repo(server.repo_path())
    chain = [c.hexsha for c in repo.iter_commits("main", first_parent=True)]
    assert results["one"].commit in chain and results["two"].commit in chain
    assert chain.index(results["one"].commit) < chain.index(results["two"].commit)
    assert first.commit in chain
    # one's backup was re-made on two's tip: it adds one's file and keeps two's
    tree = repo.commit(results["one"].commit).tree
    assert data_paths(tree) == ["data/one.txt", "data/shared.txt", "data/two.txt"]


def test_three_backups_at_once_in_one_instance(tmp_path, server: GitHttpServer) -> None:
    ws = host(tmp_path, "h", server.repo_url())
    for i in range(5):
        (ws.data_dir / f"f{i}.bin").write_bytes(bytes([i]) * 100_000)
    server.hold_lfs_upload = release = threading.Event()  # the first backup's upload waits
    server.upload_started.clear()
    outcomes: list[str] = []

    def run() -> None:
        try:
            outcomes.append(backup(ws).status)
        except Busy:
            outcomes.append("busy")

    first = threading.Thread(target=run)
    first.start()
    assert server.upload_started.wait(60)  # the first holds the lock, mid-upload
    others = [threading.Thread(target=run) for _ in range(2)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(120)
    release.set()
    first.join(120)
    assert sorted(outcomes) == ["busy", "busy", "created"]


def test_over_quota_is_explained(tmp_path, server: GitHttpServer) -> None:
    server.over_quota = True
    ws = host(tmp_path, "h", server.repo_url())
    (ws.data_dir / "a.txt").write_text("a")
    with pytest.raises(PushRejected, match="over its Git LFS storage quota"):
        backup(ws)
    assert git("branch", "--list", cwd=server.repo_path()) == ""


def test_a_restore_during_a_backup_is_busy(tmp_path, server) -> None:
    ws = host(tmp_path, "h", server.repo_url())
    (ws.data_dir / "big.bin").write_bytes(b"x" * 3_000_000)
    point = backup(ws)
    (ws.data_dir / "big.bin").write_bytes(b"y" * 3_000_000)
    server.hold_lfs_upload = release = threading.Event()
    server.upload_started.clear()  # set by the backup above

    errors: list[Exception] = []
    running = threading.Thread(target=lambda: _catch(errors, lambda: backup(ws)))
    running.start()
    assert server.upload_started.wait(60)  # the backup is mid-upload, holding the lock
    with pytest.raises(Busy):
        restore(ws, point.commit)
    release.set()
    running.join(60)
    assert not errors
    assert (ws.data_dir / "big.bin").read_bytes()[:1] == b"y"


def test_a_backup_during_a_restore_is_busy(tmp_path, server: GitHttpServer) -> None:
    source = host(tmp_path, "source", server.repo_url())
    (source.data_dir / "big.bin").write_bytes(b"x" * 3_000_000)
    backup(source)
    ws = host(tmp_path, "h", server.repo_url())
    server.delay_lfs_download = 1.0
    server.download_started.clear()
    errors: list[Exception] = []
    running = threading.Thread(target=lambda: _catch(errors, lambda: restore(ws, "latest")))
    running.start()
    assert server.download_started.wait(30)
    with pytest.raises(Busy):
        backup(ws)
    running.join(60)
    assert not errors
    assert (ws.data_dir / "big.bin").read_bytes()[:1] == b"x"


def _catch(errors: list[Exception], action) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - collected for the assertion
        errors.append(exc)
