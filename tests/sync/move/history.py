"""A backup history for the move's tests: real backups (`bench.redate` dates them)."""

from __future__ import annotations

from sync import Workspace, backup
from tests.conftest import write_db


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
