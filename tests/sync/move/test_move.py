"""`sync move`: the newest backups in a fresh repository, the old one left as it was."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.redate import spread
from config import Settings
from sync import Workspace, backup, history, restore, status
from sync.actions.move import move
from sync.errors import BackupsMoved, NotConfigured, RestoreFirst
from sync.layout.stored import read_data_files
from sync.repo.lfs import Pointer
from tests.conftest import REMOTE_KINDS, TOKEN, Remote, files_of, git, message_ids, write_db
from tests.servers.git_http import GitHttpServer
from tests.sync.move.history import grow


def bare(path: Path) -> Path:
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    git("config", "uploadpack.allowFilter", "true", cwd=path)
    return path


def host(tmp_path: Path, name: str, remote: Path | Remote) -> Workspace:
    root = tmp_path / name
    (root / "data").mkdir(parents=True, exist_ok=True)
    url, token = (remote.url, remote.token) if isinstance(remote, Remote) else (str(remote), None)
    return Workspace(
        Settings(data_dir=root / "data", home=root / ".kura", data_repo=url, token=token)
    )


def lfs_files(remote: Path | Remote) -> dict[str, int]:
    root = remote.lfs_dir if isinstance(remote, Remote) else remote / "lfs" / "objects"
    return {p.name: p.stat().st_size for p in root.rglob("*") if p.is_file()}


@pytest.fixture(params=REMOTE_KINDS)
def two_remotes(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Remote, Remote]:
    """The old repository and an empty new one: local bare repositories, or both on the
    HTTP server with its LFS server."""
    if request.param == "local":
        made = [bare(tmp_path / f"{n}.git") for n in ("old", "new")]
        return tuple(Remote("local", str(p), p, p / "lfs" / "objects") for p in made)
    server: GitHttpServer = request.getfixturevalue("http_server")
    name = tmp_path.name[-30:]
    pair = []
    for n in ("old", "new"):
        git_dir = server.create_repo("team", f"{n}-{name}")
        url = server.repo_url("team", f"{n}-{name}")
        pair.append(Remote("http", url, git_dir, server.lfs_root / "team" / f"{n}-{name}", TOKEN))
    return tuple(pair)


def refs(remote: Path) -> str:
    return git("for-each-ref", "--format=%(refname) %(objectname)", cwd=remote)


def objects(remote: Path) -> set[str]:
    listed = git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)", cwd=remote)
    return set(listed.split())


def dense_size(ws: Workspace, commits: list[str]) -> int:
    """What the kept backups' chunks take stored once each, with one header per pack."""
    lengths: dict[str, int] = {}
    packs: set[str] = set()
    for commit in commits:
        for file in read_data_files(ws.git, commit).values():
            for chunk in file.manifest.chunks:
                lengths[chunk.id] = chunk.length
                packs.add(chunk.pack)
    return sum(lengths.values()) + len(packs) * len(b"KURAPACK 1\n")


def restored(tmp_path: Path, name: str, remote: Path, commit: str) -> dict[str, bytes]:
    fresh = host(tmp_path, name, remote)
    restore(fresh, commit)
    return files_of(fresh.data_dir)


def test_a_move_keeps_the_newest_days_densely_and_leaves_the_old_repository(
    tmp_path: Path, two_remotes: tuple[Remote, Remote]
) -> None:
    old, new = two_remotes
    grow(host(tmp_path, "writer", old), 200)
    originals = spread(old.git_dir, hours=2.4)  # ten backups a day over 20 days
    before_objects, before_lfs = objects(old.git_dir), lfs_files(old)
    mover = host(tmp_path, "mover", old)  # a fresh host: its cache starts shallow

    result = move(mover, new.url, keep_days=3)

    kept = originals[-31:]  # the newest and the 30 of the three days before it
    moved = history(host(tmp_path, "reader", new))[::-1]
    assert (result.status, result.moved, result.backups, result.marker) == ("moved", 31, 31, True)
    assert [b.message for b in moved] == [f"backup {n}" for n in range(169, 200)]
    said = {b.commit: b for b in history(host(tmp_path, "old-reader", old), limit=40)}
    for original, copy in zip(kept, moved, strict=True):
        assert (copy.date, copy.kind, copy.host, copy.files, copy.bytes) == (
            said[original].date,
            said[original].kind,
            said[original].host,
            said[original].files,
            said[original].bytes,
        )
    # Every kept backup restores on a fresh host exactly as from the old repository.
    for n in (0, 15, 30):
        assert restored(tmp_path, f"new-{n}", new, moved[n].commit) == restored(
            tmp_path, f"old-{n}", old, kept[n]
        )
    # Stored densely: the new repository's LFS storage is its chunks once, plus 5% at most.
    reader = host(tmp_path, "reader", new)
    stored = sum(lfs_files(new).values())
    assert stored == result.new_lfs_bytes
    assert stored <= 1.05 * dense_size(reader, [b.commit for b in moved])
    assert stored < result.old_lfs_bytes / 3
    # The old repository: every object and LFS object as it was, and one commit on top.
    assert objects(old.git_dir) >= before_objects and lfs_files(old) == before_lfs
    tip = git("rev-parse", "main", cwd=old.git_dir).strip()
    assert git("rev-parse", "main^", cwd=old.git_dir).strip() == originals[-1]
    marker = git("log", "-1", "--format=%B", tip, cwd=old.git_dir).strip()
    assert marker.endswith(f"Kura-Moved-To: {new.url}")
    assert git("diff", "--stat", f"{tip}^", tip, cwd=old.git_dir) == ""


def test_instances_on_the_old_repository_are_told_where_backups_went(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer, other = host(tmp_path, "writer", old), host(tmp_path, "other", old)
    grow(writer, 3)
    restore(other, "latest")
    move(writer, str(new))
    write_db(other.data_dir / "chatbot.db", range(1000, 1001))
    with pytest.raises(BackupsMoved, match=f"Backups moved to {new}: set GITHUB_DATA_REPO"):
        backup(other)
    with pytest.raises(BackupsMoved):
        backup(other, force=True)  # forced or not: that repository's quota is spent
    assert status(other).last_failure.code == "moved"


def test_hosts_go_on_in_the_new_repository_without_restoring(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer, other = host(tmp_path, "writer", old), host(tmp_path, "other", old)
    grow(writer, 3)
    restore(other, "latest")
    grow(writer, 2, start=3)
    move(writer, str(new), keep_days=1)
    # Pointed at the new repository: the writer is on its tip, the other host behind it.
    for name in ("writer", "other"):
        switched = host(tmp_path, name, new)
        assert status(switched).dirty is False
        (switched.data_dir / f"{name}.txt").write_text(f"written on {name} after the move")
        result = backup(switched, message=f"{name} after the move")
        assert result.status == "created"
        assert result.uploaded < 20_000  # the change, not the old packs again
    reader = host(tmp_path, "reader", new)
    restore(reader, "latest")
    assert message_ids(reader.data_dir / "chatbot.db") == list(range(100))
    assert (reader.data_dir / "other.txt").read_text() == "written on other after the move"
    assert (reader.data_dir / "writer.txt").read_text() == "written on writer after the move"


def test_a_repository_that_holds_other_backups_is_refused(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    grow(host(tmp_path, "writer", old), 2)
    grow(host(tmp_path, "stranger", new), 1)
    before = refs(old), refs(new)
    with pytest.raises(NotConfigured, match="already holds backups that were not moved"):
        move(host(tmp_path, "mover", old), str(new))
    assert (refs(old), refs(new)) == before
    with pytest.raises(NotConfigured, match="cannot move to the repository they are in"):
        move(host(tmp_path, "mover", old), str(old))


def test_a_second_move_to_the_same_repository_changes_nothing(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer = host(tmp_path, "writer", old)
    grow(writer, 3)
    first = move(writer, str(new), keep_days=1)
    before = refs(old), refs(new), lfs_files(new)
    again = move(writer, str(new), keep_days=1)
    assert (again.status, again.moved, again.commit) == ("unchanged", 0, first.commit)
    assert (refs(old), refs(new), lfs_files(new)) == before
    assert subprocess.run(["git", "fsck", "--no-progress"], cwd=new, check=False).returncode == 0


def test_a_host_whose_last_backup_did_not_move_restores_first(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer, behind = host(tmp_path, "writer", old), host(tmp_path, "behind", old)
    grow(writer, 2)
    restore(behind, "latest")
    grow(writer, 2, start=2)
    move(writer, str(new))  # the newest backup alone: the one `behind` holds did not move
    switched = host(tmp_path, "behind", new)
    (switched.data_dir / "late.txt").write_text("written late")
    with pytest.raises(RestoreFirst):
        backup(switched)
    restore(switched, "latest")
    assert message_ids(switched.data_dir / "chatbot.db") == list(range(80))


def test_names_with_spaces_quotes_and_japanese_move_as_they_are(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer = host(tmp_path, "writer", old)
    (writer.data_dir / "資料").mkdir()
    (writer.data_dir / "資料" / "メモ 1.txt").write_text("日本語のメモ")
    (writer.data_dir / 'a "quoted" name.txt').write_text("quoted")
    backup(writer)
    move(writer, str(new))
    assert restored(tmp_path, "new", new, "latest") == files_of(writer.data_dir)


def test_a_damaged_cached_pack_is_fetched_again_never_copied(tmp_path) -> None:
    old, new = bare(tmp_path / "old.git"), bare(tmp_path / "new.git")
    writer = host(tmp_path, "writer", old)
    grow(writer, 3)
    packs = sorted(writer.store.root.rglob("*"), key=lambda p: p.stat().st_size)
    damaged = [p for p in packs if p.is_file()][-1]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x5A  # the right size: only its hash tells
    damaged.unlink()  # a local remote may share the inode: damage this copy alone
    damaged.write_bytes(bytes(data))
    move(writer, str(new), keep_days=1)
    moved = history(host(tmp_path, "reader", new))
    originals = history(host(tmp_path, "old-reader", old))[1:]  # under the marker
    for n, (copy, original) in enumerate(zip(moved, originals, strict=True)):
        assert restored(tmp_path, f"new-{n}", new, copy.commit) == restored(
            tmp_path, f"old-{n}", old, original.commit
        )
    assert writer.store.is_intact(Pointer(damaged.name, len(data)))  # fetched again
