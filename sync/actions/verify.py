"""Verify: a backup is complete on the remote and restorable.

Fetches REF into a scratch repository (never trusting the local cache),
downloads its LFS objects there, checks every hash and size, and runs
SQLite's integrity check on each database.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sync import remote_errors
from sync.actions.recovery import recover
from sync.actions.resolve import resolve
from sync.errors import VerificationFailed
from sync.git import Git
from sync.lfs import LfsStore
from sync.locking import operation_lock
from sync.models import VerifyResult
from sync.oplog import record
from sync.refs import LATEST, validate_ref
from sync.snapshot import hash_file
from sync.sqlitefile import is_healthy, is_sqlite
from sync.tree import read_data_files
from sync.workspace import Workspace


def verify(ws: Workspace, ref: str = LATEST) -> VerifyResult:
    validate_ref(ref)
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        ws.require_lfs()
        ws.ensure_cache()
        with record(ws.home, "verify", "manual") as recording:
            commit = resolve(ws, ref, ws.fetch())
            files = read_data_files(ws.git, commit)
            with tempfile.TemporaryDirectory(dir=ws.home, prefix="verify-") as scratch:
                result = _check(ws, commit, files, _scratch_repository(ws, Path(scratch)))
            recording.bytes, recording.status = result.bytes, "ok"
            return result


def _scratch_repository(ws: Workspace, path: Path) -> Git:
    git = Git(path, secrets=ws.secrets)
    git.init(branch=ws.branch)
    git.set_origin(ws.remote_url, branch=ws.branch)
    fetched = git.fetch(ws.branch)
    if fetched.returncode != 0:
        remote_errors.raise_for(fetched, operation="fetch")
    return git


def _check(ws: Workspace, commit: str, files: dict, git: Git) -> VerifyResult:
    pointers = {path: f.pointer for path, f in files.items() if f.pointer}
    store = LfsStore(git.git_dir)
    if pointers:
        fetched = git.lfs_fetch(commit)
        missing = [p for p, ptr in pointers.items() if not store.has(ptr)]
        if missing and fetched.returncode != 0 and "missing" not in fetched.stderr.lower():
            remote_errors.raise_for(fetched, operation="lfs fetch")
        if missing:
            raise VerificationFailed(
                f"Backup {commit[:8]} is incomplete: the remote lacks {', '.join(missing[:5])}"
                f"{' …' if len(missing) > 5 else ''}. Back up again from a host that has the data."
            )
    checked = 0
    for path, pointer in pointers.items():
        object_path = store.path(pointer.oid)
        if hash_file(object_path) != (pointer.oid, pointer.size):
            raise VerificationFailed(f"{path} in backup {commit[:8]} is damaged on the remote.")
        if is_sqlite(object_path):
            checked += 1
            if not is_healthy(object_path, thorough=True):
                raise VerificationFailed(
                    f"{path} in backup {commit[:8]} fails SQLite's integrity check."
                )
    total = sum(f.size for f in files.values())
    return VerifyResult(commit, len(files), total, checked)
