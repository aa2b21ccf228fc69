"""Answers from the wiki: the lines that answer best, then the other passages.

Without an LLM this is the answer. `sources` are the passages quoted, numbered as the
answer cites them ([1], [2] …), each with its page, its heading path and its place in
the page, so it can be opened in context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from chatbot.fences import head
from chatbot.knowledge import Hit, KnowledgeBase, where
from chatbot.lines import lead, term_score
from chatbot.query import terms

PASSAGES = 3
LEAD_POOL = 5  # the passages whose lines may lead the answer
SEARCHED = 10  # the passages the quoted ones are chosen from
RELEVANT = 0.3  # measured: 0.5 dropped a page that answered (hit@3), 0.3 none
QUOTE_CHARS = 600


@dataclass(frozen=True)
class Source:
    document: str
    title: str
    score: float
    number: int = 0  # the [n] the answer cites it by
    section: str = ""  # its heading path, "Deployment › Server Workers"
    passage: int = 0  # its place in the page: KnowledgeBase.context(document, passage)

    @property
    def where(self) -> str:
        return where(self.title, self.section)


@dataclass(frozen=True)
class Answer:
    text: str
    sources: list[Source]
    passages: list[Hit]

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "sources": [asdict(source) for source in self.sources],
        }


NOT_COVERED = "The wiki does not cover this yet: no passage matches the question."


def extractive_answer(kb: KnowledgeBase, question: str) -> Answer:
    """Markdown: the lines that answer best, chosen among the best passages
    (chatbot/lines.py), under their passage's heading path, then the other passages, each
    numbered like its source."""
    with kb.batch():  # one connection for the search and the term weights
        found = kb.search(question, limit=SEARCHED)
        weights = kb.term_weights(question) if found else {}
    if not found:
        return Answer(NOT_COVERED, [], [])
    best = lead([(hit.section, hit.text) for hit in found[:LEAD_POOL]], question, weights)
    first = found[best.passage]
    hits = _varied(
        [first, *_relevant([h for h in found if h is not first], first, question, weights)]
    )
    quotes = [f"**{hits[0].where}** [1]\n\n{head(best.text, QUOTE_CHARS)}"]
    quotes += [_quote(n, hit) for n, hit in enumerate(hits[1:], start=2)]
    return Answer("\n\n".join(quotes), sources_of(hits), hits)


def _relevant(hits: list[Hit], best: Hit, question: str, weights: Mapping[str, float]) -> list[Hit]:
    """The passages that hold at least RELEVANT of what the lead's passage holds of the
    question (its terms weighed by rarity, in page title, headings and text): the rest
    shares a word in passing, and is not quoted as if it answered."""
    wanted = terms(question)

    def held(hit: Hit) -> float:
        return term_score(f"{hit.title}\n{hit.section}\n{hit.text}", wanted, weights)

    floor = held(best) * RELEVANT
    return [hit for hit in hits if held(hit) >= floor]


def _varied(hits: list[Hit]) -> list[Hit]:
    """The passages to quote, best first, each from a section not yet quoted (three
    passages of one section repeat one another), the last from a page not yet quoted where
    the search found one: three passages of one page that shares a word in passing would
    hide the page that answers. (Measured: the third from a new page lifted hit@3 to
    0.97-1.00 and cost no lead.)"""
    quoted: list[Hit] = []
    places: set[tuple[str, str]] = set()
    for hit in hits:
        if len(quoted) == PASSAGES - 1:
            break
        if (hit.document, hit.section) not in places:
            quoted.append(hit)
            places.add((hit.document, hit.section))
    rest = [hit for hit in hits if (hit.document, hit.section) not in places]
    pages = {hit.document for hit in quoted}
    last = next((hit for hit in rest if hit.document not in pages), rest[0] if rest else None)
    return [*quoted, last] if last else quoted


def sources_of(hits: list[Hit], numbers: list[int] | None = None) -> list[Source]:
    """One source per passage, numbered 1, 2, 3 … unless the numbers are given."""
    numbers = numbers or list(range(1, len(hits) + 1))
    return [
        Source(hit.document, hit.title, hit.score, number, hit.section, hit.ordinal)
        for number, hit in zip(numbers, hits, strict=True)
    ]


def _quote(number: int, hit: Hit) -> str:
    return f"**{hit.where}** [{number}]\n\n{head(hit.text, QUOTE_CHARS)}"
