"""Parsed manifests kept on disk beside the cache, for the next process.

A process that starts (`python -m sync backup` from cron, a restore on a host that
backed up before) would otherwise read and parse every piece of its parent's
manifests again: 48,000 chunk lines and 1,000 blobs for 300 MB of databases, most
of a small backup's time. Here each is one file, named by the manifest's blob id:
a blob never changes, so an entry is never stale. The parsed table is stored as
`marshal` data behind its sha256, so a damaged or torn file is ignored (and
deleted) and the manifest is parsed from git as before. Only the manifests of the
last backup recorded are kept: the files follow the data's size, never the number
of backups.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sync.content.manifest import ChunkRef, Manifest

log = logging.getLogger(__name__)

DIRECTORY = "kura-parsed"  # inside the cache's git directory, which git leaves alone
MAGIC = b"kura-parsed 1 %d\n" % marshal.version  # another Python's marshal: parse again
_BLOB = re.compile(r"[0-9a-f]{40}\Z")


def load(git_dir: Path, blob: str) -> Manifest | None:
    """The manifest stored as blob `blob`, when a sound entry holds it."""
    path = git_dir / DIRECTORY / blob
    try:
        data = path.read_bytes()
    except OSError:
        return None
    manifest = _decode(data)
    if manifest is None:
        log.info("Ignoring a damaged parsed manifest %s", blob[:12])
        with contextlib.suppress(OSError):
            path.unlink()
    return manifest


def keep(git_dir: Path, manifests: Mapping[str, Manifest]) -> None:
    """Store these manifests (by blob id) and drop every other entry. Best effort: a
    full or read-only disk only costs the next process a parse."""
    directory = git_dir / DIRECTORY
    try:
        directory.mkdir(exist_ok=True)
        present = set(os.listdir(directory))
        for blob, manifest in manifests.items():
            if blob not in present and _BLOB.match(blob):
                _write(directory / blob, _encode(manifest))
        for name in present - manifests.keys():
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()
    except OSError as exc:
        log.info("Parsed manifests not kept (%s): the next process parses them", exc)


def _encode(manifest: Manifest) -> list[bytes]:
    """The entry's parts. The chunk table goes column by column: five lists of the
    chunks' own fields cost a fifth of a tuple per chunk (1 GB of databases is 250,000
    chunks, encoded at the end of a backup)."""
    columns = [
        [chunk[field] for chunk in manifest.chunks] for field in range(len(ChunkRef._fields))
    ]
    payload = marshal.dumps(
        (
            manifest.size,
            manifest.sha256,
            manifest.chunker,
            manifest.version,
            manifest.piece_blobs,
            dict(manifest.pack_sizes),
            columns,
        )
    )
    return [MAGIC, hashlib.sha256(payload).digest(), payload]


def _decode(data: bytes) -> Manifest | None:
    start = len(MAGIC) + 32
    payload = memoryview(data)[start:]  # not copied: a large database's entry is 20 MB
    if not data.startswith(MAGIC) or hashlib.sha256(payload).digest() != data[len(MAGIC) : start]:
        return None
    try:
        size, sha256, chunker, version, pieces, packs, columns = marshal.loads(payload)
        chunks = tuple(map(ChunkRef._make, zip(*columns, strict=True)))
    except (ValueError, TypeError, EOFError):
        return None
    if sum(chunk.size for chunk in chunks) != size:
        return None
    return Manifest(size, sha256, chunker, chunks, packs, version, tuple(pieces))


def _write(path: Path, parts: list[bytes]) -> None:
    """Whole or not at all; no fsync: a torn file fails its hash and is parsed again."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(parts)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
