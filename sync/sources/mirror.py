"""One wiki source's mirror: a bare, shallow clone under KURA_HOME, driven by GitPython.

There is no working tree: pages are listed from the commit's tree and read as blobs.
A symbolic link or a submodule is a tree entry here, skipped with a reason, never a path
on disk. A blob larger than a page can be is never downloaded: the fetch filters it out
(a partial clone), and nothing afterwards may fetch it lazily. Sizes come from the
objects present (a blob the filter left out is over the limit by definition), diffs
compare trees without reading blobs, and every command but the fetch runs with no
transport allowed at all. The fetch itself is bounded in time and in bytes.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import git

from sync.errors import AuthFailed, RemoteUnreachable, SourceRefused, SyncError
from sync.repo.execute import Secrets, credential_origin
from sync.repo.locking import operation_lock
from sync.repo.remote_errors import unreachable_cause
from sync.sources.environment import source_environment
from sync.sources.reach import pinned_resolution

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 10 * 1024 * 1024  # as for an imported file: larger is not a page
MAX_SOURCE_BYTES = 200 * 1024 * 1024  # a wiki, not a monorepo: more is refused
_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
_LINK, _SUBMODULE = 0o120000, 0o160000
# Git may fetch an object a partial clone lacks whenever a command reads it. Outside the
# fetch no transport is allowed, so such a read fails rather than downloads.
_OFFLINE = {"GIT_ALLOW_PROTOCOL": "kura-offline"}
_WATCH_SECONDS = 0.1  # how often a running fetch's bytes are measured


@dataclass(frozen=True)
class _Entry:
    """A tree entry, read without reading its blob."""

    mode: int
    kind: str  # blob | commit (a submodule)
    sha: str


@dataclass(frozen=True)
class Page:
    path: str  # inside the source's folder
    sha: str
    size: int


@dataclass
class Pages:
    """What a commit holds, or what changed since an earlier one (`complete` False)."""

    commit: str
    pages: list[Page] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: what and why
    complete: bool = True


class Mirror:
    """Example::

    mirror = Mirror(home / "sources" / "team.git", url=url, branch="main", token=token,
                    allow_private=False)
    with mirror.locked():
        commit = mirror.fetch()
        found = mirror.pages(commit, folder="docs", since=last_indexed_commit)
        for page in found.pages:
            raw = mirror.read(page)
    """

    def __init__(
        self,
        path: Path,
        *,
        url: str,
        branch: str,
        token: str | None = None,
        allow_private: bool = False,
        timeout: float = 120.0,
        max_bytes: int = MAX_SOURCE_BYTES,
        suffixes: tuple[str, ...] = (".md", ".markdown", ".mdx", ".txt", ".html", ".htm"),
    ) -> None:
        self.path = path
        self.url = url
        self.branch = branch
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.suffixes = suffixes
        self.allow_private = allow_private
        # The token is for the source's own origin: git offers it to no other host.
        self._secrets = Secrets(token=token, origin=credential_origin(url))
        self._environment = {**source_environment(self._secrets), **_OFFLINE}
        self._opened: git.Repo | None = None
        self._present: dict[str, int] | None = None  # the objects held, read once per listing

    def locked(self) -> AbstractContextManager[None]:
        """One pull of a source at a time, across threads and processes."""
        return operation_lock(
            self.path.with_name(self.path.name + ".lock"),
            busy="This source is being pulled already; try again when that ends.",
        )

    def fetch(self) -> str:
        """The branch's newest commit, fetched with its tree and its pages' blobs only.

        The host is checked (and pinned) first, on every fetch: a name may resolve
        elsewhere since the source was added."""
        pins = pinned_resolution(self.url, allow_private=self.allow_private)
        repo = self._repo()
        command = [
            "git",
            "-c",
            "fetch.unpackLimit=1",  # one pack file, so the bytes received are easy to watch
            "fetch",
            "--quiet",
            "--no-tags",
            "--depth=1",
            f"--filter=blob:limit={MAX_PAGE_BYTES}",
            "origin",
            f"+refs/heads/{self.branch}:refs/heads/{self.branch}",
        ]
        # The one command that may reach the network: the offline guard is lifted for it.
        environment = {**source_environment(self._secrets, resolve=pins), **dict.fromkeys(_OFFLINE)}
        self._watched(repo, command, environment)
        return repo.commit(self.branch).hexsha

    def _watched(
        self, repo: git.Repo, command: list[str], environment: dict[str, str | None]
    ) -> None:
        """Run the fetch, killed (with its helpers) when it runs past the timeout or
        writes more than the source's byte cap into the mirror."""
        start, began = _size(self.path / "objects"), time.monotonic()
        with repo.git.custom_environment(**environment):
            process = repo.git.execute(command, as_process=True, start_new_session=True)
        child = process.proc
        stopped = ""
        while child.poll() is None:
            try:
                child.wait(_WATCH_SECONDS)
            except subprocess.TimeoutExpired:
                if time.monotonic() - began > self.timeout:
                    stopped = "timeout"
                elif _size(self.path / "objects") - start > self.max_bytes:
                    stopped = "bytes"
                if stopped:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        if not stopped and _size(self.path / "objects") - start > self.max_bytes:
            stopped = "bytes"  # it all arrived between two looks
        if stopped == "bytes":
            self.close()
            shutil.rmtree(self.path, ignore_errors=True)  # what it sent is not kept
            raise SourceRefused(
                f"The source sent over {self.max_bytes / 2**20:g} MB; point it at a smaller "
                "repository, or at the folder that holds the wiki (--path)."
            )
        if stopped or child.returncode:
            status = None if stopped else child.returncode
            raise self._failure(git.GitCommandError(command, status, stderr))

    def pages(self, commit: str, *, folder: str = "", since: str | None = None) -> Pages:
        repo = self._repo()
        self._present = None
        listed = self._listing(repo, commit, folder)
        if since and since != commit and since in self._sizes():
            return self._changes(repo, since, commit, folder, listed)
        found = Pages(commit)
        for path, entry in listed.items():
            self._take(found, path, entry)
        if sum(page.size for page in found.pages) > self.max_bytes:
            raise SourceRefused(
                f"The source holds over {self.max_bytes / 2**20:g} MB of pages; point it at "
                "the folder that holds the wiki (--path)."
            )
        return found

    def read(self, page: Page) -> bytes:
        return self._repo().odb.stream(bytes.fromhex(page.sha)).read()

    # -- inside -------------------------------------------------------------------
    def close(self) -> None:
        """End the git processes GitPython keeps for reading objects."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def _repo(self) -> git.Repo:
        # Every command GitPython runs, `init` included, gets the scrubbed environment.
        if self._opened is None:
            if not (self.path / "HEAD").is_file():
                self.path.mkdir(parents=True, exist_ok=True)
                command = git.Git(self.path)
                command.update_environment(**self._environment)
                command.init("--bare", "--quiet")
            repo = git.Repo(self.path)
            repo.git.update_environment(**self._environment)
            with repo.config_writer() as config:
                config.set_value('remote "origin"', "url", self.url)
            self._opened = repo
        return self._opened

    def _listing(self, repo: git.Repo, commit: str, folder: str) -> dict[str, _Entry]:
        """The folder's entries, from its trees alone (`ls-tree` reads no blob)."""
        prefix = f"{folder.strip('/')}/" if folder else ""
        if prefix and not repo.git.ls_tree(commit, "--", prefix.rstrip("/")):
            raise SourceRefused(f"{self.branch} has no folder {folder!r}.")
        listed = {}
        spec = prefix or "."
        for line in repo.git.ls_tree("-r", "-z", "--full-tree", commit, "--", spec).split("\0"):
            if not line:
                continue
            meta, _, path = line.partition("\t")
            mode, kind, sha = meta.split()
            listed[path.removeprefix(prefix)] = _Entry(int(mode, 8), kind, sha)
        return listed

    def _changes(
        self, repo: git.Repo, since: str, commit: str, folder: str, listed: dict[str, _Entry]
    ) -> Pages:
        """Only what the diff between the two commits touches. The diff is between trees,
        so it is exact even when the branch was force-pushed in between, and it detects
        no renames: that would read the blobs, the ones left out included."""
        found = Pages(commit, complete=False)
        prefix = f"{folder.strip('/')}/" if folder else ""
        changed = repo.git.diff_tree(
            "-r", "-z", "--no-renames", "--name-only", since, commit, "--", prefix or "."
        )
        for path in filter(None, changed.split("\0")):
            inside = path.removeprefix(prefix)
            if inside in listed:
                self._take(found, inside, listed[inside])
            elif inside.lower().endswith(self.suffixes):
                found.removed.append(inside)
        return found

    def _take(self, found: Pages, path: str, entry: _Entry) -> None:
        if not path.lower().endswith(self.suffixes):
            return
        size = self._sizes().get(entry.sha)
        reason = self._refusal(entry, size)
        if reason:
            found.skipped.append(f"{path} {reason}; skipped.")
        else:
            found.pages.append(Page(path, entry.sha, size or 0))

    def _refusal(self, entry: _Entry, size: int | None) -> str | None:
        if entry.kind == "commit" or entry.mode == _SUBMODULE:
            return "is a submodule, which is never followed"
        if entry.mode == _LINK:
            return "is a symbolic link, which is never followed"
        if size is None or size > MAX_PAGE_BYTES:  # absent: the fetch's filter left it out
            return f"is over {MAX_PAGE_BYTES // 2**20} MiB"
        if size < 200 and self.read(Page("", entry.sha, size)).startswith(_LFS_POINTER):
            return "is stored in Git LFS"
        return None

    def _sizes(self) -> dict[str, int]:
        """Every object the mirror holds, with its size: listing them fetches nothing."""
        if self._present is None:
            listing = self._repo().git.cat_file(
                "--batch-all-objects", "--batch-check=%(objectname) %(objectsize)"
            )
            pairs = (line.partition(" ") for line in listing.split("\n"))
            self._present = {sha: int(size) for sha, _, size in pairs if sha}
        return self._present

    def _failure(self, error: git.GitCommandError) -> SyncError:
        text = self._secrets.redact(str(error.stderr or ""))
        log.warning("fetching source %s failed: %s", self._secrets.redact(self.url), text)
        lower = text.lower()
        if "couldn't find remote ref" in lower:
            return SourceRefused(f"The source has no branch {self.branch!r}; check --branch.")
        if "fsck" in lower or "bad tree" in lower or "dotdot" in lower:
            return SourceRefused("The source holds a malformed tree (a '..' or '.git' path?).")
        if any(s in lower for s in ("401", "authentication failed", "could not read username")):
            return AuthFailed("The source rejected the credentials: check WIKI_SOURCES_TOKEN.")
        if "403" in lower:
            return AuthFailed("The source refused access (403): check the token's access.")
        if error.status in (-9, None) or "timed out" in lower or "timeout" in lower:
            return RemoteUnreachable("The source did not answer in time; try again later.")
        cause = unreachable_cause(text)
        return RemoteUnreachable(
            f"The source could not be reached{f' ({cause})' if cause else ''}: check its URL "
            "and the network."
        )


def _size(folder: Path) -> int:
    """The bytes of the files under a folder (a mirror's objects: a few packs)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # a temporary file renamed as it was counted
                continue
    return total
