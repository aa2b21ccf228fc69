"""A data repository made the original guide's way restores as it is."""

import sqlite3
from pathlib import Path

import pytest

from sync import backup, history, restore
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
    assert attributes.splitlines()[-1] == "data/** filter=lfs diff=lfs merge=lfs -text"
    assert "data/chroma_db/** filter=lfs diff=lfs merge=lfs -text" in attributes
