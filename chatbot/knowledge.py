"""The wiki in one SQLite file (data/wiki.db): documents, passages, full-text indexes.

One file means a backup snapshot is always consistent. Passages are indexed by
English words, Japanese words and trigrams (chatbot/wiki_schema.py); the BM25
rankings, and the dense one when an embedding endpoint is set, are fused with
reciprocal rank fusion. This is the face the app and the command line use: storage
is chatbot/wiki_store.py, ranking chatbot/ranking.py.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from chatbot import ranking
from chatbot.chunking import Chunk, chunk
from chatbot.db import connect
from chatbot.parsing import Document, read_document
from chatbot.query import Terms, terms
from chatbot.wiki_schema import SCHEMA, migrate
from chatbot.wiki_store import (
    PASSAGES,
    DocumentInfo,
    Hit,
    Row,
    delete_document,
    read_hit,
    read_stored,
    store_document,
    where,
)

__all__ = [
    "DocumentInfo",
    "Hit",
    "KnowledgeBase",
    "Prepared",
    "where",
]  # where the callers find them

if TYPE_CHECKING:  # the openai client loads only when an endpoint is configured
    from chatbot.embeddings import Embedder


@dataclass(frozen=True)
class Prepared:
    """A document ready to store: its passages as rows (ordinal, section, text, vector)."""

    name: str
    title: str
    rows: list[Row]


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
        return self.store(self.prepare(document), size=size, origin=origin, digest=digest)

    def prepare(self, document: Document) -> Prepared:
        """A document's passages (and vectors): the slow part of an add, done before any
        transaction or lock, so that a long page or a slow endpoint holds neither."""
        return self.prepared(document.name, document.title, chunk(document))

    def prepared(self, name: str, title: str, passages: list[Chunk]) -> Prepared:
        """Passages already cut (chatbot/reading.py), with their vectors when embedding."""
        vectors = None
        if self.embedder and passages:
            vectors = self.embedder.embed([f"{title}\n{p.section}\n{p.text}" for p in passages])
        rows = [
            (
                p.ordinal,
                p.section,
                p.text,
                None if vectors is None else vectors[p.ordinal].tobytes(),
            )
            for p in passages
        ]
        return Prepared(name, title, rows)

    def store(
        self, prepared: Prepared, *, size: int, origin: str = "", digest: str = ""
    ) -> DocumentInfo:
        """Write a prepared document, replacing one of the same name, in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        info = DocumentInfo(
            prepared.name, prepared.title, len(prepared.rows), size, now, origin, digest
        )
        with self.connection() as connection, connection:
            store_document(connection, info, prepared.rows)
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
                    found = read_stored(source, name)
                    if found:
                        store_document(connection, *found)
                        copied += 1
        finally:
            source.close()
        return copied

    def import_file(self, path: Path) -> DocumentInfo:
        """Raises UnreadableDocument (with a one-line reason) for files it cannot use."""
        return self.add(read_document(path), size=path.stat().st_size)

    def delete(self, name: str) -> bool:
        with self.connection() as connection, connection:
            return delete_document(connection, name)

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
            fused = ranking.fuse(rankings)[: limit * 4]
            hits = [read_hit(connection, chunk_id, score) for chunk_id, score in fused]
            hits = ranking.in_asked_language(connection, hits, question, wanted)
        return ranking.distinct(ranking.weigh(hits, question))[:limit]

    def _rankings(self, connection: sqlite3.Connection, wanted: Terms) -> Iterable[list[int]]:
        """The full-text rankings to fuse (a benchmark asks an older search through this)."""
        return ranking.rankings(connection, wanted)

    def term_weights(self, question: str) -> dict[str, float]:
        """How telling each of the question's terms is: the inverse of how many passages
        hold it (BM25's idf), from the full-text indexes."""
        with self.connection() as connection:
            return ranking.term_weights(connection, question)

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
        best = np.argsort(-similarity)[: ranking.CANDIDATES]
        return [rows[i][0] for i in best if similarity[i] > 0]

    def context(self, document: str, ordinal: int, *, around: int = 1) -> list[Hit]:
        """A passage with its neighbours in the page, in order: what "open the source" shows.
        Empty when the page has gone; a page imported again since shows what is there now."""
        with self.connection() as connection:
            rows = connection.execute(
                f"{PASSAGES} WHERE d.name = ? AND c.ordinal BETWEEN ? AND ? ORDER BY c.ordinal",
                (document, ordinal - around, ordinal + around),
            ).fetchall()
        return [Hit(name, title, section, text, 0.0, at) for name, title, section, text, at in rows]
