"""A document read into passages: in this process when it is small, in a worker process
when it is large, so that a long or hostile upload keeps one core busy but never holds
the server's interpreter from every other session (Python runs one thread at a time).

The worker is started once, from a clean forkserver (a fork of a threaded server could
inherit a held lock), and started again if it dies.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from chatbot.chunking import Chunk, chunk
from chatbot.parsing import parse_bytes

# Below this a document reads in well under 0.2 s: a trip to the worker costs more.
OFFLOAD_BYTES = 256 * 1024

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


@dataclass(frozen=True)
class Passages:
    name: str
    title: str
    passages: list[Chunk]


def read_passages(name: str, raw: bytes) -> Passages:
    """The document's title and passages. Raises UnreadableDocument as parse_bytes does."""
    if len(raw) < OFFLOAD_BYTES:
        return _read(name, raw)
    try:
        return _worker().submit(_read, name, raw).result()
    except BrokenProcessPool:  # the worker died (out of memory?): once more, afresh
        _drop_worker()
        return _worker().submit(_read, name, raw).result()


def _read(name: str, raw: bytes) -> Passages:
    document = parse_bytes(name, raw)
    return Passages(document.name, document.title, chunk(document))


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return _pool


def _drop_worker() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
