"""Cutting a file into chunks, the unit of deduplication.

SQLite files change page by page in place, so they are cut into fixed blocks
aligned to their pages (every SQLite page size divides 4 KiB or is a multiple of
it): 4 KiB, SQLite's default page size, so a touched page costs one page. Files
backed up at 8 or 16 KiB blocks by an earlier Kura keep them (`sqlite_chunker`).
Other files are cut where their content says (FastCDC), so bytes
inserted in the middle shift no boundary after them. bench/chunking.py holds
the measurements behind both choices and sizes (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pyfastcdc import FastCDC

BLOCK = 16 * 1024
CONTENT_CHUNKER = "fastcdc-16k"
# Fixed blocks for databases, by name: a manifest says which cut its file.
SQLITE_BLOCKS = {f"sqlite-pages-{size // 1024}k": size for size in (4096, 8192, 16384)}
SQLITE_CHUNKER = "sqlite-pages-4k"  # a new database's: bench/chunking.py measured why
_READ = 1024 * 1024
_CDC = FastCDC(BLOCK)  # chunks of 4 to 64 KiB, about 20 KiB on average


def sqlite_chunker(previous: str | None) -> str:
    """A database keeps the blocks its last backup used: other blocks would make every
    chunk new, and the next backup would upload the whole file."""
    return previous if previous in SQLITE_BLOCKS else SQLITE_CHUNKER


def cut(source: BinaryIO, chunker: str) -> Iterator[bytes]:
    """The file's chunks in order; memory stays at one read whatever the file's size."""
    block = SQLITE_BLOCKS.get(chunker)
    if block is not None:
        # Large reads (fewer calls for a database's many small blocks), cut into blocks.
        while buffer := source.read(_READ):
            for start in range(0, len(buffer), block):
                yield buffer[start : start + block]
        return
    for chunk in _CDC.cut_stream(source):
        yield bytes(chunk.data)  # valid only until the next chunk is cut
