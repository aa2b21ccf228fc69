"""How passages are ranked for a question: BM25 on each full-text index (and cosine
similarity when embeddings exist), fused by reciprocal rank; then the question's
language and changelogs weigh in, and each passage counts once.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import replace

from chatbot.language import asked_in, page_language, written_in
from chatbot.query import Terms, terms, trigrams
from chatbot.wiki_store import Hit, read_hit

RRF_K = 60
OTHER_LANGUAGE = 0.5  # the weight of a passage not in the question's language
CHANGELOG = 0.8  # a changelog's passage: some ten places lower in a fused ranking
_CHANGELOG = re.compile(
    r"(?:^|/)(?:change[-_ ]?log|changes|history|news|release[-_ ]?notes)(?:\.\w+)?$", re.I
)
CANDIDATES = 50
# A match in the title counts three times, in the heading path twice.
_BM25 = {
    "chunk_words": "bm25(chunk_words, 3.0, 2.0, 1.0)",
    "chunk_grams": "bm25(chunk_grams)",
    "chunk_ja": "bm25(chunk_ja)",
}


def term_weights(connection: sqlite3.Connection, question: str) -> dict[str, float]:
    """How telling each of the question's terms is: the inverse of how many passages
    hold it (BM25's idf), from the full-text indexes."""
    wanted = terms(question)
    total = connection.execute("SELECT count(*) FROM chunks").fetchone()[0]
    weights = {}
    # English terms are counted in passages' text alone: a page's title is in each of its
    # passages' rows, and would make its own subject look common.
    for table, column, found in (
        ("chunk_words", "text : ", wanted.words),
        ("chunk_ja", "", wanted.japanese),
    ):
        for term in found:
            held = connection.execute(
                f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                (column + quote(term),),
            ).fetchone()[0]
            weights[term] = math.log(1 + (total - held + 0.5) / (held + 0.5))
    return weights


def in_asked_language(
    connection: sqlite3.Connection, hits: list[Hit], question: str, wanted: Terms
) -> list[Hit]:
    """A passage of a page in the other language gives way to the best passage of the
    same page in the question's language, where the wiki has one (en/x.md, ja/x.md):
    an English question is never answered from a Japanese page when the English exists."""
    asked, twins = asked_in(question), None
    out = []
    for hit in hits:
        if written_in(f"{hit.title}\n{hit.text}") != asked:
            twins = twins if twins is not None else _twins(connection)
            key, _ = page_language(hit.document)
            twin = twins.get((key, asked))
            found = twin and twin != hit.document  # a page that names no language
            better = _best_in(connection, twin, wanted) if found else None
            hit = replace(better, score=hit.score) if better else hit
        out.append(hit)
    return out


def _best_in(connection: sqlite3.Connection, document: str, wanted: Terms) -> Hit | None:
    """The passage of one page that matches the question best, or its first."""
    table, found = (
        ("chunk_ja", wanted.japanese) if wanted.japanese else ("chunk_words", wanted.words)
    )
    row = None
    if found:
        row = connection.execute(
            f"SELECT {table}.rowid FROM {table} JOIN chunks c ON c.id = {table}.rowid "
            f"JOIN documents d ON d.id = c.document_id WHERE {table} MATCH ? AND d.name = ? "
            f"ORDER BY {_BM25[table]} LIMIT 1",
            (" OR ".join(quote(term) for term in found), document),
        ).fetchone()
    if row is None:
        row = connection.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
            "WHERE d.name = ? ORDER BY c.ordinal LIMIT 1",
            (document,),
        ).fetchone()
    return read_hit(connection, row[0], 0.0) if row else None


def rankings(connection: sqlite3.Connection, wanted: Terms) -> Iterable[list[int]]:
    grams = [g for run in wanted.cjk for g in trigrams(run) if len(g) >= 3]
    for table, found in (
        ("chunk_words", wanted.words),
        ("chunk_grams", grams),
        ("chunk_ja", wanted.japanese),
    ):
        if found:
            expression = " OR ".join(quote(term) for term in found)
            yield _ids(
                connection.execute(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ? "
                    f"ORDER BY {_BM25[table]} LIMIT ?",
                    (expression, CANDIDATES),
                )
            )


def weigh(hits: list[Hit], question: str) -> list[Hit]:
    """A passage in the other language keeps half its score: where a page exists in both,
    the question's language wins; where only one exists, it still answers. A changelog's
    keeps 80%: it names every feature in passing, and the feature's own page should say
    how it works, while what only the changelog says still comes first."""
    asked = asked_in(question)
    weighed = []
    for hit in hits:
        weight = 1.0 if written_in(f"{hit.title}\n{hit.text}") == asked else OTHER_LANGUAGE
        if _CHANGELOG.search(hit.document):
            weight *= CHANGELOG
        weighed.append(replace(hit, score=round(hit.score * weight, 6)))
    return sorted(weighed, key=lambda hit: -hit.score)


def _twins(connection: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(page without its language, language) to the page's name, for pages that say their
    language in their path; a page that does not counts as English."""
    twins = {}
    for (name,) in connection.execute("SELECT name FROM documents"):
        key, language = page_language(name)
        twins.setdefault((key, language or "en"), name)
    return twins


def distinct(hits: list[Hit]) -> list[Hit]:
    """Each passage once: the same passage found twice, or the same text in two pages."""
    seen: set[object] = set()
    out = []
    for hit in hits:
        keys = ((hit.document, hit.ordinal), " ".join(hit.text.split()))
        if not any(key in seen for key in keys):
            seen.update(keys)
            out.append(hit)
    return out


def quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ids(cursor: sqlite3.Cursor) -> list[int]:
    return [row[0] for row in cursor]


def fuse(rankings: list[list[int]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: robust to the rankings' incomparable score scales."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
