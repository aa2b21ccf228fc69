import os
from datetime import datetime, timedelta
from pathlib import Path

from sync import backup, history
from tests.conftest import git


def test_newest_first_with_kind_files_and_real_size(ws) -> None:
    (ws.data_dir / "a.bin").write_bytes(b"a" * 3000)
    first = backup(ws, message="one")
    (ws.data_dir / "b.bin").write_bytes(b"b" * 5000)
    second = backup(ws, message="two")

    backups = history(ws)

    assert [b.commit for b in backups] == [second.commit, first.commit]
    assert [(b.message, b.kind, b.files, b.bytes) for b in backups] == [
        ("two", "manual", 2, 8000),
        ("one", "manual", 1, 3000),
    ]
    assert all(isinstance(b.date, datetime) and b.date.utcoffset() is not None for b in backups)


def test_limit_keeps_the_newest(ws) -> None:
    for i in range(4):
        (ws.data_dir / "n.txt").write_text(str(i) * (i + 1))
        backup(ws, message=f"b{i}")
    backups = history(ws, limit=2)
    assert [b.message for b in backups] == ["b3", "b2"]
    assert [b.bytes for b in backups] == [4, 3]


def test_pages_days_and_searches_read_only_what_they_show(ws, tmp_path: Path, remote) -> None:
    """A page after the newest N, the backups made by a time, the notes that hold a word:
    sizes right for Kura's commits and another tool's alike (their own trees)."""
    for i in range(6):
        (ws.data_dir / "n.txt").write_text(str(i) * (i + 1))
        backup(ws, message=f"note {i}" + (" Rotate the token" if i % 2 else ""))
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(remote.git_dir), str(clone))
    (clone / "data" / "by-hand.txt").write_text("typed by hand, rotate the token")
    git("add", "-A", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "token by hand", cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)
    everything = history(ws)
    page = history(ws, limit=2, skip=2, refresh=False)
    assert page == everything[2:4] and [b.bytes for b in page] == [5, 4]
    oldest = everything[-1]
    made_by = history(ws, before=oldest.date, refresh=False)  # commit times are seconds
    assert oldest in made_by and all(b.date <= oldest.date for b in made_by)
    assert history(ws, before=oldest.date - timedelta(days=1), refresh=False) == []
    found = history(ws, search="ROTATE THE TOKEN", refresh=False)
    assert [b.message for b in found] == [
        "note 5 Rotate the token",
        "note 3 Rotate the token",
        "note 1 Rotate the token",
    ]
    # Not consecutive: each read alone, another tool's commit from its own tree.
    tokens = history(ws, search="token", refresh=False)
    assert tokens == [everything[i] for i in (0, 1, 3, 5)]
    assert (tokens[0].kind, tokens[0].files) == ("external", 2)
    assert history(ws, search="nowhere", refresh=False) == []


def test_commits_kura_did_not_make_are_external(ws, tmp_path: Path, remote) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(remote.git_dir), str(clone))
    (clone / "notes.md").write_text("by hand")
    git("add", "notes.md", cwd=clone)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "by hand", cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)

    backups = history(ws)  # refreshes from the remote

    assert [(b.message, b.kind, b.host) for b in backups] == [
        ("by hand", "external", ""),  # nobody said which machine
        ("Manual backup", "manual", ws.instance_name),
    ]
    assert backups[0].files == 1 and backups[0].bytes == 1


def test_history_of_an_empty_remote_is_empty(ws) -> None:
    assert history(ws) == []


def test_storage_usage_is_what_the_remote_stores(ws, remote) -> None:
    from sync.actions.storage import storage_usage

    (ws.data_dir / "a.bin").write_bytes(os.urandom(100_000))
    backup(ws)
    (ws.data_dir / "b.bin").write_bytes(os.urandom(50_000))
    backup(ws)
    (ws.data_dir / "a.bin").write_bytes(os.urandom(20_000))
    last = backup(ws)
    usage = storage_usage(ws)
    stored = [p.stat().st_size for p in remote.lfs_dir.rglob("*") if p.is_file()]
    assert (usage.lfs_bytes, usage.lfs_objects, usage.backups) == (sum(stored), 3, 3)
    assert usage.last_growth == last.uploaded and 20_000 < last.uploaded < 21_000
    assert usage.median_growth == sorted(stored)[1]
    assert usage.quota_share(1) == sum(stored) / 1024**3
    assert usage.days_until_full is None or usage.days_until_full > 0
