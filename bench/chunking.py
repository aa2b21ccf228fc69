"""Which chunking makes a backup cost what changed: measured on SQLite workloads.

For each workload the data is snapshotted before and after (SQLite files through
the backup API, as a backup does), both snapshots are cut into chunks, and the
chunks of the second that the first lacks are what a backup would upload: raw,
and compressed with zstd level 3. Candidates: fixed blocks (aligned to SQLite
pages, whose sizes divide 64 KiB) and FastCDC content-defined chunks.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import zstandard
from pyfastcdc import FastCDC

from bench import datasets
from sync.sqlitefile import backup_copy, is_sqlite

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
