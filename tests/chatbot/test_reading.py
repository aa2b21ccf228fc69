"""A large document is read in the worker process, exactly as a small one is read here."""

from __future__ import annotations

import os

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
    workers = reading._pool._processes  # read there: this interpreter stayed free
    assert workers and os.getpid() not in workers


def test_a_large_unreadable_document_is_refused_from_the_worker() -> None:
    with pytest.raises(UnreadableDocument, match="binary"):
        read_passages("blob.md", b"\0" * OFFLOAD_BYTES)
