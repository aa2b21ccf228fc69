"""Where everything lives for one data directory, and the cache repository in KURA_HOME."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config import Settings, redact_url
from sync.errors import LfsMissing, NotConfigured, PushRejected, RemoteGone
from sync.layout.state import load_state
from sync.local.atomic import write_atomic
from sync.local.mount import STAGING, is_mount_point
from sync.models import LastBackup, UnrecordedRestore
from sync.repo import remote_errors
from sync.repo.execute import Result, Secrets, credential_origin
from sync.repo.git import Git
from sync.repo.lfs import LfsStore, Pointer, local_store
from sync.repo.locking import file_lock

log = logging.getLogger(__name__)
READ_WAIT = 600.0  # a reader waits out a repack rather than fail
PACK_WAIT = 30.0  # maintenance waits this long for readers, then tries again later
FETCH_WAIT = 900.0  # one fetch at a time: the next waits for it (network timeout: 600 s)
PACKING_BUSY = "The cache is being read; packing it waits for the next round."
SAVED_REF = "refs/kura/saved"
DEEPEN_STEP = 1000  # backups a lineage check fetches at least, when it deepens the cache
_LFS_FOUND: set[str] = set()
_POINTED: set[tuple[str, str]] = set()  # (cache, remote) pairs set up in this process
LFS_INSTALL_HINT = (
    "git-lfs is not installed: install it (Debian/Ubuntu: apt-get install git-lfs; "
    "Streamlit Cloud: list git-lfs in packages.txt) and try again."
)


@dataclass(frozen=True)
class Workspace:
    settings: Settings

    # -- paths ------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir.absolute()

    @property
    def home(self) -> Path:
        return self.settings.home.absolute()

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache.git"

    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    @functools.cached_property
    def instance_name(self) -> str:
        """INSTANCE_NAME, or the host name and a short id kept in KURA_HOME, so that two
        instances on one machine are told apart in the history and in notices."""
        if self.settings.instance_name:
            return self.settings.instance_name
        return f"{socket.gethostname()}-{_instance_id(self.home / 'instance-id')}"

    @property
    def history_index_file(self) -> Path:
        return self.home / "history-index.db"

    @property
    def journal_file(self) -> Path:
        return self.home / "restore-journal.json"

    @property
    def restore_pending_file(self) -> Path:
        """Present while this host, started on an empty data directory, has not restored."""
        return self.home / "restore-pending"

    @property
    def restore_pending(self) -> bool:
        return self.restore_pending_file.exists()

    def set_restore_pending(self, pending: bool) -> None:
        if pending:
            self.home.mkdir(parents=True, exist_ok=True)
            self.restore_pending_file.touch()
        else:
            self.restore_pending_file.unlink(missing_ok=True)

    @property
    def confirmed_file(self) -> Path:
        return self.home / "confirmed-objects.json"

    @property
    def unrecorded_file(self) -> Path:
        return self.home / "restore-unrecorded.json"

    @property
    def restore_unrecorded(self) -> UnrecordedRestore | None:
        """A restore whose data is in place but not yet the newest backup."""
        try:
            return UnrecordedRestore(**json.loads(self.unrecorded_file.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # Damaged: still a restore to record (the state says of which backup), so that
            # no backup records the older data over it; what it replaced is unknown.
            restored = load_state(self.state_file).commit
            return UnrecordedRestore(restored, replaced=None) if restored else None

    def set_restore_unrecorded(self, restore: UnrecordedRestore | None) -> None:
        if restore is None:
            self.unrecorded_file.unlink(missing_ok=True)
        else:
            write_atomic(self.unrecorded_file, json.dumps(restore.to_json()).encode())

    @property
    def lock_file(self) -> Path:
        return self.home / "operation.lock"

    # -- the cache's locks -------------------------------------------------------
    # Reads of older backups (ls, diff, history) may fetch and read the cache while a
    # backup runs; maintenance rewrites it (repack, a shallow trim, prune). So readers
    # share one lock that maintenance takes alone, and every fetch takes another, since
    # two fetches into one repository trip over its shallow file and ref locks.
    def reading(self) -> contextlib.AbstractContextManager[None]:
        return file_lock(self.home / "cache.lock", shared=True, wait=READ_WAIT)

    def packing(self, *, wait: float = PACK_WAIT) -> contextlib.AbstractContextManager[None]:
        return file_lock(self.home / "cache.lock", wait=wait, busy=PACKING_BUSY)

    def fetching(self, *, wait: float = FETCH_WAIT) -> contextlib.AbstractContextManager[None]:
        return file_lock(self.home / "fetch.lock", wait=wait)

    @property
    def staging_dir(self) -> Path:
        # On the data directory's filesystem, so the swap is renames: beside it, or inside
        # it when it is a mount point (whose contents are swapped, `sync.local.mount`).
        if is_mount_point(self.data_dir):
            return self.data_dir / STAGING
        return self.data_dir.parent / f".{self.data_dir.name}.kura-staging"

    @property
    def branch(self) -> str:
        return self.settings.branch

    @property
    def remote_url(self) -> str:
        remote = self.settings.remote
        if "://" in remote or _is_scp_like(remote):
            return remote
        return str(Path(remote).expanduser().absolute())

    @property
    def remote_display(self) -> str:
        return redact_url(self.settings.remote)

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/origin/{self.branch}"

    # -- tools ------------------------------------------------------------------
    @functools.cached_property
    def secrets(self) -> Secrets:
        return Secrets(
            token=self.settings.token,
            others=self.settings.secrets(),
            origin=credential_origin(self.remote_url),  # the backup remote, and no other
        )

    @functools.cached_property
    def git(self) -> Git:
        return Git(self.cache_dir, secrets=self.secrets)

    @functools.cached_property
    def store(self) -> LfsStore:
        return LfsStore(self.cache_dir)

    # -- state ------------------------------------------------------------------
    def require_enabled(self) -> None:
        if not self.settings.sync_enabled:
            raise NotConfigured(
                "Backups are turned off (GITHUB_SYNC_ENABLED=false); turn them on to use this."
            )

    def lfs_available(self) -> bool:
        path = os.environ.get("PATH", "")
        if path in _LFS_FOUND:
            return True  # found once on this PATH: spare a process on every operation
        if shutil.which("git-lfs", path=path):
            _LFS_FOUND.add(path)  # where git looks first: no process for a new one either
            return True
        try:  # git also finds git-lfs in its own exec path
            found = self.git.lfs_version().returncode == 0
        except Exception:  # noqa: BLE001 - git itself missing counts as "not available"
            return False
        if found:
            _LFS_FOUND.add(path)
        return found

    def require_lfs(self) -> None:
        if not self.lfs_available():
            raise LfsMissing(LFS_INSTALL_HINT)

    def has_cache(self) -> bool:
        return (self.cache_dir / "HEAD").is_file()

    def ensure_cache(self, *, new_remote: bool = False) -> bool:
        """Create or re-point the cache repository; fetch the branch when it is new (True:
        it fetched just now, so the tip is the remote's). The default local remote is
        created on a brand-new install, or with `new_remote` (a forced backup): never
        silently when the one this host backed up to vanished."""
        self.require_enabled()
        self.home.mkdir(parents=True, exist_ok=True)
        if self.settings.uses_default_remote:
            self._ensure_default_remote(new_remote=new_remote)
        fresh = not self.has_cache()
        if fresh:
            self.git.init(branch=self.branch)
        pointed = (str(self.cache_dir), self.remote_url) in _POINTED
        fetching = fresh or (
            not pointed and self.git.config_get("remote.origin.url") != self.remote_url
        )
        if fetching:
            self.git.set_origin(self.remote_url, branch=self.branch)
            # A new cache takes the newest backup alone: what a restore needs, whatever
            # the length of history. Older backups come when someone asks (`deepen`).
            self.fetch(depth="--depth=1" if fresh else None)
        _POINTED.add((str(self.cache_dir), self.remote_url))
        return fetching

    def _ensure_default_remote(self, *, new_remote: bool) -> None:
        remote = Path(self.remote_url)
        if (remote / "HEAD").is_file():
            return
        if not new_remote and (self.tip() is not None or load_state(self.state_file).commit):
            raise RemoteGone(
                f"The backup repository {self.settings.remote} has disappeared. Put it back "
                "to go on, or start a new one holding this host's data (Start a new backup "
                "repository on the admin page, or python -m sync backup --force)."
            )
        Git(remote).init(branch=self.branch)

    def fetch(self, *, depth: str | None = None, blobs: str | None = None) -> str | None:
        """Bring the backup branch up to date; return its tip (None: no backups yet)."""
        with self.fetching():
            result = self.git.fetch(self.branch, depth=depth, blobs=blobs)
        if result.returncode != 0:
            if not remote_errors.is_missing_branch(result):
                remote_errors.raise_for(result, operation="fetch")
            # The branch is gone (the remote emptied or recreated): so are its backups,
            # whatever this cache remembers of them. A backup now is a first one.
            if self.tip() is not None:
                log.warning("The remote has no branch %s any more", self.branch)
                self.git.delete_ref(self.tracking_ref)
            return None
        tip = self.tip()
        if tip is not None:
            # A cache that fetched older history without blobs fetches every later commit
            # that way too: the newest backup's manifests and pointers must be here.
            self.fetch_missing_blobs(tip)
        return tip

    def fetch_missing_blobs(self, commit: str) -> None:
        """Every blob of a backup's tree in the cache (manifests, pointers), fetched in one
        request when an older backup's were left out: git-lfs cannot read a tree with
        missing blobs, and git would fetch them one by one."""
        if not self.git.is_partial():
            return  # every fetched commit came with its blobs
        self.fetch_objects(self.git.missing_of([commit]))

    def push_lfs(self, objects: dict[str, int]) -> None:
        """Put LFS objects (oid: size) of the cache on the remote: into a remote on this
        machine by a hashed copy (no git-lfs process), to any other by `git lfs push`.
        PushRejected, or the remote's own error, when any is not there after."""
        if not objects:
            return
        remote = local_store(self.remote_url)
        if remote is None:
            pushed = self.git.lfs_push(sorted(objects))
            if pushed.returncode != 0:
                remote_errors.raise_for(pushed, operation="lfs push")
            return
        with contextlib.suppress(OSError):  # reported below, as what is lacking
            remote.copy_from(self.store, objects)
        if lacking := [o for o, s in objects.items() if not remote.has(Pointer(o, s))]:
            raise PushRejected(
                f"{len(lacking)} packs could not be copied into the backup repository "
                f"{self.settings.remote}: check that it is writable and has room, then retry."
            )

    def pull_lfs(
        self, commit: str, objects: dict[str, int], *, include: str | None
    ) -> Result | None:
        """Bring LFS objects (oid: size) of `commit` into the cache: from a remote on this
        machine by a hashed copy (None), from any other by `git lfs fetch --include`
        (its result). The caller checks what arrived: one that did not hash is absent."""
        remote = local_store(self.remote_url)
        if remote is not None:
            self.store.copy_from(remote, objects)
            return None
        return self.git.lfs_fetch(commit, include=include)

    def fetch_objects(self, missing: list[str]) -> None:
        """Objects a partial fetch left out, by id, in one request (none: no call)."""
        if missing:
            with self.fetching():
                result = self.git.fetch_objects(missing)
            if result.returncode != 0:
                remote_errors.raise_for(result, operation="fetch")

    def deepen(self, backups: int | None = None, *, blobs: str = "blob:none") -> None:
        """Make sure the cache holds the newest `backups` backups (None: all of them),
        fetching the older ones' commits and trees only (blob:none: their manifests come
        when read; `blob:limit=1024` takes the LFS pointers too). A full cache has them
        already: no network call."""
        if not self.git.is_shallow():
            return
        tip = self.tip()
        if tip is None:
            return
        if backups is None:
            self.fetch(depth="--unshallow", blobs=blobs)
            return
        held = self.git.count_first_parents(tip)
        if held < backups:
            self.fetch(depth=f"--deepen={backups - held}", blobs=blobs)

    def keep_saved(self, commit: str) -> None:
        """Hold the backup this host last saved or restored under a ref of its own, so that
        trimming and pruning the cache never drop it however long the remote's history
        grows while this host is idle (its tree and manifests stay readable)."""
        self.git.update_ref(SAVED_REF, commit)

    def descends_from(self, commit: str | None, tip: str | None) -> bool:
        """True when `commit` is `tip` or one of its ancestors. A shallow cache that does
        not reach `commit` is deepened (commits and trees, in doubling steps) until it
        does or the history ends: only a history that really diverged answers False."""
        if commit is None or tip is None:
            return False
        if commit == tip:
            return True
        held = None
        while True:
            if self.git.has_commit(commit) and self.git.is_ancestor(commit, tip):
                return True
            if not self.git.is_shallow():
                return False
            before, held = held, self.git.count_first_parents(tip)
            if held == before:
                return False  # the remote has no older history to give
            self.fetch(depth=f"--deepen={max(held, DEEPEN_STEP)}", blobs="blob:none")

    def remote_tip(self) -> str | None:
        """The newest backup on the remote (one `ls-remote`, nothing fetched)."""
        result = self.git.ls_remote(self.branch)
        if result.returncode != 0:
            remote_errors.raise_for(result, operation="ls-remote")
        line = result.text.split()
        return line[0] if line else None

    def tip(self) -> str | None:
        """The newest backup this cache knows of, without a network call."""
        if not self.has_cache():
            return None
        return self.git.rev_parse(f"{self.tracking_ref}^{{commit}}")

    def last_backup(self) -> LastBackup | None:
        tip = self.tip()
        if tip is None:
            return None
        stamp = self.git.log(tip, "%cI", limit=1).decode().strip("\0\n")
        return LastBackup(tip, datetime.fromisoformat(stamp))


def _is_scp_like(remote: str) -> bool:
    # git@github.com:team/data.git, but not C:\path or ./a:b
    head, sep, _ = remote.partition(":")
    return bool(sep) and "/" not in head and len(head) > 1


def _instance_id(path: Path) -> str:
    """Four hex digits made once per KURA_HOME (a new home is a new instance)."""
    with contextlib.suppress(OSError):
        kept = path.read_text().strip()
        if kept:
            return kept
    made = secrets.token_hex(2)
    with contextlib.suppress(OSError):
        write_atomic(path, made.encode())
    return made
