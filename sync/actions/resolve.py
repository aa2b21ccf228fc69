"""Turn a validated REF into a commit reachable from the backup branch."""

from __future__ import annotations

from sync.errors import InvalidRef
from sync.refs import LATEST, validate_ref
from sync.workspace import Workspace


def resolve(ws: Workspace, ref: str, tip: str | None) -> str:
    validate_ref(ref)
    if tip is None:
        raise InvalidRef("There are no backups yet: back up first.")
    if ref == LATEST:
        return tip
    commit = _find(ws, ref, tip)
    ws.fetch_missing_blobs(commit)  # an older backup's manifests, if the cache began after it
    return commit


def _find(ws: Workspace, ref: str, tip: str) -> str:
    matches = ws.git.commits_with_prefix(ref, tip)
    if not matches and ws.git.is_shallow():
        ws.deepen(None)  # an older backup than this cache began with: its history first
        matches = ws.git.commits_with_prefix(ref, tip)
    if not matches:
        raise InvalidRef(f"No backup on branch {ws.branch} has the id {ref}; see the history.")
    if len(matches) > 1:
        raise InvalidRef(f"{ref} matches several backups; give more characters of the id.")
    return matches[0]
