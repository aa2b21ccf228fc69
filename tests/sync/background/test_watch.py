"""The remote watch: newer backups from another instance, seen for one ls-remote, loaded
on a click or followed automatically."""

from __future__ import annotations

import socket

from sync import backup, history
from sync.actions.origins import file_origins
from sync.actions.startup import startup_restore
from sync.background.watch import RemoteWatch
from tests.servers.git_http import GitHttpServer
from tests.sync.conftest import host


def test_a_newer_backup_from_another_instance_is_seen_and_loaded(make_workspace) -> None:
    one, two = make_workspace("one"), make_workspace("two")
    (one.data_dir / "wiki.md").write_text("first")
    (one.data_dir / "notes.md").write_text("notes")
    backup(one)
    startup_restore(two)
    watch = RemoteWatch(workspace=two, every_seconds=60)
    assert watch.check_once().newer is None

    (one.data_dir / "wiki.md").write_text("edited on one")
    (one.data_dir / "added.md").write_text("new on one")
    pushed = backup(one, kind="auto")
    (two.data_dir / "notes.md").write_text("two's own edit")  # two's: not "newer"
    state = watch.check_once()
    assert state.remote_tip == pushed.commit and state.error is None
    assert state.newer is not None
    assert state.newer.files == ("added.md", "wiki.md")
    assert (state.newer.host, state.newer.kind) == (one.instance_name, "auto")
    assert state.newer.commit == pushed.commit
    assert (two.data_dir / "wiki.md").read_text() == "first", "seeing is not loading"

    origins = file_origins(two)
    assert origins["wiki.md"].commit == pushed.commit
    assert origins["notes.md"].commit != pushed.commit  # one's first backup wrote it
    assert origins["notes.md"].kind == "manual"


def test_follow_loads_newer_backups_without_new_commits(make_workspace) -> None:
    writer, reader = make_workspace("writer"), make_workspace("reader")
    (writer.data_dir / "wiki.md").write_text("v1")
    backup(writer)
    startup_restore(reader)
    watch = RemoteWatch(workspace=reader, every_seconds=60, follow=True)
    for version in ("v2", "v3"):
        (writer.data_dir / "wiki.md").write_text(version)
        pushed = backup(writer)
        state = watch.check_once()
        assert state.followed == pushed.commit and state.newer is None
        assert (reader.data_dir / "wiki.md").read_text() == version
    assert watch.check_once().newer is None
    assert [b.kind for b in history(writer)] == ["manual"] * 3  # the reader added none


def test_an_idle_check_is_one_ls_remote(tmp_path, server: GitHttpServer) -> None:
    one = host(tmp_path, "one", server.repo_url())
    (one.data_dir / "a.md").write_text("a")
    backup(one)
    watch = RemoteWatch(workspace=one, every_seconds=60)
    watch.check_once()
    server.requests.clear()
    for _ in range(3):
        assert watch.check_once().newer is None
    # Each check is what `git ls-remote` costs: the refs advertisement (after git's
    # usual unauthenticated first try) and one ls-refs request. No fetch, no LFS.
    kinds = [(method, path.rsplit("/", 1)[-1], code) for method, path, code in server.requests]
    assert (
        kinds
        == [
            ("GET", "refs", 401),
            ("GET", "refs", 200),
            ("POST", "git-upload-pack", 200),
        ]
        * 3
    )


def test_a_dead_remote_is_a_one_line_error_and_the_watch_goes_on(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/team/data.git"
    ws = host(tmp_path, "h", dead)
    state = RemoteWatch(workspace=ws, every_seconds=60).check_once()
    assert state.error and "could not be reached" in state.error and "\n" not in state.error
    assert state.checked_at is not None and state.newer is None
