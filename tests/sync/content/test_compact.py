"""The compaction policy: small tiers merge, sparse packs are rewritten, within budget."""

from __future__ import annotations

import hashlib
import os

from sync.content.compact import BUDGET, TIER_LIMIT, PackUse, choose, compact, pack_uses
from sync.content.manifest import ChunkRef, Manifest
from sync.content.pack import PackReader, PackWriter
from sync.repo.lfs import LfsStore

KIB, MIB = 1024, 1024 * 1024


def uses(*sizes: int, live: float = 1.0) -> list[PackUse]:
    return [PackUse(f"{i:064x}", size, int(size * live)) for i, size in enumerate(sizes)]


def oids(packs: list[PackUse]) -> set[str]:
    return {p.oid for p in packs}


def test_a_tier_merges_once_it_holds_its_limit_and_not_before() -> None:
    few = uses(*[5 * KIB] * (TIER_LIMIT - 1), 8 * MIB)
    assert choose(few, oids(few)) == set()
    full = uses(*[5 * KIB] * TIER_LIMIT, 8 * MIB)
    assert choose(full, oids(full)) == oids(full[:TIER_LIMIT])


def test_a_full_tier_one_takes_tier_zero_with_it_but_never_a_full_pack() -> None:
    packs = uses(*[100 * KIB] * TIER_LIMIT, 3 * KIB, 3 * KIB, 8 * MIB)
    assert choose(packs, oids(packs)) == oids(packs[:-1])


def test_sparse_packs_go_once_the_waste_passes_a_fifth_of_the_live_bytes() -> None:
    dense = uses(8 * MIB, 8 * MIB, 8 * MIB)
    sparse = [PackUse("f" * 64, 8 * MIB, 2 * MIB)]  # 6 MiB dead of 26
    assert choose(dense + sparse, oids(dense + sparse)) == {"f" * 64}
    slightly = [PackUse("e" * 64, 8 * MIB, 6 * MIB)]  # 2 MiB dead of 30: under a fifth
    assert choose(dense + slightly, oids(dense + slightly)) == set()


def test_only_local_packs_and_only_the_budget() -> None:
    packs = uses(*[5 * KIB] * TIER_LIMIT)
    assert choose(packs, oids(packs[:3])) == oids(packs[:3])  # never downloads
    huge = [PackUse(f"{i:064x}", 900 * MIB, 100 * MIB) for i in range(3)]
    assert sum(p.live for p in huge if p.oid in choose(huge, oids(huge))) <= BUDGET


def test_compaction_moves_live_chunks_and_the_content_reads_back(tmp_path) -> None:
    store = LfsStore(tmp_path)
    chunks = [os.urandom(3000) for _ in range(TIER_LIMIT * 2)]
    manifests = {}
    for n in range(TIER_LIMIT):  # one small pack per "backup": one live chunk, one dead
        writer = PackWriter(store)
        tickets = [writer.add(chunks[2 * n]), writer.add(chunks[2 * n + 1])]
        [(oid, size)], placements = writer.finish()
        place = placements[tickets[0]]
        chunk_id = hashlib.sha256(chunks[2 * n]).hexdigest()
        ref = ChunkRef(chunk_id, 3000, oid, place.offset, place.length)
        manifests[f"f{n}"] = Manifest(3000, "0" * 64, "test", (ref,), {oid: size})
    before = pack_uses(manifests.values())
    rewritten, packs = compact(store, manifests)
    assert set(rewritten) == set(manifests) and len(packs) == 1
    [(new, new_size)] = packs.items()
    assert new_size < sum(u.size for u in before) * 0.6  # the dead chunks stayed behind
    with PackReader(store) as reader:
        for n in range(TIER_LIMIT):
            [ref] = rewritten[f"f{n}"].chunks
            assert ref.pack == new and rewritten[f"f{n}"].pack_sizes == {new: new_size}
            assert bytes(next(reader.read([ref]))) == chunks[2 * n]


def test_sparse_rewrites_stop_once_the_waste_is_under_a_tenth() -> None:
    packs = [PackUse(f"{i:064x}", 100 * KIB, (60 + 5 * i) * KIB) for i in range(8)]
    retired = choose(packs, oids(packs))
    kept = [p for p in packs if p.oid not in retired]
    assert retired and kept  # the sparsest went, the densest stayed
    assert max(p.live / p.size for p in packs if p.oid in retired) < min(
        p.live / p.size for p in kept
    )
    dead = sum(p.size - p.live for p in kept)
    assert dead <= 0.1 * sum(p.live for p in packs)


def test_a_small_waste_is_left_alone_whatever_its_ratio() -> None:
    tiny = [PackUse("a" * 64, 40, 13), PackUse("b" * 64, 30, 13)]  # mostly pack headers
    assert choose(tiny, oids(tiny)) == set()
