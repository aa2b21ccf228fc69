"""One wiki source's mirror: a bare, shallow clone under KURA_HOME, driven by GitPython.

There is no working tree: pages are listed from the commit's tree and read as blobs.
A symbolic link or a submodule is a tree entry here, skipped with a reason, never a path
on disk; a blob larger than a page can be is never downloaded (a partial clone's size
filter) and never read.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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
        self._environment = source_environment(self._secrets)
        self._opened: git.Repo | None = None

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
        repo.git.update_environment(**source_environment(self._secrets, resolve=pins))
        try:
            repo.git.fetch(
                "--quiet",
                "--no-tags",
                "--depth=1",
                f"--filter=blob:limit={MAX_PAGE_BYTES}",
                "origin",
                f"+refs/heads/{self.branch}:refs/heads/{self.branch}",
                kill_after_timeout=self.timeout,
            )
        except git.GitCommandError as error:
            raise self._failure(error) from None
        return repo.commit(self.branch).hexsha

    def pages(self, commit: str, *, folder: str = "", since: str | None = None) -> Pages:
        repo = self._repo()
        listed = self._listing(repo, commit, folder)
        if since and since != commit and _has_commit(repo, since):
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

    def _listing(self, repo: git.Repo, commit: str, folder: str) -> dict[str, git.Blob]:
        tree = repo.commit(commit).tree
        if folder:
            try:
                tree = tree / folder
            except KeyError:
                raise SourceRefused(f"{self.branch} has no folder {folder!r}.") from None
        return {
            PurePosixPath(item.path).relative_to(tree.path or ".").as_posix(): item
            for item in tree.traverse()
            if item.type in ("blob", "submodule")
        }

    def _changes(
        self, repo: git.Repo, since: str, commit: str, folder: str, listed: dict[str, git.Blob]
    ) -> Pages:
        """Only what the diff between the two commits touches. The diff is between trees,
        so it is exact even when the branch was force-pushed in between."""
        found = Pages(commit, complete=False)
        prefix = f"{folder.strip('/')}/" if folder else ""
        seen: set[str] = set()  # a changed file is both sides of its change
        for change in repo.commit(since).diff(commit, paths=folder or None):
            for path in (change.a_path, change.b_path):
                inside = path.removeprefix(prefix) if path and path.startswith(prefix) else None
                if inside is None or inside in seen:
                    continue
                seen.add(inside)
                if inside in listed:
                    self._take(found, inside, listed[inside])
                elif inside.lower().endswith(self.suffixes):
                    found.removed.append(inside)
        return found

    def _take(self, found: Pages, path: str, entry: git.Blob) -> None:
        if not path.lower().endswith(self.suffixes):
            return
        reason = self._refusal(entry)
        if reason:
            found.skipped.append(f"{path} {reason}; skipped.")
        else:
            found.pages.append(Page(path, entry.hexsha, entry.size))

    def _refusal(self, entry: git.Blob) -> str | None:
        if entry.type == "submodule" or entry.mode == _SUBMODULE:
            return "is a submodule, which is never followed"
        if entry.mode == _LINK:
            return "is a symbolic link, which is never followed"
        if entry.size > MAX_PAGE_BYTES:
            return f"is over {MAX_PAGE_BYTES // 2**20} MiB"
        if entry.size < 200 and entry.data_stream.read().startswith(_LFS_POINTER):
            return "is stored in Git LFS"
        return None

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


def _has_commit(repo: git.Repo, sha: str) -> bool:
    try:
        repo.git.cat_file("-e", f"{sha}^{{commit}}")
    except git.GitCommandError:
        return False
    return True
