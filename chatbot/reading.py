"""A document read into passages: in this process when it is small, in a worker process
when it is large, so that a long or hostile upload keeps one core busy but never holds
the server's interpreter from every other session (Python runs one thread at a time).

The worker is `python -m chatbot.reading`, started once and kept: a plain child process
rather than multiprocessing's, which would run the parent's main script again in the
child and hand it the server's whole environment. It gets only what Python needs (no
password, token or key), and reads length-prefixed pickles on stdin: documents, written
by this module alone. If it dies or cannot start, the document is read here instead.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import BinaryIO

from chatbot.chunking import Chunk, chunk
from chatbot.parsing import UnreadableDocument, parse_bytes

# Below this a document reads in well under 0.2 s: a trip to the worker costs more.
OFFLOAD_BYTES = 256 * 1024
# What the worker's Python needs from the environment; nothing secret.
_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
_FRAME = struct.Struct(">Q")

log = logging.getLogger(__name__)


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
        answer = _WORKER.ask((name, raw))
    except Exception:  # noqa: BLE001 - whatever broke the worker, the reading here is exact
        log.warning("the reading worker stopped; %s is read in this process", name)
        return _read(name, raw)
    if isinstance(answer, UnreadableDocument):
        raise answer
    return answer


def _read(name: str, raw: bytes) -> Passages:
    document = parse_bytes(name, raw)
    return Passages(document.name, document.title, chunk(document))


class _Worker:
    """One child process, one question at a time; started again after it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def ask(self, question: tuple[str, bytes]) -> Passages | UnreadableDocument:
        with self._lock:
            try:
                return self._ask(question)
            except BaseException:  # a half-read answer: the next question gets a new worker
                self._stop()
                raise

    def _ask(self, question: tuple[str, bytes]) -> Passages | UnreadableDocument:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        _write(process.stdin, question)
        return _read_frame(process.stdout)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            environment = {k: os.environ[k] for k in _ENVIRONMENT if k in os.environ}
            environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "chatbot.reading"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        return self._process

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


def _write(stream: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def _read_frame(stream: BinaryIO) -> object:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise EOFError("the reading worker ended")
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the reading worker ended")
    return pickle.loads(data)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker's loop: a document in, its passages (or why it is unreadable) out."""
    while True:
        try:
            name, raw = _read_frame(requests)
        except EOFError:
            return
        try:
            answer: object = _read(name, raw)
        except UnreadableDocument as refused:
            answer = refused
        _write(answers, answer)


_WORKER = _Worker()

if __name__ == "__main__":
    # As the module, not as __main__: what it pickles must unpickle as chatbot.reading's.
    from chatbot import reading

    reading.serve(sys.stdin.buffer, sys.stdout.buffer)
