"""A large document is read in the worker process, exactly as a small one is read here."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from chatbot import reading
from chatbot.parsing import UnreadableDocument
from chatbot.reading import OFFLOAD_BYTES, _read, read_passages


def test_a_large_document_reads_the_same_in_the_worker() -> None:
    page = "# Guide\n\n" + "".join(
        f"## Part {i}\n\nThe otter sleeps, part {i}.\n\n" for i in range(9000)
    )
    raw = page.encode()
    assert len(raw) >= OFFLOAD_BYTES
    assert read_passages("guide.md", raw) == _read("guide.md", raw)
    assert reading._WORKER.pid not in (None, os.getpid())  # read there: this one stayed free


def test_the_worker_gets_no_secret_and_a_dead_one_is_replaced(monkeypatch) -> None:
    monkeypatch.setenv("SHARED_PASSWORD", "hunter2-secret")
    page = ("# Guide\n\n" + "The otter sleeps. " * 20000).encode()
    reading._WORKER._stop()
    read_passages("guide.md", page)
    pid = reading._WORKER.pid
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert b"hunter2-secret" not in environ and b"SHARED_PASSWORD" not in environ
    os.kill(pid, signal.SIGKILL)
    assert read_passages("guide.md", page) == _read("guide.md", page)  # here, or anew
    assert read_passages("guide.md", page).title == "Guide"
    assert reading._WORKER.pid not in (None, pid)


def test_a_large_unreadable_document_is_refused_from_the_worker() -> None:
    with pytest.raises(UnreadableDocument, match="binary"):
        read_passages("blob.md", b"\0" * OFFLOAD_BYTES)
