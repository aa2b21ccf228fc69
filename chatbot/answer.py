"""Answers from the wiki: the best passages quoted with their titles and sections.

Without an LLM this is the answer; `sources` are the documents quoted, best first.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.knowledge import Hit, KnowledgeBase

PASSAGES = 3
QUOTE_CHARS = 600


@dataclass(frozen=True)
class Source:
    document: str
    title: str
    score: float


@dataclass(frozen=True)
class Answer:
    text: str
    sources: list[Source]
    passages: list[Hit]

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "sources": [
                {"document": s.document, "title": s.title, "score": s.score} for s in self.sources
            ],
        }


NOT_COVERED = "The wiki does not cover this yet: no passage matches the question."


def extractive_answer(kb: KnowledgeBase, question: str) -> Answer:
    hits = kb.search(question, limit=PASSAGES)
    if not hits:
        return Answer(NOT_COVERED, [], [])
    quotes = [_quote(n, hit) for n, hit in enumerate(hits, start=1)]
    return Answer("\n\n".join(quotes), sources_of(hits), hits)


def sources_of(hits: list[Hit]) -> list[Source]:
    best: dict[str, Source] = {}
    for hit in hits:
        if hit.document not in best:
            best[hit.document] = Source(hit.document, hit.title, hit.score)
    return list(best.values())


def _quote(number: int, hit: Hit) -> str:
    text = hit.text if len(hit.text) <= QUOTE_CHARS else hit.text[:QUOTE_CHARS].rstrip() + "…"
    if text.count("```") % 2:
        text += "\n```"  # a code block cut short is still closed
    return f"[{number}] {hit.where}\n{text}"
