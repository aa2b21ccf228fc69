"""A fresh host reads what its restore point needs, not the whole history: the newest
backup alone (`--depth=1`), older backups' commits and trees when someone browses or
restores them, their manifests when read."""

from __future__ import annotations

import subprocess

from sync import Workspace, backup, diff, history, restore, status
from tests.conftest import message_ids, write_db


def grow(ws: Workspace, count: int, start: int = 0) -> list[str]:
    commits = []
    for n in range(start, start + count):
        write_db(ws.data_dir / "chatbot.db", range(n * 20, n * 20 + 20))
        commits.append(backup(ws, message=f"backup {n}").commit)
    return commits


def holds(ws: Workspace, sha: str) -> bool:
    """Whether the cache holds an object (before any partial fetch: nothing is lazy)."""
    done = subprocess.run(
        ["git", "cat-file", "-e", sha], cwd=ws.cache_dir, capture_output=True, check=False
    )
    return done.returncode == 0


def manifest_blobs(ws: Workspace, commit: str) -> list[str]:
    entries = ws.git.ls_tree(commit, "data")
    return [e.sha for e in entries if e.path.endswith("chatbot.db")]


def test_a_fresh_host_fetches_only_the_newest_backup(make_workspace) -> None:
    writer = make_workspace("writer")
    commits = grow(writer, 6)
    old_manifests = [b for c in commits[:-1] for b in manifest_blobs(writer, c)]
    fresh = make_workspace("fresh")
    assert restore(fresh, "latest").status == "restored"
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(120))
    assert fresh.git.is_shallow() and fresh.git.count_first_parents(fresh.tip()) == 1
    assert not any(holds(fresh, c) for c in commits[:-1])
    assert not any(holds(fresh, b) for b in old_manifests)
    assert status(fresh).dirty is False


def test_older_backups_come_when_browsed_or_restored(make_workspace) -> None:
    writer = make_workspace("writer")
    commits = grow(writer, 6)
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    page = history(fresh, limit=3, refresh=False)
    assert [b.commit for b in page] == commits[::-1][:3]
    assert [b.message for b in page] == ["backup 5", "backup 4", "backup 3"]
    # Only as deep as the page needed (and one more, to tell it has an older page).
    assert fresh.git.count_first_parents(fresh.tip()) == 4
    plan = diff(fresh, commits[0][:8])  # a prefix older than the cache: history comes
    assert [c.path for c in plan.changed] == ["chatbot.db"]
    assert restore(fresh, commits[0][:10]).status == "restored"
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(20))
    assert [b.commit for b in history(fresh)][-6:] == commits[::-1]


def test_a_fresh_host_backs_up_and_the_writer_follows(make_workspace) -> None:
    writer = make_workspace("writer")
    grow(writer, 3)
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    (fresh.data_dir / "from-fresh.txt").write_text("written on the fresh host")
    mine = backup(fresh, message="from the fresh host")
    assert mine.status == "created" and fresh.git.is_shallow()
    (writer.data_dir / "from-writer.txt").write_text("written on the writer")
    theirs = backup(writer)  # on top of the fresh host's backup, keeping its file
    assert theirs.status == "created" and writer.git.is_ancestor(mine.commit, theirs.commit)
    restore(fresh, "latest")
    assert {"from-fresh.txt", "from-writer.txt"} <= {p.name for p in fresh.data_dir.iterdir()}


def test_after_browsing_old_history_new_backups_come_whole(make_workspace) -> None:
    """Browsing made the cache partial (blob:none): later backups of another instance are
    still fetched with their manifests, so a merge and a restore of them work."""
    writer = make_workspace("writer")
    grow(writer, 4)
    fresh = make_workspace("fresh")
    restore(fresh, "latest")
    history(fresh, search="backup", refresh=False)  # the whole history, without blobs
    assert fresh.git.is_partial()
    newer = grow(writer, 2, start=4)[-1]
    assert restore(fresh, "latest").commit == newer
    assert message_ids(fresh.data_dir / "chatbot.db") == list(range(120))
    assert fresh.git.missing_of([newer]) == []
