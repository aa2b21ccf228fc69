"""A data repository made the original guide's way restores as it is."""

import sqlite3
from pathlib import Path

import pytest

from sync import backup, diff, history, restore, verify
from sync.layout.stored import read_data_files
from tests.conftest import git, message_ids, write_db


@pytest.fixture
def guide_repository(tmp_path: Path, remote) -> dict[str, bytes]:
    """data/ at the root, LFS rules for the databases only, a README, pushed to the remote."""
    work = tmp_path / "guide-work"
    git("init", "--quiet", "--initial-branch=main", str(work))
    git("lfs", "install", "--local", cwd=work)
    git("lfs", "track", "data/chroma_db/**", "data/*.db", cwd=work)
    write_db(work / "data" / "chatbot.db", range(30), wal=False)
    chroma = work / "data" / "chroma_db"
    chroma.mkdir(parents=True)
    db = sqlite3.connect(chroma / "chroma.sqlite3")
    with db:
        db.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, v BLOB)")
        db.executemany("INSERT INTO embeddings VALUES (?, ?)", ((i, bytes(64)) for i in range(100)))
    db.close()
    (chroma / "0f3a").mkdir()
    (chroma / "0f3a" / "data_level0.bin").write_bytes(bytes(range(256)) * 400)
    (work / "data" / "settings.json").write_text('{"raw": "not in LFS"}')
    (work / "README.md").write_text("guide data\n")
    git("add", "-A", cwd=work)
    git("-c", "user.name=guide", "-c", "user.email=g@g", "commit", "-qm", "Sync data", cwd=work)
    git("remote", "add", "origin", remote.push_url, cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return {
        p.relative_to(work / "data").as_posix(): p.read_bytes()
        for p in (work / "data").rglob("*")
        if p.is_file()
    }


def test_guide_repository_restores_exactly(ws, guide_repository: dict[str, bytes]) -> None:
    result = restore(ws, "latest")
    assert result.status == "restored"
    restored = {
        p.relative_to(ws.data_dir).as_posix(): p.read_bytes()
        for p in ws.data_dir.rglob("*")
        if p.is_file()
    }
    assert restored == guide_repository
    assert message_ids(ws.data_dir / "chatbot.db") == list(range(30))
    [only] = history(ws, refresh=False)[-1:]
    assert only.kind == "external" and only.files == 4
    assert only.bytes == sum(len(v) for v in guide_repository.values())


def test_backup_on_top_of_a_guide_repository_keeps_its_files(ws, guide_repository, remote):
    restore(ws, "latest")
    write_db(ws.data_dir / "chatbot.db", range(30, 40))
    result = backup(ws, message="after migration")
    tree = git("ls-tree", "-r", "--name-only", result.commit, cwd=remote.git_dir).split()
    assert "README.md" in tree
    attributes = git("show", f"{result.commit}:.gitattributes", cwd=remote.git_dir)
    assert attributes.splitlines()[-2:] == [
        "data/** filter=lfs diff=lfs merge=lfs -text",
        "packs/** filter=lfs diff=lfs merge=lfs -text",
    ]
    assert "data/chroma_db/** filter=lfs diff=lfs merge=lfs -text" in attributes


def test_whole_file_backups_verify_diff_and_list(ws, guide_repository, make_workspace) -> None:
    """Backups in the whole-file format (the guide's, older Kura's) keep working."""
    [point] = history(ws)
    assert point.files == 4
    cheap = verify(ws, point.commit)
    assert cheap.mode == "presence" and cheap.objects == 3  # settings.json is a raw blob
    deep = verify(ws, point.commit, deep=True)
    assert deep.sqlite_checked == 2
    (ws.data_dir / "settings.json").write_text('{"raw": "not in LFS"}')
    plan = diff(ws, point.commit)
    assert [c.path for c in plan.added] == [
        "chatbot.db",
        "chroma_db/0f3a/data_level0.bin",
        "chroma_db/chroma.sqlite3",
    ]
    assert not plan.changed and not plan.removed  # same bytes as the raw blob


def test_a_chunked_backup_on_top_of_a_whole_file_tip(ws, guide_repository, make_workspace):
    restore(ws, "latest")
    write_db(ws.data_dir / "chatbot.db", range(30, 40))
    result = backup(ws, message="after migration")
    files = read_data_files(ws.git, result.commit)
    assert files["chatbot.db"].manifest is not None  # changed: now chunks
    assert files["chroma_db/chroma.sqlite3"].pointer is not None  # unchanged: kept whole
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(40))
    assert (fresh.data_dir / "chroma_db" / "0f3a" / "data_level0.bin").read_bytes() == (
        guide_repository["chroma_db/0f3a/data_level0.bin"]
    )
    assert verify(fresh, deep=True).sqlite_checked == 2
