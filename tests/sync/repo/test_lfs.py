"""The LFS store: objects from a remote on this machine are copied hashed and whole."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sync import Workspace, backup, restore
from sync.errors import PushRejected, VerificationFailed
from sync.repo.git import Git
from sync.repo.lfs import LfsStore, local_store
from tests.conftest import message_ids, write_db
from tests.sync.conftest import host


def put(store: LfsStore, oid: str, content: bytes) -> None:
    store.path(oid).parent.mkdir(parents=True, exist_ok=True)
    store.path(oid).write_bytes(content)


def oid_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_objects_are_copied_only_when_they_hash_to_their_id(tmp_path: Path) -> None:
    source, cache = LfsStore(tmp_path / "remote.git"), LfsStore(tmp_path / "cache.git")
    good, bad, absent = os.urandom(3_000_000), os.urandom(1000), b"never stored"
    put(source, oid_of(good), good)
    put(source, oid_of(bad), bad[:-1] + bytes([bad[-1] ^ 1]))  # a flipped bit, same size
    wanted = {oid_of(c): len(c) for c in (good, bad, absent)}
    cache.copy_from(source, wanted)
    assert cache.path(oid_of(good)).read_bytes() == good
    assert not cache.path(oid_of(bad)).exists() and not cache.path(oid_of(absent)).exists()
    assert list(cache.tmp.iterdir()) == []  # nothing half-copied left behind


def test_a_local_remotes_store_is_found_by_path_or_file_url(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    assert local_store(str(tmp_path / "remote.git")).root == tmp_path / "remote.git/lfs/objects"
    assert local_store(f"file://{work}").root == work / ".git/lfs/objects"
    assert local_store("https://github.com/team/data.git") is None


@pytest.fixture
def local_host(tmp_path: Path, bare_remote: Path) -> Callable[[str], Workspace]:
    return lambda name: host(tmp_path, name, str(bare_remote), token=None)


def test_a_fresh_host_restores_from_a_local_remote_and_refuses_a_damaged_object(
    local_host, bare_remote: Path
) -> None:
    first = local_host("first")
    write_db(first.data_dir / "chatbot.db", range(5000))
    backup(first)
    fresh = local_host("fresh")
    assert restore(fresh, "latest").status == "restored"
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(5000))
    remote = LfsStore(bare_remote)
    (pack,) = remote.oids()
    data = bytearray(remote.path(pack).read_bytes())
    data[len(data) // 2] ^= 1
    remote.path(pack).write_bytes(bytes(data))
    other = local_host("other")
    (other.data_dir / "notes.txt").write_text("mine")
    with pytest.raises(VerificationFailed, match="remote lacks"):
        restore(other, "latest")
    assert (other.data_dir / "notes.txt").read_text() == "mine"
    assert not other.store.path(pack).exists()


def test_a_backup_copies_its_packs_into_a_local_remote_readable_by_others(
    local_host, bare_remote: Path
) -> None:
    ws = local_host("host")
    write_db(ws.data_dir / "chatbot.db", range(3000))
    backup(ws)
    remote = LfsStore(bare_remote)
    assert remote.oids() and remote.oids() == ws.store.oids()
    for oid in remote.oids():
        assert remote.path(oid).stat().st_mode & 0o777 == 0o644
        assert oid_of(remote.path(oid).read_bytes()) == oid


def test_a_local_remote_that_takes_no_pack_refuses_the_backup_and_keeps_its_branch(
    local_host, bare_remote: Path
) -> None:
    ws = local_host("host")
    write_db(ws.data_dir / "chatbot.db", range(1000))
    first = backup(ws).commit
    (bare_remote / "lfs" / "tmp").rmdir()
    (bare_remote / "lfs" / "tmp").write_text("not a directory")  # nothing can be copied in
    write_db(ws.data_dir / "chatbot.db", range(1000, 1100))
    with pytest.raises(PushRejected, match="could not be copied"):
        backup(ws)
    assert Git(bare_remote).rev_parse("main") == first
