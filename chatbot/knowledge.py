"""The wiki in one SQLite file (data/wiki.db): documents, passages, full-text indexes.

One file means a backup snapshot is always consistent. Passages are indexed by
English words, Japanese words and trigrams (chatbot/wiki_schema.py); the BM25
rankings, and the dense one when an embedding endpoint is set, are fused with
reciprocal rank fusion.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np

from chatbot.chunking import chunk
from chatbot.db import connect
from chatbot.language import asked_in, page_language, written_in
from chatbot.markdown import PATH_SEPARATOR, label
from chatbot.parsing import Document, read_document
from chatbot.query import Terms, terms, trigrams
from chatbot.wiki_schema import FULL_TEXT_TABLES, SCHEMA, index_japanese, migrate

if TYPE_CHECKING:  # the openai client loads only when an endpoint is configured
    from chatbot.embeddings import Embedder

RRF_K = 60
OTHER_LANGUAGE = 0.5  # the weight of a passage not in the question's language
CHANGELOG = 0.8  # a changelog's passage: some ten places lower in a fused ranking
_CHANGELOG = re.compile(
    r"(?:^|/)(?:change[-_ ]?log|changes|history|news|release[-_ ]?notes)(?:\.\w+)?$", re.I
)
CANDIDATES = 50
# A passage with its page, as a Hit reads it.
_PASSAGES = (
    "SELECT d.name, d.title, c.section, c.text, c.ordinal FROM chunks c "
    "JOIN documents d ON d.id = c.document_id"
)
# A match in the title counts three times, in the heading path twice.
_BM25 = {
    "chunk_words": "bm25(chunk_words, 3.0, 2.0, 1.0)",
    "chunk_grams": "bm25(chunk_grams)",
    "chunk_ja": "bm25(chunk_ja)",
}


@dataclass(frozen=True)
class DocumentInfo:
    name: str  # its path in the folder imported: ja/tutorial/index.md
    title: str
    chunks: int
    size: int
    imported_at: str
    origin: str = ""  # the folder it was imported from; "" for single files and uploads
    digest: str = ""

    @property
    def folder(self) -> str:
        return PurePosixPath(self.name).parent.as_posix().removeprefix(".")


@dataclass(frozen=True)
class Hit:
    document: str
    title: str
    section: str  # the heading path
    text: str
    score: float
    ordinal: int = 0  # the passage's place in its document: what context() opens

    @property
    def where(self) -> str:
        return where(self.title, self.section)


def where(title: str, section: str) -> str:
    """The title and the heading path as text, without saying the title twice. Labels are
    read as text again: a wiki.db from an older Kura may hold `code` or *stars* in them."""
    title, section = label(title), label(section)
    if not section or section == title:
        return title
    if section.startswith(title + PATH_SEPARATOR):
        return section
    return f"{title}{PATH_SEPARATOR}{section}"


class KnowledgeBase:
    """Example::

    kb = KnowledgeBase(Path("data/wiki.db"))
    kb.import_file(Path("docs/restore.md"))  # folders: chatbot.importer.Importer
    for hit in kb.search("How do I restore a backup?"):
        print(hit.title, hit.section, hit.score)
    """

    def __init__(self, path: Path, *, embedder: Embedder | None = None) -> None:
        self.path = path
        self.embedder = embedder
        self._held = threading.local()  # a batch's connection, per thread

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Keep one connection open for many adds and deletes, or for the several reads of
        one answer. Each page still commits on its own, but the file is no longer opened,
        checkpointed and closed per page or per read."""
        with self.connection() as connection:
            self._held.connection = connection
            try:
                yield
            finally:
                self._held.connection = None

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The batch's connection, or a new one closed on exit (schema ensured, migrated)."""
        held = getattr(self._held, "connection", None)
        if held is not None:
            yield held
            return
        connection = connect(self.path, SCHEMA)
        # WAL stays consistent without a sync per commit; a power cut can lose only the last
        # pages imported, which importing again restores. A sync per page was half an import.
        connection.execute("PRAGMA synchronous=NORMAL")
        try:
            migrate(connection)
            yield connection
        finally:
            connection.close()

    # -- import -----------------------------------------------------------------
    def add(
        self, document: Document, *, size: int, origin: str = "", digest: str = ""
    ) -> DocumentInfo:
        """Add a parsed document, replacing one of the same name, in one short transaction."""
        passages = chunk(document)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        vectors = None
        if self.embedder and passages:
            # Before the transaction: a slow endpoint must not hold the database.
            vectors = self.embedder.embed(
                [f"{document.title}\n{p.section}\n{p.text}" for p in passages]
            )
        rows = [
            (
                p.ordinal,
                p.section,
                p.text,
                None if vectors is None else vectors[p.ordinal].tobytes(),
            )
            for p in passages
        ]
        info = DocumentInfo(document.name, document.title, len(passages), size, now, origin, digest)
        with self.connection() as connection, connection:
            _store(connection, info, rows)
        return info

    def newer_in(self, other: Path) -> list[DocumentInfo]:
        """Documents of another wiki.db that this one lacks or holds in another version
        (pages written on a host before an older wiki was restored over them)."""
        mine = {(d.name, d.imported_at) for d in self.documents()} if self.path.is_file() else set()
        theirs = KnowledgeBase(other).documents() if other.is_file() else []
        return [d for d in theirs if (d.name, d.imported_at) not in mine]

    def copy_from(self, other: Path, names: Iterable[str]) -> int:
        """Copy documents, passages and embeddings as they are from another wiki.db."""
        source = sqlite3.connect(f"file:{other}?mode=ro", uri=True)
        copied = 0
        try:
            with self.connection() as connection, connection:
                for name in names:
                    found = _read_document(source, name)
                    if found:
                        _store(connection, *found)
                        copied += 1
        finally:
            source.close()
        return copied

    def import_file(self, path: Path) -> DocumentInfo:
        """Raises UnreadableDocument (with a one-line reason) for files it cannot use."""
        return self.add(read_document(path), size=path.stat().st_size)

    def delete(self, name: str) -> bool:
        with self.connection() as connection, connection:
            return _delete(connection, name)

    def documents(self) -> list[DocumentInfo]:
        with self.connection() as connection:
            rows = connection.execute(
                "SELECT d.name, d.title, COUNT(c.id), d.size, d.imported_at, d.origin, d.digest "
                "FROM documents d LEFT JOIN chunks c ON c.document_id = d.id "
                "GROUP BY d.id ORDER BY d.name"
            ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    # -- search -----------------------------------------------------------------
    def search(self, question: str, *, limit: int = 5) -> list[Hit]:
        wanted = terms(question)
        with self.connection() as connection:
            rankings = [r for r in self._rankings(connection, wanted) if r]
            dense = self._dense(connection, question)
            if dense:
                rankings.append(dense)
            fused = _fuse(rankings)[: limit * 4]
            hits = [self._hit(connection, chunk_id, score) for chunk_id, score in fused]
            hits = self._in_asked_language(connection, hits, question, wanted)
        return _distinct(_weigh(hits, question))[:limit]

    def term_weights(self, question: str) -> dict[str, float]:
        """How telling each of the question's terms is: the inverse of how many passages
        hold it (BM25's idf), from the full-text indexes."""
        wanted = terms(question)
        with self.connection() as connection:
            total = connection.execute("SELECT count(*) FROM chunks").fetchone()[0]
            weights = {}
            # English terms are counted in passages' text alone: a page's title is in each of
            # its passages' rows, and would make its own subject look common.
            for table, column, found in (
                ("chunk_words", "text : ", wanted.words),
                ("chunk_ja", "", wanted.japanese),
            ):
                for term in found:
                    held = connection.execute(
                        f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                        (column + _quote(term),),
                    ).fetchone()[0]
                    weights[term] = math.log(1 + (total - held + 0.5) / (held + 0.5))
        return weights

    def _in_asked_language(
        self, connection: sqlite3.Connection, hits: list[Hit], question: str, wanted: Terms
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
                better = self._best_in(connection, twin, wanted) if found else None
                hit = replace(better, score=hit.score) if better else hit
            out.append(hit)
        return out

    def _best_in(self, connection: sqlite3.Connection, document: str, wanted: Terms) -> Hit | None:
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
                (" OR ".join(_quote(term) for term in found), document),
            ).fetchone()
        if row is None:
            row = connection.execute(
                "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
                "WHERE d.name = ? ORDER BY c.ordinal LIMIT 1",
                (document,),
            ).fetchone()
        return self._hit(connection, row[0], 0.0) if row else None

    def _rankings(self, connection: sqlite3.Connection, wanted: Terms) -> Iterable[list[int]]:
        grams = [g for run in wanted.cjk for g in trigrams(run) if len(g) >= 3]
        for table, found in (
            ("chunk_words", wanted.words),
            ("chunk_grams", grams),
            ("chunk_ja", wanted.japanese),
        ):
            if found:
                expression = " OR ".join(_quote(term) for term in found)
                yield _ids(
                    connection.execute(
                        f"SELECT rowid FROM {table} WHERE {table} MATCH ? "
                        f"ORDER BY {_BM25[table]} LIMIT ?",
                        (expression, CANDIDATES),
                    )
                )

    def _dense(self, connection: sqlite3.Connection, question: str) -> list[int]:
        """Passages by cosine similarity to the question, when vectors exist."""
        if self.embedder is None:
            return []
        rows = connection.execute("SELECT chunk_id, vector FROM embeddings").fetchall()
        if not rows:
            return []
        query = self.embedder.embed([question])
        if query is None:
            return []
        matrix = np.frombuffer(b"".join(v for _, v in rows), dtype=np.float32)
        similarity = matrix.reshape(len(rows), -1) @ query[0]
        best = np.argsort(-similarity)[:CANDIDATES]
        return [rows[i][0] for i in best if similarity[i] > 0]

    def _hit(self, connection: sqlite3.Connection, chunk_id: int, score: float) -> Hit:
        name, title, section, text, ordinal = connection.execute(
            f"{_PASSAGES} WHERE c.id = ?", (chunk_id,)
        ).fetchone()
        return Hit(name, title, section, text, round(score, 6), ordinal)

    def context(self, document: str, ordinal: int, *, around: int = 1) -> list[Hit]:
        """A passage with its neighbours in the page, in order: what "open the source" shows.
        Empty when the page has gone; a page imported again since shows what is there now."""
        with self.connection() as connection:
            rows = connection.execute(
                f"{_PASSAGES} WHERE d.name = ? AND c.ordinal BETWEEN ? AND ? ORDER BY c.ordinal",
                (document, ordinal - around, ordinal + around),
            ).fetchall()
        return [Hit(name, title, section, text, 0.0, at) for name, title, section, text, at in rows]


def _weigh(hits: list[Hit], question: str) -> list[Hit]:
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


def _distinct(hits: list[Hit]) -> list[Hit]:
    """Each passage once: the same passage found twice, or the same text in two pages."""
    seen: set[object] = set()
    out = []
    for hit in hits:
        keys = ((hit.document, hit.ordinal), " ".join(hit.text.split()))
        if not any(key in seen for key in keys):
            seen.update(keys)
            out.append(hit)
    return out


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ids(cursor: sqlite3.Cursor) -> list[int]:
    return [row[0] for row in cursor]


def _fuse(rankings: list[list[int]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: robust to the rankings' incomparable score scales."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def _delete(connection: sqlite3.Connection, name: str) -> bool:
    ids = [
        r[0]
        for r in connection.execute(
            "SELECT chunks.id FROM chunks JOIN documents ON documents.id = chunks.document_id "
            "WHERE documents.name = ?",
            (name,),
        )
    ]
    connection.executemany("DELETE FROM embeddings WHERE chunk_id = ?", ((i,) for i in ids))
    for table in FULL_TEXT_TABLES:
        connection.executemany(f"DELETE FROM {table} WHERE rowid = ?", ((i,) for i in ids))
    return connection.execute("DELETE FROM documents WHERE name = ?", (name,)).rowcount > 0


Row = tuple[int, str, str, bytes | None]  # ordinal, section, text, embedding


def _store(connection: sqlite3.Connection, document: DocumentInfo, rows: list[Row]) -> None:
    """Replace a document with these passages, indexed both ways (inside a transaction)."""
    _delete(connection, document.name)
    document_id = connection.execute(
        "INSERT INTO documents (name, title, size, imported_at, origin, digest) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            document.name,
            document.title,
            document.size,
            document.imported_at,
            document.origin,
            document.digest,
        ),
    ).lastrowid
    for ordinal, section, text, vector in rows:
        row = connection.execute(
            "INSERT INTO chunks (document_id, ordinal, section, text) VALUES (?, ?, ?, ?)",
            (document_id, ordinal, section, text),
        ).lastrowid
        connection.execute(
            "INSERT INTO chunk_words (rowid, title, section, text) VALUES (?, ?, ?, ?)",
            (row, document.title, section, text),
        )
        body = f"{document.title}\n{section}\n{text}"
        index_japanese(connection, row, body)
        if vector is not None:
            connection.execute(
                "INSERT INTO embeddings (chunk_id, vector) VALUES (?, ?)", (row, vector)
            )


def _read_document(
    connection: sqlite3.Connection, name: str
) -> tuple[DocumentInfo, list[Row]] | None:
    found = connection.execute(
        "SELECT id, name, title, size, imported_at, origin, digest FROM documents WHERE name = ?",
        (name,),
    ).fetchone()
    if found is None:
        return None
    document_id, *info = found
    rows = connection.execute(
        "SELECT c.ordinal, c.section, c.text, e.vector FROM chunks c "
        "LEFT JOIN embeddings e ON e.chunk_id = c.id WHERE c.document_id = ? ORDER BY c.ordinal",
        (document_id,),
    ).fetchall()
    name, title, size, imported_at, origin, digest = info
    return DocumentInfo(name, title, len(rows), size, imported_at, origin, digest), rows
