"""Compaction: keep the packs a restore downloads few and dense, at a bounded cost in quota.

Every small backup writes a small pack, and later backups make most of its chunks
dead (a chat database's last page is rewritten every minute). A restore downloads
whole packs, so without compaction a year of minute backups would name 175,000
packs, mostly dead. But every byte compaction writes is new LFS storage, which
GitHub never frees, so the policy is a budget:

- **Small packs merge by tiers.** A pack under 64 KiB is tier 0, one under 1 MiB
  tier 1. When a tier holds 16 packs, it (with the tiers below) is merged into one
  pack of its live chunks. A chunk moves up at most a few times before it sits in
  a pack of 1 MiB or more, and the tree names at most 30 small packs.
- **Sparse packs are rewritten** when the dead bytes of every pack the backup names
  pass 20% of the live ones (and 64 KiB): the sparsest first, until under 10% are
  left. So a restore downloads at most about 1.2 times the live data, plus 64 KiB.
- **At most 64 MiB** is written by one backup's compaction; the rest waits.
- Only packs in the local store are compacted: compaction never downloads.

Frames are copied as they are stored (no recompression), each once its content was
checked against its chunk's id: a damaged cached pack is dropped, never copied. The
manifests that point into a retired pack are rewritten to the new one. The file
contents never change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import DamagedPack, PackReader, PackWriter
from sync.repo.lfs import LfsStore, Pointer

log = logging.getLogger(__name__)
KIB, MIB = 1024, 1024 * 1024
TIERS = (64 * KIB, 1 * MIB)  # upper bounds of tiers 0 and 1; larger packs are full
TIER_LIMIT = 16
WASTE = 0.2
MIN_WASTE = 64 * KIB  # less is not worth a rewrite, whatever the ratio
BUDGET = 64 * MIB


@dataclass(frozen=True)
class PackUse:
    """A pack a backup names: its size, and the stored bytes of the chunks still used."""

    oid: str
    size: int
    live: int

    @property
    def tier(self) -> int:
        return next((t for t, bound in enumerate(TIERS) if self.size < bound), len(TIERS))


def pack_uses(manifests: Iterable[Manifest]) -> list[PackUse]:
    sizes: dict[str, int] = {}
    frames: dict[tuple[str, int], int] = {}  # a frame two files use counts once
    for manifest in manifests:
        sizes.update(manifest.pack_sizes)
        frames.update(manifest.frames)
    live: dict[str, int] = defaultdict(int)
    for (pack, _), length in frames.items():
        live[pack] += length
    return [PackUse(oid, size, live[oid]) for oid, size in sorted(sizes.items())]


def choose(uses: list[PackUse], local: set[str]) -> set[str]:
    """The packs to retire: a full small tier, then sparse packs, local ones, in budget."""
    sparse = _sparse(uses)
    retire, cost = set(), 0
    for use in _small_tier(uses) + sparse:
        if use.oid in local and use.oid not in retire and cost + use.live <= BUDGET:
            retire.add(use.oid)
            cost += use.live
    # One pack merged alone gains nothing; a sparse one rewritten alone sheds its dead bytes.
    worth = len(retire) > 1 or retire <= {u.oid for u in sparse}
    return retire if worth else set()


def _small_tier(uses: list[PackUse]) -> list[PackUse]:
    for tier in reversed(range(len(TIERS))):
        if sum(u.tier == tier for u in uses) >= TIER_LIMIT:
            return sorted((u for u in uses if u.tier <= tier), key=lambda u: u.size)
    return []


def _sparse(uses: list[PackUse]) -> list[PackUse]:
    """Once the dead bytes pass WASTE of the live ones: packs of any size, sparsest first,
    until the dead bytes left are under half of that (so that a rewrite is not due again
    a backup later)."""
    live = sum(u.live for u in uses)
    dead = sum(u.size - u.live for u in uses)
    if dead <= max(WASTE * live, MIN_WASTE):
        return []
    picked = []
    for use in sorted(uses, key=lambda u: u.live / u.size if u.size else 1.0):
        if dead <= WASTE / 2 * live:
            break
        picked.append(use)
        dead -= use.size - use.live
    return picked


def compact(
    store: LfsStore, manifests: dict[str, Manifest]
) -> tuple[dict[str, Manifest], dict[str, int]]:
    """Rewrite the live chunks of the packs `choose` retires into new packs: the manifests
    that changed (by path) and the new packs ({oid: size}). Both empty when none is due.

    Every frame is checked against its chunk's id before it is copied. A cached pack
    that fails (a flipped byte on disk) is dropped from the cache, never copied: the
    remote's copy is the one backups name, and compaction goes on without it."""
    uses = pack_uses(manifests.values())
    local = {u.oid for u in uses if store.has(Pointer(u.oid, u.size))}
    while True:
        retire = choose(uses, local)
        if not retire:
            return {}, {}
        try:
            return _rewrite(store, manifests, retire)
        except DamagedPack as damaged:
            for oid in damaged.packs:
                log.warning("Dropping damaged pack %s from the cache", oid[:12])
                store.delete(oid)
                local.discard(oid)


def _rewrite(
    store: LfsStore, manifests: dict[str, Manifest], retire: set[str]
) -> tuple[dict[str, Manifest], dict[str, int]]:
    writer = PackWriter(store)
    tickets: dict[tuple[str, int], int] = {}
    try:
        with PackReader(store) as reader:
            wanted: dict[tuple[str, int], ChunkRef] = {}
            for manifest in manifests.values():
                for chunk in manifest.chunks:
                    if chunk.pack in retire:
                        wanted.setdefault((chunk.pack, chunk.offset), chunk)
            for chunk, frame in reader.verified_frames(list(wanted.values())):
                tickets[(chunk.pack, chunk.offset)] = writer.add_frame(frame)
        sealed, placements = writer.finish()
    except BaseException:
        writer.discard()
        raise
    moved = {}
    for key, ticket in tickets.items():
        placement = placements[ticket]
        moved[key] = (sealed[placement.pack], placement.offset)
    rewritten = {
        path: _moved(manifest, moved)
        for path, manifest in manifests.items()
        if retire & manifest.pack_sizes.keys()
    }
    return rewritten, dict(sealed)


def _moved(
    manifest: Manifest, moved: dict[tuple[str, int], tuple[tuple[str, int], int]]
) -> Manifest:
    chunks, sizes = [], {}
    for chunk in manifest.chunks:
        target = moved.get((chunk.pack, chunk.offset))
        if target is None:
            chunks.append(chunk)
            sizes[chunk.pack] = manifest.pack_sizes[chunk.pack]
        else:
            (oid, size), offset = target
            chunks.append(ChunkRef(chunk.id, chunk.size, oid, offset, chunk.length))
            sizes[oid] = size
    return Manifest(manifest.size, manifest.sha256, manifest.chunker, tuple(chunks), sizes)
