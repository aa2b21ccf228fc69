"""Sections to passages of a searchable size, split at paragraph and sentence ends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.parsing import Document

TARGET = 700  # characters: a paragraph or two, enough context for an answer
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    section: str
    text: str


def chunk(document: Document, *, target: int = TARGET) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in document.sections:
        for text in _split(section.text, target):
            chunks.append(Chunk(len(chunks), section.heading, text))
    return chunks


def _split(text: str, target: int) -> list[str]:
    pieces = [p for line in text.split("\n") for p in _sentences(line, target)]
    out, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) + 1 > target:
            out.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        out.append(current)
    return out


def _sentences(line: str, target: int) -> list[str]:
    if len(line) <= target:
        return [line]
    parts = [p for p in _SENTENCE_END.split(line) if p]
    # A sentence longer than the target is cut hard, so no passage grows unbounded.
    return [p[i : i + target] for p in parts for i in range(0, len(p), target)]
