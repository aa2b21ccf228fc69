"""Sections to passages of a searchable size that follow the document's own divisions.

A passage is a section, or a run of its blocks (paragraphs, lists, tables, code), cut
only between blocks. A block larger than a passage is cut at its own joints: a list or
table between lines, a paragraph between sentences, a sentence between words. A code
block stays whole up to CODE_LIMIT, so an answer can quote it as it was written; a longer
one is cut between lines, each piece fenced again with its language (chatbot/fences.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chatbot.fences import blocks, is_list, list_items, slices
from chatbot.parsing import Document

# Bumped when parsing or cutting changes what a page's passages are, so re-importing an
# unchanged file re-indexes it rather than keeping passages of the older kind.
PASSAGES_VERSION = 6
TARGET = 700  # characters: a paragraph or two, enough context for an answer
CODE_LIMIT = 3 * TARGET
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_WORD_BREAK = re.compile(r"[\s、，,]")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    section: str  # the heading path: "Deployment › Server Workers"
    text: str


def chunk(document: Document, *, target: int = TARGET) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in document.sections:
        for text in _pack(_pieces(section.text, target), target):
            chunks.append(Chunk(len(chunks), section.heading, text))
    return chunks


def _pack(pieces: Iterator[tuple[str, str]], target: int) -> list[str]:
    """Join pieces up to the target; whole blocks join with a blank line, parts of one
    block with the joint they were cut at. A paragraph that introduces the block after it
    (see `_introduces`) starts the next passage with it rather than end this one alone."""
    out, current, last = [], "", ""
    for joint, piece in pieces:
        if not current or len(current) + len(joint) + len(piece) <= target:
            current = f"{current}{joint}{piece}" if current else piece
        elif last and joint == "\n\n" and _introduces(last, piece):
            before = current[: -len(last)].rstrip("\n")  # `current` ends with `last`
            if before:
                out.append(before)
            current = f"{last}{joint}{piece}"
        else:
            out.append(current)
            current = piece
        last = piece
    if current:
        out.append(current)
    return out


def _introduces(paragraph: str, block: str) -> bool:
    """A paragraph right before a code block says what the code does; one that ends on a
    colon announces the list or table after it."""
    if paragraph.lstrip().startswith(("```", "~~~", "|", ">")) or is_list(paragraph):
        return False
    if block.startswith(("```", "~~~")):
        return True
    return paragraph.rstrip().endswith((":", "：")) and (block.startswith("|") or is_list(block))


def _pieces(text: str, target: int) -> Iterator[tuple[str, str]]:
    for block in blocks(text):
        code = block.startswith(("```", "~~~"))
        if len(block) <= target or (code and len(block) <= CODE_LIMIT):
            yield "\n\n", block
        elif "```" in block or "~~~" in block:  # cut between lines, its fences kept whole
            yield from (("\n\n", piece) for piece in slices(block, CODE_LIMIT if code else target))
        elif "\n" in block and is_list(block):
            yield from _items(block, target)
        elif "\n" in block:
            yield from _lines(block, target)
        else:
            yield from _sentences(block, target)


def _items(block: str, target: int) -> Iterator[tuple[str, str]]:
    """A long list cut between its items: a passage starts at an item's marker, not inside
    its second paragraph."""
    yield from _parts(list_items(block), target)


def _lines(block: str, target: int) -> Iterator[tuple[str, str]]:
    yield from _parts(block.split("\n"), target)


def _parts(parts: list[str], target: int) -> Iterator[tuple[str, str]]:
    """Parts of one block, joined by a line break; a part longer than a passage is cut at
    its lines, or at its sentences."""
    joint = "\n\n"
    for part in parts:
        if len(part) <= target:
            yield joint, part
        else:
            cut = _lines(part, target) if "\n" in part else _sentences(part, target)
            yield from ((joint if i == 0 else j, piece) for i, (j, piece) in enumerate(cut))
        joint = "\n"


def _sentences(paragraph: str, target: int, joint: str = "\n\n") -> Iterator[tuple[str, str]]:
    for sentence in (s for s in SENTENCE_END.split(paragraph) if s):
        for part in _words(sentence, target):
            yield joint, part
            joint = " " if not _is_cjk(part[-1]) else ""


def _words(sentence: str, target: int) -> Iterator[str]:
    """A sentence longer than a passage, cut at the last space or comma before the limit;
    unspaced text without one is cut at the limit."""
    start, end = 0, len(sentence)  # cut by position: slicing off the rest each time is quadratic
    while end - start > target:
        breaks = [m.end() for m in _WORD_BREAK.finditer(sentence, start, start + target)]
        cut = breaks[-1] if breaks and breaks[-1] - start > target // 2 else start + target
        yield sentence[start:cut].rstrip()
        start = cut
        while start < end and sentence[start].isspace():
            start += 1
    if start < end:
        yield sentence[start:]


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"
