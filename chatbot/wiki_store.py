"""The wiki's storage: documents and their passages in wiki.db, read and written.

A passage is stored once in `chunks` and indexed three ways (chatbot/wiki_schema.py);
every write here runs inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import PurePosixPath

from chatbot.inline import label
from chatbot.markdown import PATH_SEPARATOR
from chatbot.wiki_schema import FULL_TEXT_TABLES, index_japanese

# A passage with its page, as a Hit reads it.
PASSAGES = (
    "SELECT d.name, d.title, c.section, c.text, c.ordinal FROM chunks c "
    "JOIN documents d ON d.id = c.document_id"
)


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


def read_hit(connection: sqlite3.Connection, chunk_id: int, score: float) -> Hit:
    name, title, section, text, ordinal = connection.execute(
        f"{PASSAGES} WHERE c.id = ?", (chunk_id,)
    ).fetchone()
    return Hit(name, title, section, text, round(score, 6), ordinal)


def delete_document(connection: sqlite3.Connection, name: str) -> bool:
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


def store_document(connection: sqlite3.Connection, document: DocumentInfo, rows: list[Row]) -> None:
    """Replace a document with these passages, indexed both ways (inside a transaction)."""
    delete_document(connection, document.name)
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


def read_stored(connection: sqlite3.Connection, name: str) -> tuple[DocumentInfo, list[Row]] | None:
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
