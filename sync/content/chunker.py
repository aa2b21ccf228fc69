"""Cutting a file into chunks, the unit of deduplication.

SQLite files change page by page in place, so they are cut into fixed blocks
aligned to their pages (every SQLite page size divides 16 KiB or is a multiple
of it). Other files are cut where their content says (FastCDC), so bytes
inserted in the middle shift no boundary after them. bench/chunking.py holds
the measurements behind both choices and sizes (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pyfastcdc import FastCDC

BLOCK = 16 * 1024
SQLITE_CHUNKER = "sqlite-pages-16k"
CONTENT_CHUNKER = "fastcdc-16k"
_CDC = FastCDC(BLOCK)  # chunks of 4 to 64 KiB, about 20 KiB on average


def chunker_for(*, sqlite: bool) -> str:
    return SQLITE_CHUNKER if sqlite else CONTENT_CHUNKER


def cut(source: BinaryIO, *, sqlite: bool) -> Iterator[bytes]:
    """The file's chunks in order; memory stays at one chunk whatever the file's size."""
    if sqlite:
        while block := source.read(BLOCK):
            yield block
        return
    for chunk in _CDC.cut_stream(source):
        yield bytes(chunk.data)  # valid only until the next chunk is cut
