"""Verify: a backup is complete on the remote and restorable.

The default check is cheap: it proves that every LFS object the backup needs
(its packs, and the whole files of older backups) is on the remote at the right
size, by asking the remote (`sync.repo.lfs_batch`), without downloading any data.
`deep` downloads the objects into a scratch repository (never trusting the
local cache), hashes each one, rebuilds every file and checks its hash, and runs
SQLite's integrity check on each database.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from sync.actions.recovery import recover
from sync.actions.resolve import resolve
from sync.content.pack import PackReader
from sync.content.reader import assemble
from sync.errors import VerificationFailed
from sync.layout.stored import StoredFile, data_files, lfs_objects, pack_entries
from sync.local.snapshot import hash_file
from sync.local.sqlitefile import is_healthy, is_sqlite
from sync.models import VerifyResult
from sync.oplog import record
from sync.refs import LATEST, validate_ref
from sync.repo import remote_errors
from sync.repo.git import Git
from sync.repo.lfs import LfsStore, parse_pointer
from sync.repo.lfs_batch import CannotAsk, missing_objects
from sync.repo.locking import operation_lock
from sync.workspace import Workspace


def verify(ws: Workspace, ref: str = LATEST, *, deep: bool = False) -> VerifyResult:
    validate_ref(ref)
    ws.require_enabled()
    with operation_lock(ws.lock_file):
        recover(ws)
        ws.require_lfs()
        ws.ensure_cache()
        with record(ws.home, "verify", "deep" if deep else "presence") as recording:
            commit = resolve(ws, ref, ws.fetch())
            entries = ws.git.ls_tree(commit)
            files = data_files(ws.git, entries)
            _check_packs_named(ws.git, commit, entries, files)
            result = None
            if not deep:
                with contextlib.suppress(CannotAsk):  # an ssh remote: only downloading tells
                    result = _presence(ws, commit, files)
            if result is None:
                with tempfile.TemporaryDirectory(dir=ws.home, prefix="verify-") as scratch:
                    scratch_git = _scratch_repository(ws, Path(scratch), commit)
                    result = _deep(ws, commit, files, scratch_git)
            recording.bytes, recording.status = result.bytes, "ok"
            recording.downloaded = result.downloaded
            return result


def _check_packs_named(git: Git, commit: str, entries: list, files: dict[str, StoredFile]) -> None:
    """Every pack a manifest uses is named in the tree, at the size the manifest says."""
    named = pack_entries(entries)
    pointers = {blob: parse_pointer(data) for blob, data in git.cat_blobs(named.values()).items()}
    for file in files.values():
        for oid, size in (file.manifest.pack_sizes if file.manifest else {}).items():
            pointer = pointers.get(named.get(oid, ""))
            if pointer is None or pointer.oid != oid or pointer.size != size:
                raise VerificationFailed(
                    f"{file.path} in backup {commit[:8]} uses pack {oid[:12]}, which the backup "
                    "does not name correctly: pick another restore point."
                )


def _presence(ws: Workspace, commit: str, files: dict[str, StoredFile]) -> VerifyResult:
    objects = lfs_objects(files.values())
    problems = missing_objects(ws, objects)
    if problems:
        hit = sorted(p for p, f in files.items() if set(f.lfs_objects) & set(problems))
        oid, problem = next(iter(sorted(problems.items())))
        raise VerificationFailed(
            f"Backup {commit[:8]} is incomplete on the remote: {', '.join(hit[:5])}"
            f"{' …' if len(hit) > 5 else ''} (object {oid[:12]}: {problem}). "
            "Back up again from a host that has the data."
        )
    total = sum(f.size for f in files.values())
    return VerifyResult(commit, len(files), total, 0, mode="presence", objects=len(objects))


def _scratch_repository(ws: Workspace, path: Path, commit: str) -> Git:
    """The backup alone, fetched from the remote (its history is not needed)."""
    git = Git(path, secrets=ws.secrets)
    git.init(branch=ws.branch)
    git.set_origin(ws.remote_url, branch=ws.branch)
    fetched = git.fetch_commit(commit)
    if fetched.returncode != 0:
        remote_errors.raise_for(fetched, operation="fetch")
    return git


def _deep(ws: Workspace, commit: str, files: dict[str, StoredFile], git: Git) -> VerifyResult:
    objects = lfs_objects(files.values())
    store = LfsStore(git.git_dir)
    if objects:
        _download(git, commit, files, store)
    for oid, size in objects.items():
        if hash_file(store.path(oid)) != (oid, size):
            hit = sorted(p for p, f in files.items() if oid in f.lfs_objects)
            raise VerificationFailed(
                f"{', '.join(hit[:5])} in backup {commit[:8]} is damaged on the remote."
            )
    checked = 0
    with PackReader(store) as packs:
        for path, file in files.items():
            checked += _check_file(commit, path, file, store, packs, git.git_dir)
    total = sum(f.size for f in files.values())
    downloaded = sum(objects.values())
    return VerifyResult(
        commit, len(files), total, checked, mode="deep", objects=len(objects), downloaded=downloaded
    )


def _download(git: Git, commit: str, files: dict[str, StoredFile], store: LfsStore) -> None:
    fetched = git.lfs_fetch(commit)
    missing = [
        p for p, f in files.items() if any(not store.path(o).exists() for o in f.lfs_objects)
    ]
    if missing and fetched.returncode != 0 and not remote_errors.is_bad_object(fetched):
        remote_errors.raise_for(fetched, operation="lfs fetch")
    if missing:
        raise VerificationFailed(
            f"Backup {commit[:8]} is incomplete: the remote lacks {', '.join(missing[:5])}"
            f"{' …' if len(missing) > 5 else ''}. Back up again from a host that has the data."
        )


def _check_file(
    commit: str, path: str, file: StoredFile, store: LfsStore, packs: PackReader, scratch: Path
) -> int:
    """Rebuild one file (hash-checked) and integrity-check it if it is a database; 1 if so."""
    if file.manifest is None:
        if file.pointer is None:
            return 0
        return _integrity(commit, path, store.path(file.pointer.oid))
    rebuilt = scratch / "rebuilt"
    try:
        assemble(file.manifest, packs, rebuilt)
    except VerificationFailed as exc:
        raise VerificationFailed(
            f"{path} in backup {commit[:8]} cannot be rebuilt: {exc.message}."
        ) from None
    try:
        return _integrity(commit, path, rebuilt)
    finally:
        rebuilt.unlink(missing_ok=True)


def _integrity(commit: str, path: str, content: Path) -> int:
    if not is_sqlite(content):
        return 0
    if not is_healthy(content, thorough=True):
        raise VerificationFailed(f"{path} in backup {commit[:8]} fails SQLite's integrity check.")
    return 1
