"""The lines of the found passages that answer a question, so an answer can lead with them.

A passage is cut into units: sentences of a paragraph, the items of a list, the rows of
a table (each under the table's header), a quote or a code block whole. A unit scores
by the question's terms it holds, each weighed by how rare it is in the wiki (inverse
document frequency: "configure" says little, "crlfDelay" a lot), and by the terms its
heading path holds: a short section's lines under "Rotating the token" answer "how do I
rotate the token".
English words match by their first five letters at a word's start (a rough stem);
Japanese by its SudachiPy words.

The lead is the best unit of the best few passages, the passage's rank breaking near
ties, with the units of the same passage that score at least half as well, in the order
the page has them: a code block comes with the sentence that introduces it, a sentence
that introduces a code block with the block (and, ending on a colon, the list or table
after it), and each chosen unit with the two after it while there is room (a fact often
sits a line or two below the sentence naming the terms).
Tuned on the benchmark's corpora (docs/benchmarks.md): heading weight 0, 0.5 and 1, rank
decay 0.7, 0.85 and 1, and 0 to 4 following units were tried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chatbot.chunking import SENTENCE_END
from chatbot.fences import blocks, is_list, list_items
from chatbot.query import Terms, terms

LEAD_CHARS = 520
RANK_DECAY = 0.85  # a passage one place lower needs a unit this much better to lead
HEADING_WEIGHT = 1.0
FOLLOW = 2


@dataclass(frozen=True)
class Lead:
    passage: int  # which of the passages given
    text: str


def lead(
    texts: Sequence[tuple[str, str]],
    question: str,
    weights: Mapping[str, float] | None = None,
    *,
    limit: int | None = None,
) -> Lead:
    """The lines that answer `question` best among passages given as (heading path, text),
    best passage first: which passage, and its units in page order up to `limit`
    characters (at least one unit); the first passage whole when nothing matches."""
    wanted = terms(question)
    weights = weights or {}
    best: tuple[float, int, int] | None = None
    shaped = [_units(text) for _, text in texts]
    parts = [[unit for unit, _, _ in units_] for units_ in shaped]
    scored: list[list[float]] = []
    for rank, (section, _) in enumerate(texts):
        heading = term_score(section, wanted, weights) * HEADING_WEIGHT
        scores = [term_score(unit, wanted, weights) for unit in parts[rank]]
        scored.append(scores)  # within a passage, its units compete on their own words
        for index, score in enumerate(scores):
            weighed = (score + heading) * RANK_DECAY**rank
            if score + heading > 0 and (best is None or weighed > best[0]):
                best = (weighed, rank, index)
    if best is None:
        return Lead(0, texts[0][1] if texts else "")
    _, rank, index = best
    return Lead(rank, _gather(shaped[rank], scored[rank], index, limit or LEAD_CHARS))


def _gather(shaped: list[tuple[str, int, str]], scores: list[float], best: int, limit: int) -> str:
    parts = [unit for unit, _, _ in shaped]
    chosen = _introduced(shaped, parts, {best}, limit)
    for index in sorted(range(len(parts)), key=lambda i: (-scores[i], i)):
        if scores[index] * 2 < scores[best] or index in chosen:
            continue  # a unit that shares a word in passing
        wider = _introduced(shaped, parts, chosen | {index}, limit)
        if _length(parts, wider) > limit:
            break
        chosen = wider
    return _joined(shaped, sorted(_followed(parts, chosen, limit)))


def _followed(parts: list[str], chosen: set[int], limit: int) -> set[int]:
    """The lines right after the chosen ones, while there is room: a fact often sits a
    line or two below the sentence that names the question's terms."""
    wider = set(chosen)
    for index in sorted(chosen):
        after = index + 1
        while after < len(parts) and after not in wider and len(wider) - len(chosen) < FOLLOW:
            if _length(parts, wider | {after}) > limit:
                return wider
            wider.add(after)
            after += 1
    return wider


def _introduced(
    shaped: list[tuple[str, int, str]], parts: list[str], chosen: set[int], limit: int
) -> set[int]:
    """What a chosen unit needs to be read: the sentence that ends a paragraph brings the
    code block that follows it, and, when it ends on a colon ("as follows:", "次のとおり
    です:"), the list or table that follows it, as many items or rows as there is room for;
    a code block brings the sentence before it: documentation says what the code does just
    above it. `parts`: the units' texts."""
    wider = set(chosen)
    for index in sorted(chosen):
        _, block, kind = shaped[index]
        after = index + 1
        if kind == "code" and index > 0 and shaped[index - 1][2] == "prose":
            wider.add(index - 1)
        elif kind == "prose" and after < len(shaped) and shaped[after][1] != block:
            if shaped[after][2] != "code" and not _introduces(shaped[index][0]):
                continue
            wider.add(after)  # the block the sentence introduces: at least its first unit
            following = shaped[after][1]
            more = after + 1
            while more < len(shaped) and shaped[more][1] == following:
                if _length(parts, wider | {more}) > limit:
                    break
                wider.add(more)
                more += 1
    return wider


def _introduces(sentence: str) -> bool:
    """A sentence that ends on a colon announces the block after it."""
    return sentence.rstrip().rstrip("*_").endswith((":", "："))


def units(text: str) -> list[str]:
    """A passage's units: sentences, list items, table rows under their header, and
    quotes and code blocks whole."""
    return [unit for unit, _, _ in _units(text)]


def _units(text: str) -> list[tuple[str, int, str]]:
    """Each unit with its block's number and kind: code, table, list, quote or prose."""
    out = []
    for number, block in enumerate(blocks(text)):
        start = block.lstrip()
        if start.startswith(">"):
            out.append((block, number, "quote"))
        elif "```" in block or "~~~" in block:
            out.append((block, number, "code"))
        elif start.startswith("|"):
            out.extend((row, number, "table") for row in _rows(block))
        elif is_list(start):
            out.extend((item, number, "list") for item in list_items(block))
        else:
            sentences = (s for s in SENTENCE_END.split(block) if s.strip())
            out.extend((sentence, number, "prose") for sentence in sentences)
    return out


def _rows(table: str) -> list[str]:
    """Each row of a table under its header, so the answer can quote the row that holds
    the fact; a table without a header row is one unit."""
    lines = table.split("\n")
    if len(lines) < 3 or not set(lines[1]) <= set("|-: "):
        return [table]
    header = "\n".join(lines[:2])
    return [f"{header}\n{row}" for row in lines[2:]]


def _joined(shaped: list[tuple[str, int, str]], chosen: list[int]) -> str:
    """Units in page order; rows of one table share their header once, and items of one
    list next to each other stay one list."""
    out: list[str] = []
    for at, index in enumerate(chosen):
        part, block, kind = shaped[index]
        previous = chosen[at - 1] if at else None
        if kind == "list" and previous == index - 1 and shaped[previous][1:] == (block, kind):
            out[-1] += "\n" + part
            continue
        if out and part.startswith("|") and out[-1].startswith("|"):
            header = "\n".join(part.split("\n")[:2])
            if out[-1].startswith(header):
                out[-1] += "\n" + part.split("\n", 2)[2]
                continue
        out.append(part)
    return "\n\n".join(out)


def term_score(unit: str, wanted: Terms, weights: Mapping[str, float]) -> float:
    """The weights of the question's terms that `unit` holds."""
    lower = unit.lower()
    found = sum(weights.get(w, 1.0) for w in wanted.words if _has_word(lower, w))
    return found + sum(weights.get(w, 1.0) for w in wanted.japanese if w in lower)


def _has_word(lower: str, word: str) -> bool:
    stem = word[:5]
    at = lower.find(stem)
    while at >= 0:
        if at == 0 or not lower[at - 1].isalnum():
            return True
        at = lower.find(stem, at + 1)
    return False


def _length(parts: list[str], chosen: set[int]) -> int:
    return sum(len(parts[i]) + 2 for i in chosen)
