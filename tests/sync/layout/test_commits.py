"""One reading of backup commits: Kura's with their trailers, anyone else's as external."""

from __future__ import annotations

from pathlib import Path

from sync import Workspace, backup, restore
from sync.layout.commits import read_commits
from tests.conftest import fast_import_history
from tests.sync.conftest import host


def test_kuras_commits_say_what_they_are_and_others_are_external(ws: Workspace) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    first = backup(ws).commit
    (ws.data_dir / "a.txt").write_text("b")
    second = backup(ws, message="second").commit
    restored = restore(ws, first)
    assert restored.status == "restored"
    newest, middle, oldest = read_commits(ws.git, ws.tip())
    assert (newest.kind, newest.restored, newest.replaced) == ("restore", first, second)
    assert (middle.sha, middle.kind, middle.subject, middle.totals) == (
        second,
        "manual",
        "second",
        (1, 1),
    )
    assert middle.parents == (oldest.sha,) and middle.storage is not None
    assert oldest.parents == () and oldest.restored is None
    assert "data/a.txt" in [c.path for c in middle.changes]


def test_a_commit_kura_did_not_make_is_external_with_no_totals(
    bare_remote: Path, tmp_path: Path
) -> None:
    ws = host(tmp_path, "h", str(bare_remote), token=None)  # another tool writes into it
    fast_import_history(ws, 2)
    newest = read_commits(ws.git, ws.tip(), limit=1)[0]
    assert (newest.kind, newest.totals, newest.storage, newest.host) == ("external", None, None, "")
    assert newest.subject == "note 1"
