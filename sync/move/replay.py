"""The kept backups committed again on the new repository, as they were made.

Each new commit keeps its original's author, committer, dates and message (kind,
note, host), with its manifests pointing into the dense packs, its `Kura-Storage`
figures counted for the new repository, `Kura-Restored`/`Kura-Replaced` naming the
new commits (dropped when what they name did not move), and `Kura-Moved-From` naming
the original (then, for a backup moved before, the ones it came from). Trees come from
one `git fast-import` (the changes between consecutive backups, not whole trees);
commits are then written by id in one `git hash-object`, so a move costs a few
processes whatever the number of backups.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sync.content.manifest import blob_id
from sync.content.relocate import Place, Relocated, Relocator
from sync.layout.commits import Storage
from sync.layout.stored import DATA_PREFIX, pack_path, piece_path
from sync.move.dense import BATCH, Contents, data_blobs
from sync.move.kept import KeptBackup
from sync.move.marker import MOVED_FROM
from sync.repo.git import Git
from sync.repo.lfs import Pointer

SCRATCH_REF = "refs/kura/move-trees"
_TRAILER = re.compile(r"[A-Za-z][A-Za-z0-9-]*: ")
_REFERENCES = ("Kura-Restored", "Kura-Replaced")
Entries = dict[str, tuple[str, str]]  # path: (mode, blob)


@dataclass(frozen=True)
class Replayed:
    commits: dict[str, str]  # original: new, oldest first
    storage: Storage  # the new repository's figures after the newest


def replay(
    git: Git,
    contents: Contents,
    kept: list[KeptBackup],
    places: Mapping[str, Place],
    *,
    parent: str | None,
    before: Storage,
    seen: set[str],
) -> Replayed:
    """Write the new commits into `git` (whose objects include the old repository's, as
    an alternate) on top of `parent`, whose history names the LFS objects `seen`, with
    `before` its figures: `contents` holds the manifests as read. Nothing is pushed."""
    with tempfile.TemporaryFile(prefix="kura-move-") as stream:
        trees = _Trees(contents, Relocator(places, contents.pieces), stream)
        shapes = trees.build(kept)
        stream.seek(0)
        tree_ids = _import(git, stream, len(kept))
    commits: dict[str, str] = {}
    bodies: list[bytes] = []
    storage = before
    for backup, tree, named in zip(kept, tree_ids, shapes, strict=True):
        new = {o: s for o, s in named.items() if o not in seen}
        seen |= new.keys()
        added = sum(new.values())
        storage = Storage(
            added, storage.bytes + added, storage.objects + len(new), storage.backups + 1
        )
        body = _commit(backup, tree, parent, _message(backup, commits, storage))
        parent = _object_id(body)
        commits[backup.sha] = parent
        bodies.append(body)
    _write_commits(git, bodies, list(commits.values()))
    return Replayed(commits, storage)


@dataclass
class _Trees:
    """The fast-import stream of every new tree, built a batch of backups at a time."""

    contents: Contents
    relocator: Relocator
    stream: BinaryIO  # written as built: its size follows the history moved
    relocated: dict[str, tuple[str, Relocated]] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)

    def build(self, kept: list[KeptBackup]) -> list[dict[str, int]]:
        """Add every backup's tree to the stream; the LFS objects each names."""
        named, previous = [], {}
        self.stream.write(b"feature done\n")
        for start in range(0, len(kept), BATCH):
            batch = kept[start : start + BATCH]
            self._relocate(batch)
            for index, backup in enumerate(batch, start):
                entries, objects = self._entries(backup)
                self.stream.write(_commit_command(index + 1, entries, previous))
                previous = entries
                named.append(objects)
        self.stream.write(b"done\n")
        return named

    def _relocate(self, batch: list[KeptBackup]) -> None:
        """The batch's manifests relocated (read once, by `read_contents`)."""
        for backup in batch:
            for sha in data_blobs(backup).values():
                text = self.contents.manifests.get(sha)
                if text is not None and sha not in self.relocated:
                    new = self.relocator.manifest(text)
                    self.relocated[sha] = (blob_id(new.data), new)
                    self._blob(new.data)
        for data in self.relocator.take_pieces().values():
            self._blob(data)

    def _entries(self, backup: KeptBackup) -> tuple[Entries, dict[str, int]]:
        entries: Entries = {p: (e.mode, e.sha) for p, e in backup.entries.items()}
        packs: dict[str, int] = {}
        whole: dict[str, int] = {}
        pieces: set[str] = set()
        for path, sha in data_blobs(backup).items():
            if sha in self.relocated:
                blob, new = self.relocated[sha]
                entries[DATA_PREFIX + path] = (entries[DATA_PREFIX + path][0], blob)
                packs.update(new.packs)
                pieces.update(new.pieces)
            elif (pointer := self.contents.pointers.get(sha)) is not None:
                whole[pointer.oid] = pointer.size
        for oid, size in packs.items():
            entries[pack_path(oid)] = ("100644", self._blob(Pointer(oid, size).encode()))
        for piece in pieces:
            entries[piece_path(piece)] = ("100644", piece)
        return entries, packs | whole

    def _blob(self, data: bytes) -> str:
        blob = blob_id(data)
        if blob not in self.written:
            self.written.add(blob)
            self.stream.write(b"blob\ndata %d\n%s\n" % (len(data), data))
        return blob


def _commit_command(mark: int, entries: Entries, previous: Entries) -> bytes:
    lines = [
        f"commit {SCRATCH_REF}",
        f"mark :{mark}",
        "committer Kura <kura@localhost> 0 +0000",
        "data 0",
    ]
    if mark == 1:
        lines.append("deleteall")
        previous = {}
    lines += [f"D {_quote(p)}" for p in previous if p not in entries]
    lines += [
        f"M {mode} {sha} {_quote(p)}"
        for p, (mode, sha) in sorted(entries.items())
        if previous.get(p) != (mode, sha)
    ]
    return ("\n".join(lines) + "\n\n").encode("utf-8", "surrogateescape")


def _quote(path: str) -> str:
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _import(git: Git, stream: BinaryIO, count: int) -> list[str]:
    """Run the stream; the tree of each of its `count` commits, in order."""
    with tempfile.TemporaryDirectory(prefix="kura-move-") as scratch:
        marks = Path(scratch) / "marks"
        git.fast_import(stream, marks)
        commits = dict(line.split() for line in marks.read_text().splitlines())
    ordered = [commits[f":{n}"] for n in range(1, count + 1)]
    bodies = git.cat_blobs(ordered)
    git.delete_ref(SCRATCH_REF)
    return [bodies[c].split(b"\n", 1)[0].split()[1].decode() for c in ordered]


def _message(backup: KeptBackup, moved: Mapping[str, str], storage: Storage) -> str:
    """The original message, with its trailers for the new repository."""
    lines = backup.message.rstrip("\n").split("\n")
    kept_lines, earlier = [], []
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep and key in (*_REFERENCES, "Kura-Storage", MOVED_FROM):
            if key in _REFERENCES and value.strip() in moved:
                kept_lines.append(f"{key}: {moved[value.strip()]}")
            elif key == MOVED_FROM:
                earlier.append(value.strip())
            continue
        kept_lines.append(line)
    text = "\n".join(kept_lines).rstrip("\n")
    last = text.rsplit("\n\n", 1)[-1] if "\n\n" in text else ""
    joined = all(_TRAILER.match(line) for line in last.split("\n")) if last else False
    # The original first (a resumed move reads it), then the ones it was moved from: a
    # host whose last backup was moved twice still finds its copy.
    ours = f"{storage.trailer()}\n" + "".join(
        f"{MOVED_FROM}: {sha}\n" for sha in (backup.sha, *earlier)
    )
    return f"{text}\n{ours}" if joined else f"{text}\n\n{ours}"


def _commit(backup: KeptBackup, tree: str, parent: str | None, message: str) -> bytes:
    head = [f"tree {tree}"]
    if parent:
        head.append(f"parent {parent}")
    head += [f"author {backup.author}", f"committer {backup.committer}"]
    return ("\n".join(head) + "\n\n" + message).encode("utf-8", "surrogateescape")


def _object_id(body: bytes) -> str:
    return hashlib.sha1(b"commit %d\0" % len(body) + body, usedforsecurity=False).hexdigest()


def _write_commits(git: Git, bodies: list[bytes], expected: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="kura-move-") as scratch:
        paths = []
        for index, body in enumerate(bodies):
            path = Path(scratch) / str(index)
            path.write_bytes(body)
            paths.append(path)
        written = git.write_objects(paths, kind="commit")
    if written != expected:
        raise RuntimeError("git named a moved commit otherwise than Kura computed")
