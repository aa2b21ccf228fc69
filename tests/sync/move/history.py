"""A backup history spread over days, for the move's tests.

Kura stamps its commits with the clock, so a history "over days" is made of real
backups whose dates are then moved back, as time would have: the remote's branch is
exported and imported again with each commit `hours` apart (trees, blobs and LFS
objects are untouched).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from sync import Workspace, backup
from tests.conftest import write_db

_WHO = re.compile(rb"^(author|committer) (.*) (\d+) ([+-]\d{4})$", re.M)


def grow(ws: Workspace, count: int, *, start: int = 0) -> list[str]:
    """`count` backups: chat rows each time, and a document every tenth."""
    commits = []
    for n in range(start, start + count):
        write_db(ws.data_dir / "chatbot.db", range(n * 20, n * 20 + 20))
        if n % 10 == 0:
            (ws.data_dir / "docs").mkdir(exist_ok=True)
            (ws.data_dir / "docs" / f"page {n}.md").write_text(f"# Page {n}\n" + "text " * 900)
        commits.append(backup(ws, message=f"backup {n}").commit)
    return commits


def spread(remote: Path, *, hours: float) -> list[str]:
    """Date the branch's commits `hours` apart, the newest now; the new ids, oldest first."""
    exported = subprocess.run(
        ["git", "fast-export", "--no-data", "refs/heads/main"],
        cwd=remote,
        capture_output=True,
        check=True,
    ).stdout
    marks = exported.count(b"commit refs/heads/main\n")
    now = int(time.time())
    stamps = iter(now - int((marks - 1 - n) * hours * 3600) for n in range(marks) for _ in (0, 1))

    def redate(match: re.Match[bytes]) -> bytes:
        return b"%s %s %d +0000" % (match[1], match[2], next(stamps))

    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"],
        input=_WHO.sub(redate, exported),
        cwd=remote,
        check=True,
    )
    out = subprocess.run(
        ["git", "rev-list", "--reverse", "--first-parent", "main"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()
