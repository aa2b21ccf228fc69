"""Which chunking makes a backup cost what changed: measured on SQLite workloads.

For each workload the data is snapshotted before and after (SQLite files through
the backup API, as a backup does), both snapshots are cut into chunks, and the
chunks of the second that the first lacks are what a backup would upload: raw,
and compressed with zstd level 3. Candidates: fixed blocks (aligned to SQLite
pages, whose sizes divide 64 KiB) and FastCDC content-defined chunks.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import zstandard
from pyfastcdc import FastCDC

from bench import datasets
from bench.long_history import du
from sync.local.sqlitefile import backup_copy, is_sqlite

KIB = 1024


@dataclass(frozen=True)
class Chunker:
    name: str
    cut: Callable[[bytes], Iterator[bytes]]


def fixed(size: int) -> Chunker:
    def cut(data: bytes) -> Iterator[bytes]:
        view = memoryview(data)
        for start in range(0, len(data), size):
            yield view[start : start + size]

    return Chunker(f"fixed {size // KIB} KiB", cut)


def fastcdc(average: int) -> Chunker:
    cdc = FastCDC(average)
    return Chunker(
        f"FastCDC avg {average // KIB} KiB", lambda data: (c.data for c in cdc.cut_buf(data))
    )


CHUNKERS = [
    fixed(16 * KIB),
    fixed(64 * KIB),
    fixed(256 * KIB),
    fastcdc(16 * KIB),
    fastcdc(64 * KIB),
]


def snapshot(path: Path, scratch: Path) -> bytes:
    if is_sqlite(path):
        copy = scratch / "copy"
        copy.unlink(missing_ok=True)
        backup_copy(path, copy)
        return copy.read_bytes()
    return path.read_bytes()


def new_bytes(before: bytes, after: bytes, chunker: Chunker) -> tuple[int, int, int]:
    """(raw bytes, zstd bytes, chunk count) of the chunks `after` has that `before` lacks."""
    known = {hashlib.sha256(c).digest() for c in chunker.cut(before)}
    compressor = zstandard.ZstdCompressor(level=3)
    raw = packed = count = 0
    seen = set()
    for chunk in chunker.cut(after):
        count += 1
        key = hashlib.sha256(chunk).digest()
        if key in known or key in seen:
            continue
        seen.add(key)
        raw += len(chunk)
        packed += len(compressor.compress(chunk))
    return raw, packed, count


def run(size_mb: int = 300) -> str:
    with tempfile.TemporaryDirectory(prefix="kura-chunking-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        chat, vectors = data / "chatbot.db", data / "chroma_db" / "chroma.sqlite3"
        segment = datasets.segment_path(data)
        workloads: list[tuple[str, Path, Callable[[], None]]] = [
            ("chat append, 200 rows", chat, lambda: datasets.append_messages(chat)),
            ("vector store update, 100 rows", vectors, lambda: datasets.update_vectors(vectors)),
            ("chat delete, 1,000 rows", chat, lambda: datasets.delete_messages(chat)),
            ("chat VACUUM", chat, lambda: datasets.vacuum(chat)),
            ("segment update, 100 records", segment, lambda: datasets.update_segment(segment)),
        ]
        lines = [
            f"| workload ({size_mb} MB data) | file | "
            + " | ".join(c.name for c in CHUNKERS)
            + " |",
            "| --- | ---: |" + " ---: |" * len(CHUNKERS),
        ]
        for name, path, change in workloads:
            before = snapshot(path, root)
            change()
            after = snapshot(path, root)
            cells = []
            for chunker in CHUNKERS:
                raw, packed, _ = new_bytes(before, after, chunker)
                cells.append(f"{raw / 1e6:.2f} / {packed / 1e6:.2f} MB")
            lines.append(f"| {name} | {len(after) / 1e6:.0f} MB | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(_speed_and_ratio(data, root))
        shutil.rmtree(data)
    return "\n".join(lines)


def _speed_and_ratio(data: Path, scratch: Path) -> str:
    """Cutting speed, chunks per GB (manifest lines), and zstd's ratio on the whole data."""
    blobs = [snapshot(p, scratch) for p in sorted(data.rglob("*")) if p.is_file()]
    total = sum(len(b) for b in blobs)
    rows = ["| chunker | cut + hash (MB/s) | chunks per GB |", "| --- | ---: | ---: |"]
    for chunker in CHUNKERS:
        started, count = time.perf_counter(), 0
        for blob in blobs:
            for chunk in chunker.cut(blob):
                hashlib.sha256(chunk).digest()
                count += 1
        seconds = time.perf_counter() - started
        rows.append(f"| {chunker.name} | {total / 1e6 / seconds:.0f} | {count * 1e9 / total:.0f} |")
    compressor = zstandard.ZstdCompressor(level=3)
    started = time.perf_counter()
    packed = sum(len(compressor.compress(b)) for b in blobs)
    seconds = time.perf_counter() - started
    rows.append(
        f"\nzstd -3 on the whole data: {packed / total:.0%} of {total / 1e6:.0f} MB, "
        f"{total / 1e6 / seconds:.0f} MB/s."
    )
    return "\n".join(rows)


if __name__ == "__main__":
    print(run())


def _wiki(directory: Path, documents: int, seed: int) -> list[Path]:
    """Markdown pages of English and Japanese text, a few sections each."""
    rng, words = random.Random(seed), datasets.vocabulary()
    directory.mkdir(parents=True, exist_ok=True)
    pages = []
    for number in range(documents):
        sections = [
            f"## Section {s}\n\n" + "\n\n".join(datasets.sentence(rng, words, 40) for _ in range(4))
            for s in range(6)
        ]
        page = directory / f"page-{number:04}.md"
        page.write_text(f"# Page {number}\n\n" + "\n\n".join(sections) + "\n")
        pages.append(page)
    return pages


def sqlite_blocks(size_mb: int = 120, repeats: int = 5) -> str:
    """What a database change costs end to end at 4, 8 and 16 KiB blocks: real backups of
    the same data and changes to a local remote, and the remote's growth (LFS packs plus
    git's manifests, trees and commits) per backup, median of `repeats`."""
    from sync.content import chunker as chunker_module

    default = chunker_module.SQLITE_CHUNKER
    columns = []
    try:
        for block in BLOCKS:
            chunker_module.SQLITE_CHUNKER = f"sqlite-pages-{block // KIB}k"
            columns.append(_block_costs(size_mb, repeats))
    finally:
        chunker_module.SQLITE_CHUNKER = default
    rows = [
        f"| workload ({size_mb} MB data) | "
        + " | ".join(f"{b // KIB} KiB blocks" for b in BLOCKS)
        + " |",
        "| --- |" + " ---: |" * len(BLOCKS),
    ]
    for name in columns[0]:
        cells = [f"{c[name][0] / 1e3:.1f} KB ({c[name][1] / 1e3:.1f} KB LFS)" for c in columns]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _block_costs(size_mb: int, repeats: int) -> dict[str, tuple[float, float]]:
    """{workload: (the remote's growth, the LFS part of it)} per backup."""
    from bench.storage import bare
    from chatbot.knowledge import KnowledgeBase
    from config import Settings
    from sync import Workspace, backup

    with tempfile.TemporaryDirectory(prefix="kura-blocks-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        wiki = KnowledgeBase(data / "wiki.db")
        pages = _wiki(root / "pages", 300, seed=1)
        for page in pages:
            wiki.import_file(page)
        remote = bare(root / "remote.git")
        ws = Workspace(Settings(data_dir=data, home=root / "home", data_repo=str(remote)))
        backup(ws)
        chat, vectors = data / "chatbot.db", data / "chroma_db" / "chroma.sqlite3"
        edited = _wiki(root / "edited", 3, seed=2)
        workloads: list[tuple[str, Callable[[int], object]]] = [
            ("chat append, 20 rows", lambda _: datasets.append_messages(chat, 20)),
            ("chat append, 200 rows", lambda _: datasets.append_messages(chat, 200)),
            ("vector store update, 100 rows", lambda _: datasets.update_vectors(vectors)),
            ("wiki: 3 pages re-imported", lambda i: _reimport(wiki, pages, edited, i)),
        ]
        costs = {}
        for name, change in workloads:
            growth = []
            for i in range(repeats):
                change(i)
                before = du(remote), du(remote / "lfs")
                backup(ws)
                growth.append((du(remote) - before[0], du(remote / "lfs") - before[1]))
            costs[name] = (
                statistics.median(g[0] for g in growth),
                statistics.median(g[1] for g in growth),
            )
        return costs


def _reimport(wiki: object, pages: list[Path], edited: list[Path], round_: int) -> None:
    for offset, page in enumerate(edited):
        target = pages[(round_ * 7 + offset * 31) % len(pages)]
        target.write_text(page.read_text() + f"\nEdit {round_}.\n")
        wiki.import_file(target)  # type: ignore[attr-defined]


BLOCKS = (4 * KIB, 8 * KIB, 16 * KIB)
