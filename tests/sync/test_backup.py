import hashlib
import os
import threading
from pathlib import Path

import git as gitpython
import pytest

from config import Settings
from sync import backup, history, startup_restore, status
from sync.content import chunker
from sync.content.manifest import parse_manifest
from sync.errors import FileTooLarge
from sync.layout.stored import FORMAT_MARK, read_data_files
from sync.repo.lfs import parse_pointer
from sync.workspace import Workspace
from tests.conftest import data_paths, git, message_ids, write_db


@pytest.fixture
def remote_repo(remote):
    return lambda _ws=None: gitpython.Repo(remote.git_dir)


def test_first_backup_stores_every_file_as_chunks_in_lfs_packs(
    ws: Workspace, remote_repo, remote
) -> None:
    write_db(ws.data_dir / "chatbot.db", range(500))
    (ws.data_dir / "docs").mkdir()
    (ws.data_dir / "docs" / "a note.txt").write_text("hello")

    result = backup(ws, message="first")

    assert result.status == "created"
    assert (result.files, result.changed_files) == (2, 2)
    assert result.bytes == (ws.data_dir / "chatbot.db").stat().st_size + 5
    commit = remote_repo(ws).commit("main")
    assert commit.hexsha == result.commit
    blobs = {b.path: b.data_stream.read() for b in commit.tree.traverse() if b.type == "blob"}
    packs = {p: parse_pointer(data) for p, data in blobs.items() if p.startswith("packs/")}
    assert data_paths(commit.tree) == ["data/chatbot.db", "data/docs/a note.txt"]
    pieces = {p: data for p, data in blobs.items() if p.startswith("manifests/")}
    assert set(blobs) == {
        ".gitattributes",
        FORMAT_MARK,
        *data_paths(commit.tree),
        *packs,
        *pieces,
    }
    assert len(pieces) == 2 and all(d.startswith(b"kura-piece 1\n") for d in pieces.values())
    assert b"data/** filter=lfs diff=lfs merge=lfs -text" in blobs[".gitattributes"]
    assert b"packs/** filter=lfs diff=lfs merge=lfs -text" in blobs[".gitattributes"]
    assert len(packs) == 1 and all(packs.values()), "one pack, named by an LFS pointer"
    (pack,) = packs.values()
    assert remote.lfs_object(pack.oid).stat().st_size == pack.size
    by_id = {path.rsplit("/", 1)[1]: data for path, data in pieces.items()}
    note = parse_manifest(blobs["data/docs/a note.txt"], by_id)
    assert note.size == 5 and note.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert set(note.pack_sizes) == {pack.oid}


def test_commit_carries_trailers(ws: Workspace, remote_repo, remote) -> None:
    (ws.data_dir / "a.txt").write_text("abc")
    result = backup(ws, message="with trailers")
    message = remote_repo(ws).commit(result.commit).message
    assert message.startswith("with trailers\n")
    assert "Kura-Kind: manual" in message
    assert "Kura-Files: 1" in message
    assert "Kura-Bytes: 3" in message
    assert "Kura-Host: " in message


def test_no_content_ever_reaches_git_only_manifests_and_pointers(
    ws: Workspace, remote_repo, remote
) -> None:
    (ws.data_dir / "big.bin").write_bytes(os.urandom(300_000))
    backup(ws)
    blobs = git("cat-file", "--batch-all-objects", "--batch-check", cwd=remote.git_dir)
    for line in blobs.splitlines():
        sha, kind, size = line.split()
        if kind == "blob":
            data = gitpython.Repo(remote.git_dir).git.cat_file("blob", sha).encode()
            assert int(size) < 1024 or data.startswith((b"kura-manifest 2\n", b"kura-piece 1\n")), (
                sha
            )


def test_unchanged_data_makes_no_commit(ws: Workspace, remote_repo, remote) -> None:
    write_db(ws.data_dir / "chatbot.db", range(10))
    first = backup(ws)
    again = backup(ws)
    assert again.status == "unchanged"
    assert again.commit == first.commit
    assert (again.files, again.bytes, again.changed_files) == (first.files, first.bytes, 0)
    assert len(list(remote_repo(ws).iter_commits("main"))) == 1


def test_a_touched_but_identical_file_is_still_unchanged(
    ws: Workspace, remote_repo, remote
) -> None:
    path = ws.data_dir / "a.txt"
    path.write_text("same")
    first = backup(ws)
    path.write_text("same")  # new mtime, same bytes
    assert backup(ws).status == "unchanged"
    assert remote_repo(ws).commit("main").hexsha == first.commit


def test_only_changed_files_count_and_reach_the_remote(ws: Workspace, remote_repo, remote) -> None:
    write_db(ws.data_dir / "chatbot.db", range(100))
    (ws.data_dir / "static.bin").write_bytes(b"s" * 5000)
    backup(ws)
    write_db(ws.data_dir / "chatbot.db", range(100, 200))
    result = backup(ws)
    assert result.status == "created"
    assert result.changed_files == 1
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(200))


def test_removed_file_disappears_from_the_next_backup(ws: Workspace, remote_repo, remote) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    (ws.data_dir / "b.txt").write_text("b")
    backup(ws)
    (ws.data_dir / "b.txt").unlink()
    result = backup(ws)
    assert (result.files, result.changed_files) == (1, 1)
    tree = remote_repo(ws).commit("main").tree
    assert data_paths(tree) == ["data/a.txt"]


def test_sqlite_side_files_are_never_stored(ws: Workspace, remote_repo, remote) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(10))
    import sqlite3

    holder = sqlite3.connect(db)  # keeps -wal and -shm alive
    holder.execute("INSERT INTO messages VALUES (999, 'in the wal')")
    holder.commit()
    (ws.data_dir / "old.db-journal").write_bytes(b"junk")
    try:
        assert (ws.data_dir / "chatbot.db-wal").exists()
        result = backup(ws)
    finally:
        holder.close()
    tree = remote_repo(ws).commit(result.commit).tree
    assert data_paths(tree) == ["data/chatbot.db"]


def test_backup_while_another_thread_writes_is_consistent(
    ws: Workspace, make_workspace, tmp_path: Path
) -> None:
    db = ws.data_dir / "chatbot.db"
    write_db(db, range(1))
    committed: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        import sqlite3

        connection = sqlite3.connect(db, timeout=30)
        i = 1
        while not stop.is_set():
            with connection:
                connection.execute("INSERT INTO messages VALUES (?, ?)", (i, "x" * 200))
            committed.append(i)
            i += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 200:
            pass
        before = list(committed)
        result = backup(ws)
    finally:
        stop.set()
        thread.join()

    other = make_workspace("restorer")
    from sync import restore

    restore(other, result.commit)
    restored = message_ids(other.data_dir / "chatbot.db")
    assert set([0, *before]) <= set(restored)
    assert restored == list(range(len(restored)))  # a prefix: no torn transaction


def test_file_over_the_limit_fails_and_pushes_nothing(make_workspace, remote) -> None:
    ws = make_workspace(max_file_size_mb=0.01)
    (ws.data_dir / "small.txt").write_text("ok")
    (ws.data_dir / "huge.bin").write_bytes(b"x" * 20_000)
    with pytest.raises(FileTooLarge) as error:
        backup(ws)
    assert error.value.code == "file_too_large"
    assert "huge.bin" in error.value.message
    assert git("branch", "--list", cwd=remote.git_dir) == ""


def test_other_files_in_the_repository_are_carried_over(
    ws: Workspace, tmp_path: Path, remote_repo, remote
) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(remote.git_dir), str(clone))
    (clone / "README.md").write_text("# our data\n")
    (clone / ".gitattributes").write_text("*.psd filter=lfs diff=lfs merge=lfs -text\n")
    git("add", "README.md", ".gitattributes", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "readme", cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)

    (ws.data_dir / "a.txt").write_text("changed")
    result = backup(ws)  # pushed on a stale tip: must re-commit on the new one

    tree = remote_repo(ws).commit(result.commit).tree
    assert (tree / "README.md").data_stream.read() == b"# our data\n"
    attributes = (tree / ".gitattributes").data_stream.read().decode()
    assert attributes.splitlines() == [
        "*.psd filter=lfs diff=lfs merge=lfs -text",
        "data/** filter=lfs diff=lfs merge=lfs -text",
        "packs/** filter=lfs diff=lfs merge=lfs -text",
    ]


def test_two_hosts_backing_up_the_same_remote_both_land(make_workspace, remote_repo) -> None:
    one, two = make_workspace("one"), make_workspace("two")
    (one.data_dir / "one.txt").write_text("1")
    backup(one)
    startup_restore(two)  # two starts empty and restores one's backup
    (one.data_dir / "one.txt").write_text("1, edited")
    first = backup(one)
    (two.data_dir / "two.txt").write_text("2")
    second = backup(two)  # two's cache knew an older tip: rejected, then re-committed on one's
    commits = [c.hexsha for c in remote_repo(one).iter_commits("main")]
    assert commits[:2] == [second.commit, first.commit]
    assert [b.commit for b in history(one)] == commits


def test_local_lfs_objects_are_pruned_after_a_backup(ws: Workspace, remote_repo, remote) -> None:
    path = ws.data_dir / "a.bin"
    for version in range(3):
        path.write_bytes(bytes([version]) * 4096)
        backup(ws)
    assert len(ws.store.oids()) == 2  # this version and the previous; the rest is remote only
    assert status(ws).dirty is False


def test_a_file_url_remote_works(tmp_path: Path, bare_remote: Path) -> None:
    from config import Settings
    from sync import restore

    ws = Workspace(
        Settings(data_dir=tmp_path / "d", home=tmp_path / "h", data_repo=bare_remote.as_uri())
    )
    ws.data_dir.mkdir()
    (ws.data_dir / "a.bin").write_bytes(b"file url" * 1000)
    point = backup(ws)
    other = Workspace(
        Settings(data_dir=tmp_path / "d2", home=tmp_path / "h2", data_repo=bare_remote.as_uri())
    )
    restore(other, point.commit)
    assert (other.data_dir / "a.bin").read_bytes() == b"file url" * 1000


def test_a_150_mib_file_backs_up_on_default_settings(ws: Workspace, remote) -> None:
    """The original guide's vector segment is 150 MiB: the default limit must let it pass."""
    assert Settings().max_file_size_bytes >= 150 * 2**20
    segment = ws.data_dir / "chroma_db" / "data_level0.bin"
    segment.parent.mkdir()
    with segment.open("wb") as handle:
        handle.truncate(150 * 2**20)  # sparse: mostly identical chunks, quick to store
        handle.seek(10 * 2**20)
        handle.write(os.urandom(2**20))
    result = backup(ws)
    assert result.status == "created" and result.bytes == 150 * 2**20
    assert result.uploaded < 2 * 2**20  # one random MiB, the zeros once


def test_a_database_keeps_the_blocks_its_last_backup_cut_it_into(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ws.data_dir / "chatbot.db"
    monkeypatch.setattr(chunker, "SQLITE_CHUNKER", "sqlite-pages-16k")  # an earlier Kura's
    write_db(db, range(3000))
    backup(ws)
    monkeypatch.undo()
    write_db(db, range(3000, 3005))
    write_db(ws.data_dir / "wiki.db", range(10))  # a new database

    result = backup(ws)

    files = read_data_files(ws.git, result.commit)
    assert files["chatbot.db"].manifest.chunker == "sqlite-pages-16k"
    assert files["wiki.db"].manifest.chunker == "sqlite-pages-4k"
    assert result.uploaded < db.stat().st_size / 4  # what changed, not the whole file again
