"""Which backup, host and kind each data file of a backup came from.

With two instances on one remote, the latest backup holds, per file, the version
of whichever instance wrote it last. For the newest backup the cache knows, the history
index remembers each file's last writer (sync/layout/history_index.py): nothing is walked. For
an older backup, one `git log --raw` pass from it back finds, for each of its files, the
newest commit that wrote that version.
"""

from __future__ import annotations

from sync.layout.commits import read_commits
from sync.layout.history_index import HistoryIndex
from sync.layout.stored import DATA_PREFIX, FORMAT_MARK
from sync.models import FileOrigin
from sync.repo.git import ZERO_SHA
from sync.workspace import Workspace


def file_origins(ws: Workspace, commit: str | None = None) -> dict[str, FileOrigin]:
    """{path inside the data directory: where its version in `commit` (default: the
    newest backup the cache knows) was written}; reads the cache, no network."""
    tip = ws.tip()
    commit = commit or tip
    if commit is None:
        return {}
    if commit == tip:
        return HistoryIndex(ws.history_index_file).origins(ws.git, tip)
    return _walk(ws, commit)


def _walk(ws: Workspace, commit: str) -> dict[str, FileOrigin]:
    wanted = {
        e.path: e.sha
        for e in ws.git.ls_tree(commit, "data")
        if e.path.startswith(DATA_PREFIX) and e.path != FORMAT_MARK
    }
    origins: dict[str, FileOrigin] = {}
    for backup in read_commits(ws.git, commit):
        for change in backup.changes:
            path = change.path[len(DATA_PREFIX) :]
            if wanted.get(change.path) == change.new != ZERO_SHA and path not in origins:
                origins[path] = FileOrigin(
                    commit=backup.sha, date=backup.date, host=backup.host, kind=backup.kind
                )
        if len(origins) == len(wanted):
            break
    return origins
