"""The lines of a passage that answer a question, so an answer can lead with them.

A passage is cut into units: sentences of a paragraph, the items of a list, a table or
a code block whole. Each unit scores by the question's terms it holds (English words by
their first five letters, a rough stem; Japanese by its SudachiPy words, which picked
the lines holding the fact for 52% of the Japanese benchmark's questions against 39%
for two-character pieces of kanji and katakana runs).
The best units, and those holding at least half as many terms, are kept in the order
the page has them, with the code block that follows a chosen sentence, since
documentation introduces code with one.
"""

from __future__ import annotations

import re

from chatbot.chunking import SENTENCE_END
from chatbot.query import Terms, terms

LEAD_CHARS = 450


def best_lines(text: str, question: str, *, limit: int = LEAD_CHARS) -> str:
    """The units of `text` that answer `question` best, in page order, up to `limit`
    characters (at least one unit); the passage's start when nothing matches."""
    wanted = terms(question)
    units = _units(text)
    scores = [_score(unit, wanted) for unit in units]
    if not units or max(scores) == 0:
        return text

    chosen: set[int] = set()
    best = max(scores)
    for index in sorted(range(len(units)), key=lambda i: (-scores[i], i)):
        weak = scores[index] * 2 < best  # a unit that shares a word in passing
        if weak or (chosen and _length(units, chosen | {index}) > limit):
            break
        chosen.add(index)
        if index + 1 < len(units) and units[index + 1].startswith("```"):
            chosen.add(index + 1)
    return "\n\n".join(units[i] for i in sorted(chosen))


def _units(text: str) -> list[str]:
    units = []
    for block in (b.strip("\n") for b in text.split("\n\n")):
        if not block:
            continue
        if block.startswith(("```", "|", "- ", ">")) or re.match(r"\d+\. ", block):
            units.append(block)
        else:
            units.extend(s for s in SENTENCE_END.split(block) if s.strip())
    return units


def _score(unit: str, wanted: Terms) -> int:
    lower = unit.lower()
    found = sum(1 for word in wanted.words if word[:5] in lower)
    return found + sum(1 for word in wanted.japanese if word in lower)


def _length(units: list[str], chosen: set[int]) -> int:
    return sum(len(units[i]) + 2 for i in chosen)
