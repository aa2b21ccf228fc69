"""Git and git-lfs command lines for the cache repository, built in one place.

Each method builds one argv and hands it to `sync.repo.execute`; nothing here parses
user input into options: refs reach git only after `sync.refs` validated them,
and after `--end-of-options`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sync.repo import execute
from sync.repo.execute import Call, Result, Secrets

ZERO_SHA = "0" * 40


_GIT_INT = 2**31 - 1  # the largest count git's options take


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str
    sha: str
    path: str


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    local: float = 60.0
    network: float = 600.0
    probe: float = 30.0
    maintenance: float = 1800.0  # a repack of a long history's cache


class Git:
    """Commands against one bare repository (Kura's cache of the backup remote)."""

    def __init__(
        self,
        git_dir: Path,
        *,
        secrets: Secrets = execute.NO_SECRETS,
        timeouts: Timeouts = Timeouts(),
    ) -> None:
        self.git_dir = git_dir
        self.secrets = secrets
        self.timeouts = timeouts

    # -- plumbing ---------------------------------------------------------------
    def _run(
        self,
        *args: str,
        input: bytes | BinaryIO | None = None,
        check: bool = True,
        network: bool = False,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Result:
        if timeout is None:
            timeout = self.timeouts.network if network else self.timeouts.local
        call = Call(
            cwd=self.git_dir if self.git_dir.is_dir() else None,
            secrets=self.secrets,
            timeout=timeout,
            env={"GIT_DIR": str(self.git_dir), **(env or {})},
        )
        return execute.run(("git", *args), call, input=input, check=check)

    def init(self, *, branch: str) -> None:
        self.git_dir.mkdir(parents=True, exist_ok=True)
        self._run("init", "--quiet", "--bare", f"--initial-branch={branch}", str(self.git_dir))

    def config_get(self, key: str) -> str | None:
        result = self._run("config", "--get", key, check=False)
        return result.text.strip() if result.returncode == 0 else None

    def set_origin(self, url: str, *, branch: str) -> None:
        """Point `origin` at the remote (a URL without credentials)."""
        if self.config_get("remote.origin.url") is None:
            self._run("remote", "add", "origin", "--", url)
        else:
            self._run("remote", "set-url", "origin", "--", url)
        self._run(
            "config",
            "remote.origin.fetch",
            f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        )

    def rev_parse(self, rev: str) -> str | None:
        result = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", rev, check=False)
        return result.text.strip() if result.returncode == 0 else None

    def has_commit(self, commit: str) -> bool:
        return self.rev_parse(f"{commit}^{{commit}}") is not None

    def is_ancestor(self, commit: str, tip: str) -> bool:
        return self._run("merge-base", "--is-ancestor", commit, tip, check=False).returncode == 0

    def commits_with_prefix(self, prefix: str, tip: str) -> list[str]:
        """Commits reachable from `tip` whose id starts with `prefix`."""
        out = self._run("rev-list", "--end-of-options", tip, "--").text.split()
        return [sha for sha in out if sha.startswith(prefix)]

    def ls_tree(self, treeish: str, *paths: str) -> list[TreeEntry]:
        """Every blob under `paths` (the whole tree when none), recursively."""
        args = ["ls-tree", "-z", "--full-tree", "-r"]
        result = self._run(*args, treeish, "--", *paths)
        entries = []
        for record in result.stdout.split(b"\0"):
            if record:
                meta, path = record.split(b"\t", 1)
                mode, kind, sha = meta.decode().split()
                entries.append(TreeEntry(mode, kind, sha, path.decode("utf-8", "surrogateescape")))
        return entries

    def tree_of(self, commit: str) -> str:
        return self._run("rev-parse", "--verify", f"{commit}^{{tree}}").text.strip()

    def write_blobs(self, paths: list[Path]) -> list[str]:
        if not paths:
            return []
        data = "".join(f"{p}\n" for p in paths).encode("utf-8", "surrogateescape")
        result = self._run("hash-object", "-w", "--no-filters", "--stdin-paths", input=data)
        return result.text.split()

    def write_blobs_packed(self, contents: list[bytes], marks: Path) -> list[str]:
        """Write each content as a blob into one pack (`git fast-import`): a first backup's
        thousand pieces as one file, not a thousand loose objects to write, pack and push.
        Their ids in order; `marks` is scratch."""
        stream = b"".join(
            b"blob\nmark :%d\ndata %d\n%s\n" % (number, len(content), content)
            for number, content in enumerate(contents, 1)
        )
        self._run("fast-import", "--quiet", "--depth=0", f"--export-marks={marks}", input=stream)
        ids = dict(line.split() for line in marks.read_text().splitlines())
        return [ids[f":{number}"] for number in range(1, len(contents) + 1)]

    def write_objects(self, paths: list[Path], *, kind: str) -> list[str]:
        """Write each file as an object of `kind` (commits made by id); their ids in order."""
        data = "".join(f"{p}\n" for p in paths).encode("utf-8", "surrogateescape")
        result = self._run("hash-object", "-w", "-t", kind, "--stdin-paths", input=data)
        return result.text.split()

    def fast_import(self, stream: BinaryIO, marks: Path) -> None:
        """Objects and commits from a fast-import stream, in one pack; `marks` gets the
        commits' ids."""
        self._run(
            "fast-import",
            "--quiet",
            "--force",
            "--depth=0",  # no deltas, and blobs over 1 KiB written as they come: a quarter
            "--big-file-threshold=1k",  # faster, the same objects
            f"--export-marks={marks}",
            input=stream,
            timeout=self.timeouts.maintenance,
        )

    def write_tree(self, entries: Iterable[TreeEntry], index_file: Path) -> str:
        """A tree holding exactly `entries`, built in a private index file."""
        env = {"GIT_INDEX_FILE": str(index_file)}
        lines = b"".join(
            f"{e.mode} {e.sha}\t".encode() + e.path.encode("utf-8", "surrogateescape") + b"\0"
            for e in entries
        )
        self._run("update-index", "-z", "--add", "--index-info", input=lines, env=env)
        return self._run("write-tree", env=env).text.strip()

    def commit_tree(
        self,
        tree: str,
        *,
        parent: str | None,
        message: str,
        identity: Mapping[str, str] | None = None,
    ) -> str:
        """`identity`: GIT_AUTHOR_*/GIT_COMMITTER_* (a commit made again as it was made)."""
        args = ["commit-tree", tree, "-F", "-"]
        if parent:
            args += ["-p", parent]
        return self._run(*args, input=message.encode(), env=identity).text.strip()

    def update_ref(self, ref: str, new: str) -> None:
        self._run("update-ref", ref, new)

    def delete_ref(self, ref: str) -> None:
        self._run("update-ref", "-d", ref)

    def log(
        self,
        rev: str,
        fmt: str,
        *,
        limit: int | None = None,
        raw: bool = False,
        skip: int = 0,
        before: datetime | None = None,
        since: datetime | None = None,
        grep: str | None = None,
    ) -> bytes:
        """Commits from `rev` along first parents: `skip` the newest ones, only those made
        `before` a time, only those whose message holds `grep` (any case, as written)."""
        if skip > _GIT_INT or (limit or 0) > _GIT_INT:
            # Git reads these as 32-bit ints: a larger one wraps round and lists from the
            # start. No history holds that many backups, so nothing is after them.
            skip, limit = (skip, _GIT_INT) if skip <= _GIT_INT else (0, 0)
        if limit == 0:
            return b""
        args = ["log", "-z", "--first-parent", f"--format={fmt}"]
        if raw:
            args += ["--raw", "--no-abbrev", "--no-renames", "--diff-merges=first-parent"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        if skip:
            args.append(f"--skip={skip}")
        if before is not None:
            args.append(f"--until={before.isoformat(timespec='seconds')}")
        if since is not None:  # the walk stops at the first older commit
            args.append(f"--since={since.isoformat(timespec='seconds')}")
        if grep:
            args += ["--regexp-ignore-case", "--fixed-strings", f"--grep={grep}"]
        return self._run(*args, "--end-of-options", rev, "--").stdout

    def cat_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Contents of small blobs (LFS pointers) in one `git cat-file --batch` pass."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        data = "".join(f"{sha}\n" for sha in wanted).encode()
        out = self._run("cat-file", "--batch", input=data).stdout
        return dict(_parse_batch(out))

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        data = "".join(f"{sha}\n" for sha in wanted).encode()
        sizes = {}
        for line in self._run("cat-file", "--batch-check", input=data).text.splitlines():
            sha, kind, *rest = line.split()
            if kind == "blob":
                sizes[sha] = int(rest[0])
        return sizes

    def blob_to_file(self, sha: str, target: Path) -> None:
        target.write_bytes(self._run("cat-file", "blob", sha).stdout)

    # -- network ----------------------------------------------------------------
    def fetch(self, branch: str, *, depth: str | None = None, blobs: str | None = None) -> Result:
        """The branch's new commits. `depth`: `--depth=1` (a fresh cache: the newest backup
        alone), `--deepen=N` or `--unshallow` (older history, on demand); `blobs`: a
        partial-clone filter (`blob:none`: older backups' commits and trees, not their
        manifests, which are fetched when read)."""
        refspec = f"+refs/heads/{branch}:refs/remotes/origin/{branch}"
        options = [o for o in (depth, f"--filter={blobs}" if blobs else None) if o]
        return self._run(
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            *options,
            "origin",
            refspec,
            network=True,
            check=False,
        )

    def fetch_commit(self, commit: str) -> Result:
        """One backup alone (its commit, tree and manifests), by id: a deep verify's."""
        return self._run(
            "fetch",
            "--quiet",
            "--no-tags",
            "--depth=1",
            "origin",
            commit,
            network=True,
            check=False,
        )

    def missing_of(self, commits: Iterable[str]) -> list[str]:
        """Objects the trees of `commits` name that a partial fetch left out (never
        fetched here)."""
        data = "".join(f"{c}\n" for c in commits).encode()
        listed = self._run(
            "rev-list", "--objects", "--no-walk", "--missing=print", "--stdin", input=data
        )
        return [line[1:] for line in listed.text.split() if line.startswith("?")]

    def missing_in(self, span: str) -> set[str]:
        """Objects the commits of `span` (`a..b`, or a commit and its history) name that a
        partial fetch left out, found without fetching any."""
        listed = self._run("rev-list", "--objects", "--missing=print", "--end-of-options", span)
        return {line[1:] for line in listed.text.split() if line.startswith("?")}

    def fetch_objects(self, oids: list[str]) -> Result:
        """Objects by id, in one request (as git's own lazy fetch asks, but all at once)."""
        return self._run(
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--filter=blob:none",
            "--stdin",
            "origin",
            input="".join(f"{oid}\n" for oid in oids).encode(),
            network=True,
            check=False,
        )

    def is_shallow(self) -> bool:
        return (self.git_dir / "shallow").is_file()

    def is_partial(self) -> bool:
        """Whether a fetch left blobs out (git records the filter in the config): read from
        the file, not a process, since every fetch asks."""
        try:
            return "partialclonefilter" in (self.git_dir / "config").read_text().lower()
        except FileNotFoundError:
            return False

    def count_first_parents(self, tip: str) -> int:
        """Backups this cache holds from `tip` back (to the shallow boundary, if any)."""
        return int(self._run("rev-list", "--count", "--first-parent", tip, "--").text)

    def ls_remote(self, branch: str) -> Result:
        return self._run(
            "ls-remote", "--heads", "origin", f"refs/heads/{branch}", network=True, check=False
        )

    def push(self, commit: str, branch: str) -> Result:
        # Never --force: a rejected push is answered by re-committing on the new tip.
        return self._run(
            "push",
            "--porcelain",
            "--no-verify",
            "origin",
            f"{commit}:refs/heads/{branch}",
            network=True,
            check=False,
        )

    def repack(self, *, packs: int, pack_limit: int) -> None:
        """Loose objects into a pack, and small packs rolled into bigger ones so that each
        holds at least twice the objects of the next (`--geometric`): few packs, and only
        the small ones rewritten. Crash-safe: git writes the new pack before it deletes
        what it replaces.

        A partial cache (older history fetched without its blobs) cannot repack
        geometrically (git 2.39: "cannot use internal rev list with --stdin-packs"): its
        loose objects go into a pack, and past `pack_limit` packs everything is packed
        again, without the bitmap index that a pack with missing objects cannot have."""
        timeout = self.timeouts.maintenance
        if not self.is_partial():
            self._run("repack", "-d", "-q", "--geometric=2", timeout=timeout)
        elif packs > pack_limit:
            self.repack_all(prune=False)
        else:
            self._run("repack", "-d", "-q", timeout=timeout)

    def repack_all(self, *, prune: bool = True) -> None:
        """Everything reachable into one pack; with `prune`, what is not (history behind a
        new shallow boundary) is dropped, packed or loose. No bitmap: a shallow or partial
        cache's pack cannot have one."""
        timeout = self.timeouts.maintenance
        self._run("-c", "repack.writeBitmaps=false", "repack", "-a", "-d", "-q", timeout=timeout)
        if prune:
            self._run("prune", "--expire=now", timeout=timeout)

    def lfs_version(self) -> Result:
        # Needs no repository: it may run before the cache exists.
        return execute.run(
            ("git", "lfs", "version"), Call(timeout=self.timeouts.probe), check=False
        )

    def lfs_push(self, oids: Iterable[str]) -> Result:
        data = "".join(f"{oid}\n" for oid in oids).encode()
        return self._run(
            "lfs", "push", "--object-id", "origin", "--stdin", input=data, network=True, check=False
        )

    def lfs_fetch(self, commit: str, *, include: str | None = None) -> Result:
        """Download the LFS objects of one commit that are not stored yet; with `include`
        (comma-separated paths), only those."""
        options = [f"--include={include}"] if include else []
        return self._run("lfs", "fetch", *options, "origin", commit, network=True, check=False)


@dataclass(frozen=True)
class Change:
    """One path a commit changed: its blob before and after (ZERO_SHA: none)."""

    old: str
    new: str
    path: str
    mode: str = "100644"  # after the change


def parse_raw_log(out: bytes) -> list[tuple[str, list[Change]]]:
    """The output of `Git.log(fmt="%x1e...", raw=True)`: each commit's formatted header
    (what follows the \\x1e) and the paths it changed."""
    commits = []
    for record in out.split(b"\x1e")[1:]:
        header, _, rest = record.partition(b"\0")
        tokens = rest.lstrip(b"\n").split(b"\0")
        changes = [
            _change(meta, path)
            for meta, path in zip(tokens[0::2], tokens[1::2], strict=False)
            if meta.startswith(b":")
        ]
        commits.append((header.decode("utf-8", "replace"), changes))
    return commits


def _change(meta: bytes, path: bytes) -> Change:
    _, mode, old, new, _ = meta[1:].decode().split()
    return Change(old, new, path.decode("utf-8", "surrogateescape"), mode)


def _parse_batch(out: bytes) -> Iterator[tuple[str, bytes]]:
    position = 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode().split()
        position = header_end + 1
        if len(header) == 2 and header[1] == "missing":
            continue
        sha, _kind, size = header[0], header[1], int(header[2])
        yield sha, out[position : position + size]
        position += size + 1
