"""Which LFS objects the remote is known to hold: a backup reports success only when
every object its tree names is there.

A backup uploads its new packs and inherits the others from its parent. The parent's
were on the remote when it was made, unless the remote was emptied, replaced or
recreated since (a repository deleted and created again, the only way GitHub frees
LFS storage; a default local remote moved away). So each object a tree names is
confirmed once: uploaded by this host, or found by the LFS batch API (which answers
without downloading). The confirmations are kept in KURA_HOME for the remote and the
backup they were made at, and hold for later backups on top of it for a day; a
remote whose branch went away or moved to an unrelated history is asked again at once.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from sync.local.atomic import write_atomic
from sync.workspace import Workspace

log = logging.getLogger(__name__)
KEPT_SECONDS = 24 * 3600  # how long a confirmation holds: a day's backups, one request


@dataclass
class Confirmed:
    remote: str = ""
    commit: str | None = None  # the backup at which `objects` were all on the remote
    objects: dict[str, int] = field(default_factory=dict)
    at: float = 0.0  # when they were first confirmed (time.time())


def load(ws: Workspace) -> Confirmed:
    try:
        raw = json.loads(ws.confirmed_file.read_text())
        return Confirmed(raw["remote"], raw["commit"], dict(raw["objects"]), float(raw["at"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return Confirmed()


def save(ws: Workspace, commit: str, objects: dict[str, int], *, asked: bool) -> None:
    """Every object of `objects` is on the remote as of backup `commit`; `asked`: the
    remote was asked about them just now (otherwise the confirmations keep their age)."""
    at = time.time() if asked else load(ws).at or time.time()
    payload = {"remote": ws.remote_url, "commit": commit, "objects": objects, "at": at}
    write_atomic(ws.confirmed_file, json.dumps(payload, sort_keys=True).encode())


def known_on_remote(ws: Workspace, parent: str | None) -> dict[str, int]:
    """The objects confirmed at `parent` or at one of its ancestors, on this remote."""
    confirmed = load(ws)
    if parent is None or confirmed.commit is None or confirmed.remote != ws.remote_url:
        return {}
    if not 0 <= time.time() - confirmed.at < KEPT_SECONDS:
        return {}
    if confirmed.commit != parent and not ws.git.is_ancestor(confirmed.commit, parent):
        return {}
    return confirmed.objects


@dataclass(frozen=True)
class Check:
    lacking: dict[str, int]  # objects the remote does not hold
    asked: bool  # whether the remote was asked (else the confirmations answered)


def check(ws: Workspace, named: dict[str, int], parent: str | None) -> Check:
    """Of the objects a new backup's tree names (beyond those it uploads itself), the
    ones the remote does not hold. A remote that cannot be asked without downloading
    (ssh) is trusted, as git-lfs itself trusts it."""
    known = known_on_remote(ws, parent)
    unconfirmed = {oid: size for oid, size in named.items() if known.get(oid) != size}
    if not unconfirmed:
        return Check({}, asked=False)
    # Loaded when asked (HTTP's modules are a tenth of a command's start-up): most
    # backups know every object their parent named.
    from sync.repo.lfs_batch import CannotAsk, missing_objects

    try:
        problems = missing_objects(ws, unconfirmed)
    except CannotAsk:
        log.info("This remote cannot be asked about LFS objects; trusting the parent backup")
        return Check({}, asked=False)
    if problems:
        log.warning("The remote lacks %d LFS objects the backup names", len(problems))
    return Check({oid: unconfirmed[oid] for oid in problems}, asked=True)
