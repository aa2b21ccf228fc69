"""Answers from the wiki: the lines that answer best, then the other passages.

Without an LLM this is the answer. `sources` are the passages quoted, numbered as the
answer cites them ([1], [2] …), each with its page, its heading path and its place in
the page, so it can be opened in context.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from chatbot.fences import head
from chatbot.knowledge import Hit, KnowledgeBase, where
from chatbot.lines import lead

PASSAGES = 3
LEAD_POOL = 5  # the passages whose lines may lead the answer
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
        found = kb.search(question, limit=LEAD_POOL)
        weights = kb.term_weights(question) if found else {}
    if not found:
        return Answer(NOT_COVERED, [], [])
    best = lead([(hit.section, hit.text) for hit in found], question, weights)
    hits = _varied([found[best.passage], *(h for h in found if h is not found[best.passage])])
    quotes = [f"**{hits[0].where}** [1]\n\n{best.text}"]
    quotes += [_quote(n, hit) for n, hit in enumerate(hits[1:], start=2)]
    return Answer("\n\n".join(quotes), sources_of(hits), hits)


def _varied(hits: list[Hit]) -> list[Hit]:
    """The passages to quote, best first; the last from a page not yet quoted, where the
    search found one: three passages of one page that shares a word in passing would
    hide the page that answers. (Measured: every passage from a new page cost a lead;
    the third alone lifted hit@3 to 0.97-1.00 and cost none.)"""
    quoted = hits[: PASSAGES - 1]
    pages = {hit.document for hit in quoted}
    rest = hits[PASSAGES - 1 :]
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
