"""Which chunks the remote already holds, so that a backup uploads each one once."""

from __future__ import annotations

from collections.abc import Iterable

from sync.content.manifest import ChunkRef, Manifest


class ChunkIndex:
    """Chunks by id, from the manifests of the backup a new one builds on.

    Every backup's tree names the packs its manifests use, so the parent's
    manifests are a complete, shared index: no machine needs one of its own.
    """

    def __init__(self, manifests: Iterable[Manifest] = ()) -> None:
        manifests = list(manifests)
        self._chunks: dict[str, ChunkRef] = {}  # added by this backup
        # Each manifest's own index, built once per manifest (the app keeps them between
        # backups), not one merged dict of every chunk rebuilt by every backup.
        self._theirs = [m.by_id for m in manifests]
        self._pack_sizes: dict[str, int] = {}
        for manifest in manifests:
            self._pack_sizes.update(manifest.pack_sizes)

    def get(self, chunk_id: str) -> ChunkRef | None:
        found = self._chunks.get(chunk_id)
        if found is None:
            for chunks in self._theirs:
                found = chunks.get(chunk_id)
                if found is not None:
                    break
        return found

    def add(self, chunk: ChunkRef, pack_size: int) -> None:
        self._chunks.setdefault(chunk.id, chunk)
        self._pack_sizes[chunk.pack] = pack_size

    def pack_size(self, oid: str) -> int:
        return self._pack_sizes[oid]
