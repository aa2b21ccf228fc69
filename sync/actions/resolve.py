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
    matches = ws.git.commits_with_prefix(ref, tip)
    if not matches:
        raise InvalidRef(f"No backup on branch {ws.branch} has the id {ref}; see the history.")
    if len(matches) > 1:
        raise InvalidRef(f"{ref} matches several backups; give more characters of the id.")
    return matches[0]
