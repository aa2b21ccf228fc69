"""A backup history dated as time would have made it, for the move's tests and benchmark.

Kura stamps its commits with the clock, so a history "over days" is made of real
backups whose dates are then moved back: the branch is exported and imported again
with each commit `hours` apart, the newest now (trees, blobs and LFS objects untouched).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

_WHO = re.compile(rb"^(author|committer) (.*) (\d+) ([+-]\d{4})$", re.M)


def spread(remote: Path, *, hours: float) -> list[str]:
    """Date the branch's commits `hours` apart, the newest now; the new ids, oldest first."""
    exported = subprocess.run(
        ["git", "fast-export", "--no-data", "refs/heads/main"],
        cwd=remote,
        capture_output=True,
        check=True,
    ).stdout
    commits = exported.count(b"commit refs/heads/main\n")
    now = int(time.time())
    stamps = iter(
        now - int((commits - 1 - n) * hours * 3600) for n in range(commits) for _ in (0, 1)
    )
    redated = _WHO.sub(lambda m: b"%s %s %d +0000" % (m[1], m[2], next(stamps)), exported)
    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"], input=redated, cwd=remote, check=True
    )
    out = subprocess.run(
        ["git", "rev-list", "--reverse", "--first-parent", "main"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()
