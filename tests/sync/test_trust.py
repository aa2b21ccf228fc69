"""What Kura says it saved can be restored, and what a person restored stays restored:
one regression test for each path that once broke that promise, with two or three
hosts on one real remote."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from sync import Workspace, backup, history, restore, status
from sync.actions.diff import diff
from sync.actions.files import dump_file, list_files
from sync.actions.undo import undo
from sync.actions.verify import verify
from sync.content.compact import TIER_LIMIT
from sync.errors import NothingToUndo, RemoteUnreachable, RestoreFirst, SyncError
from sync.layout.stored import read_data_files
from sync.oplog import read_operations
from sync.repo.maintenance import maintain
from tests.conftest import Remote, files_of, git, message_ids, write_db
from tests.sync.test_compaction import grow

Hosts = Callable[..., Workspace]


def fresh_restore(make_workspace: Hosts, name: str) -> dict[str, bytes]:
    """What a brand-new host gets from `restore latest`."""
    fresh = make_workspace(name)
    restore(fresh, "latest")
    return files_of(fresh.data_dir)


def refuse_pushes(remote: Remote) -> Path:
    """A pre-receive hook that declines every push (a protected branch, a server hook)."""
    hook = remote.git_dir / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook


# 1. A restore whose recording push is refused is reported, and recorded later ---------------


def old_then_new(ws: Workspace) -> tuple[str, str]:
    """Two backups of notes.txt: "old", then "new"."""
    (ws.data_dir / "notes.txt").write_text("old")
    first = backup(ws).commit
    (ws.data_dir / "notes.txt").write_text("new")
    return first, backup(ws).commit


def test_a_restore_that_could_not_be_recorded_is_reported_and_recorded_by_the_next_backup(
    make_workspace: Hosts, remote: Remote
) -> None:
    ws = make_workspace("a")
    first, _ = old_then_new(ws)
    hook = refuse_pushes(remote)
    result = restore(ws, first)
    assert result.status == "unrecorded"
    assert (ws.data_dir / "notes.txt").read_text() == "old"
    failure = status(ws).last_failure
    assert failure is not None and failure.code == "push_rejected"
    assert "not recorded" in failure.message

    hook.unlink()
    other = make_workspace("b")  # another host, which holds the pre-restore data
    restore(other, "latest")
    assert (other.data_dir / "notes.txt").read_text() == "new"

    recorded = backup(ws)  # nothing changed here since, and still it records the restore
    assert recorded.status == "created"
    newest = history(ws, limit=1)[0]
    assert newest.kind == "restore" and newest.restored == first
    assert status(ws).last_failure is None
    assert fresh_restore(make_workspace, "fresh") == {"notes.txt": b"old"}
    assert backup(other).status == "unchanged"  # the other host does not bring "new" back
    assert fresh_restore(make_workspace, "fresh2") == {"notes.txt": b"old"}


def test_an_unrecorded_restore_is_recorded_after_a_restart_and_undone(
    make_workspace: Hosts, remote: Remote
) -> None:
    ws = make_workspace("a")
    first, second = old_then_new(ws)
    hook = refuse_pushes(remote)
    assert restore(ws, first).status == "unrecorded"
    hook.unlink()

    again = make_workspace("a")  # the same KURA_HOME in a new process: nothing in memory
    assert again.restore_unrecorded is not None
    assert backup(again).status == "created"
    assert again.restore_unrecorded is None
    assert undo(again).status == "restored"  # the recorded restore is undoable
    assert (again.data_dir / "notes.txt").read_text() == "new"
    assert history(again, limit=1)[0].restored == second


# 2. An idle host far behind backs up without --force -----------------------------------------


def test_an_idle_host_whose_last_backup_left_its_trimmed_cache_still_backs_up(
    make_workspace: Hosts,
) -> None:
    idle = make_workspace("idle")
    (idle.data_dir / "idle.txt").write_text("mine")
    backup(idle)
    busy = make_workspace("busy")
    restore(busy, "latest")
    for n in range(14):
        (busy.data_dir / "busy.txt").write_text(f"busy {n}")
        backup(busy)
        idle.fetch()  # the idle host's remote watch
        maintain(idle, history_kept=3)  # ... and its maintenance trims the cache

    (idle.data_dir / "idle.txt").write_text("mine, changed")
    assert backup(idle).status == "created"  # no restore_first, no --force
    assert fresh_restore(make_workspace, "fresh") == {
        "idle.txt": b"mine, changed",
        "busy.txt": b"busy 13",
    }


def test_a_host_whose_history_really_diverged_is_still_refused(
    make_workspace: Hosts, remote: Remote
) -> None:
    ws = make_workspace("a")
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    other = make_workspace("b")
    (other.data_dir / "b.txt").write_text("b")
    git("update-ref", "-d", "refs/heads/main", cwd=remote.git_dir)  # the branch replaced
    backup(other)
    (ws.data_dir / "a.txt").write_text("a2")
    with pytest.raises(RestoreFirst, match="restore the latest backup first"):
        backup(ws)


# 3. One bad byte in the cache never spreads --------------------------------------------------


def test_a_damaged_cached_pack_is_never_compacted_into_a_new_pack(
    make_workspace: Hosts,
) -> None:
    ws = make_workspace("writer")
    db = ws.data_dir / "chatbot.db"
    grow(db, 0, rows=200)
    backup(ws, kind="auto")
    for n in range(TIER_LIMIT - 2):  # small packs, one short of a compaction
        grow(db, 10_000 + 20 * n)
        backup(ws, kind="auto")
    files = read_data_files(ws.git, ws.tip())
    victim = sorted(files["chatbot.db"].manifest.pack_sizes)[0]
    path = ws.store.path(victim)
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # same size: a size check alone never sees it
    path.unlink()  # a new file: a local remote's git-lfs may share the cache's inode
    path.write_bytes(bytes(damaged))

    for n in range(4):
        grow(db, 20_000 + 20 * n)
        backup(ws, kind="auto")
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    assert message_ids(fresh.data_dir / "chatbot.db") == message_ids(db)
    assert verify(ws, "latest", deep=True).mode == "deep"


# 4. "Changed here" means changed content -----------------------------------------------------


@pytest.mark.parametrize("how", ["touch", "copy"])
def test_a_touched_or_copied_file_never_overwrites_another_hosts_change(
    make_workspace: Hosts, how: str
) -> None:
    a = make_workspace("a")
    (a.data_dir / "shared.txt").write_text("v1")
    (a.data_dir / "own.txt").write_text("a1")
    backup(a)
    b = make_workspace("b")
    restore(b, "latest")
    (b.data_dir / "shared.txt").write_text("v2 from b")
    backup(b)

    if how == "touch":
        os.utime(a.data_dir / "shared.txt", ns=(1, 1))
    else:  # the data directory copied aside and back: new inodes and times
        copy = a.data_dir.with_name("copy")
        shutil.copytree(a.data_dir, copy)
        shutil.rmtree(a.data_dir)
        copy.rename(a.data_dir)
    (a.data_dir / "own.txt").write_text("a2")
    backup(a)
    assert fresh_restore(make_workspace, "fresh") == {"shared.txt": b"v2 from b", "own.txt": b"a2"}


# 5. Success means restorable ------------------------------------------------------------------


def empty_remote(remote: Remote) -> None:
    """The repository deleted and created again under the same address, LFS objects gone."""
    shutil.rmtree(remote.git_dir)
    shutil.rmtree(remote.lfs_dir, ignore_errors=True)
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote.git_dir))
    git("config", "uploadpack.allowFilter", "true", cwd=remote.git_dir)
    git("config", "http.receivepack", "true", cwd=remote.git_dir)
    remote.lfs_dir.mkdir(parents=True, exist_ok=True)


def test_a_backup_onto_a_recreated_remote_uploads_everything_it_names(
    make_workspace: Hosts, remote: Remote
) -> None:
    ws = make_workspace("a")
    write_db(ws.data_dir / "chatbot.db", range(500))
    (ws.data_dir / "notes.txt").write_text("notes")
    backup(ws)
    empty_remote(remote)

    (ws.data_dir / "notes.txt").write_text("notes, changed")
    result = backup(ws)
    assert result.status == "created"
    assert verify(ws, "latest").objects > 0
    restored = fresh_restore(make_workspace, "fresh")
    assert restored["notes.txt"] == b"notes, changed"
    assert message_ids(make_workspace("fresh").data_dir / "chatbot.db") == list(range(500))


def test_a_backup_whose_objects_vanished_from_the_remote_puts_them_back(
    make_workspace: Hosts, remote: Remote
) -> None:
    ws = make_workspace("a")
    (ws.data_dir / "a.txt").write_text("a" * 5000)
    (ws.data_dir / "b.txt").write_text("b" * 5000)
    backup(ws)
    shutil.rmtree(remote.lfs_dir)  # the LFS objects gone, the commits kept
    remote.lfs_dir.mkdir(parents=True)
    # Confirmations hold for a day: past that (or lost with a damaged KURA_HOME) the
    # remote is asked again.
    ws.confirmed_file.unlink()
    (ws.data_dir / "b.txt").write_text("b, changed")
    backup(ws)
    assert fresh_restore(make_workspace, "fresh") == {"a.txt": b"a" * 5000, "b.txt": b"b, changed"}


def test_a_default_remote_that_vanished_is_never_silently_replaced(tmp_path: Path) -> None:
    from config import Settings

    root = tmp_path / "laptop"
    (root / "data").mkdir(parents=True)
    ws = Workspace(Settings(data_dir=root / "data", home=root / ".kura"))
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)  # a brand-new install makes its local remote
    default = root / ".kura" / "remote.git"
    assert (default / "HEAD").is_file()
    default.rename(tmp_path / "moved.git")

    (ws.data_dir / "a.txt").write_text("a2")
    with pytest.raises(RemoteUnreachable, match=r"remote\.git") as error:
        backup(ws)
    assert "--force" in error.value.message
    assert not default.exists()
    (tmp_path / "moved.git").rename(default)
    assert backup(ws).status == "created"  # put back: backups go on as before


def test_a_forced_backup_starts_a_new_default_remote(tmp_path: Path) -> None:
    from config import Settings

    root = tmp_path / "laptop"
    (root / "data").mkdir(parents=True)
    ws = Workspace(Settings(data_dir=root / "data", home=root / ".kura"))
    (ws.data_dir / "a.txt").write_text("a" * 3000)
    backup(ws)
    shutil.rmtree(root / ".kura" / "remote.git")
    assert backup(ws, force=True).status == "created"
    remote = str(root / ".kura" / "remote.git")
    fresh = Workspace(Settings(data_dir=root / "fresh", home=root / ".kura2", data_repo=remote))
    restore(fresh, "latest")
    assert files_of(fresh.data_dir) == {"a.txt": b"a" * 3000}


# 6. The operations log is safe for two processes: tests/sync/test_oplog.py -----------------

# 7. Every operation takes the lock it needs --------------------------------------------------


def test_undo_refuses_when_a_backup_landed_after_the_restore(make_workspace: Hosts) -> None:
    a = make_workspace("a")
    first, _ = old_then_new(a)
    restore(a, first)
    b = make_workspace("b")
    restore(b, "latest")
    (b.data_dir / "theirs.txt").write_text("b's file")
    backup(b)  # lands after the restore; a's cache has not seen it

    with pytest.raises(NothingToUndo):
        undo(a)
    assert files_of(a.data_dir) == {"notes.txt": b"old"}
    assert "theirs.txt" in {f.path for f in list_files(b, "latest")[1]}


def test_reads_of_older_backups_never_race_maintenance(make_workspace: Hosts) -> None:
    ws = make_workspace("a")
    commits = []
    for n in range(12):
        (ws.data_dir / "notes.txt").write_text(f"note {n}")
        commits.append(backup(ws).commit)
    reader = make_workspace("reader")
    restore(reader, "latest")
    errors: list[BaseException] = []
    stop = threading.Event()

    def trim() -> None:
        try:
            while not stop.is_set():
                maintain(reader, history_kept=2)
                reader.fetch()
        except SyncError as exc:
            if exc.code != "busy":
                errors.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=trim)
    thread.start()
    try:
        for n in range(6):
            old = commits[n]
            assert [f.path for f in list_files(reader, old)[1]] == ["notes.txt"]
            with open(os.devnull, "wb") as sink:
                assert dump_file(reader, old, "notes.txt", sink) == len(f"note {n}")
            assert [c.path for c in diff(reader, old).changed] == ["notes.txt"]
    finally:
        stop.set()
        thread.join()
    assert errors == []


def test_every_operation_is_in_the_log(make_workspace: Hosts) -> None:
    ws = make_workspace("a")
    (ws.data_dir / "a.txt").write_text("a")
    first = backup(ws).commit
    (ws.data_dir / "a.txt").write_text("b")
    backup(ws)
    restore(ws, first)
    undo(ws)
    kinds = [(e.operation, e.kind) for e in read_operations(ws.home)]
    assert kinds == [
        ("backup", "manual"),
        ("backup", "manual"),
        ("restore", "manual"),
        ("restore", "undo"),
    ]


# Found by tests/sync/test_stateful.py ----------------------------------------------------------


def test_a_restore_after_the_remote_was_emptied_records_on_the_empty_remote(
    make_workspace: Hosts, remote: Remote
) -> None:
    """The restore resolved its target from the cache alone and recorded it on the
    cache's stale tip: the whole old history went to the emptied remote (or a shallow
    cache's push was refused)."""
    ws = make_workspace("a")
    _, previous = old_then_new(ws)
    (ws.data_dir / "notes.txt").write_text("newest")
    backup(ws)
    empty_remote(remote)

    assert restore(ws, previous).status == "restored"  # its packs are still cached
    assert git("rev-list", "--count", "main", cwd=remote.git_dir).strip() == "1"
    assert fresh_restore(make_workspace, "fresh") == {"notes.txt": b"new"}


def test_a_file_that_only_starts_like_a_database_backs_up_and_restores(
    make_workspace: Hosts,
) -> None:
    """A page, an upload, anything that begins with SQLite's 16-byte header but is no
    database: every backup failed with a raw sqlite3 error, and a backup holding it
    could not be restored ("a damaged SQLite database")."""
    ws = make_workspace("a")
    looks = ws.data_dir / "notes.txt"
    looks.write_bytes(b"SQLite format 3\x00 but not a database")
    assert backup(ws).status == "created"  # a first backup
    looks.write_bytes(b"SQLite format 3\x00 and changed")
    assert backup(ws).status == "created"  # on top of a backup that holds it
    assert fresh_restore(make_workspace, "fresh") == {
        "notes.txt": b"SQLite format 3\x00 and changed"
    }
