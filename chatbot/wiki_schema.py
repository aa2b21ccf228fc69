"""wiki.db's schema and its migration.

Passages are indexed three ways: by words (FTS5 with the Porter stemmer) for
English and other spaced languages, by Japanese words (SudachiPy, see
chatbot/japanese.py), and by trigrams, which still find Japanese names and
compounds the dictionary does not know.

Version 1 adds the Japanese word index and the documents' origin and digest.
A wiki.db made by an earlier Kura (version 0) is migrated when it is first
opened, in one transaction: its pages keep working and are never re-imported.
"""

from __future__ import annotations

import sqlite3

from chatbot.japanese import words
from chatbot.language import has_japanese

VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    size INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',  -- the folder imported (re-imports remove what left it)
    digest TEXT NOT NULL DEFAULT ''   -- sha256 of the file (re-imports skip what is unchanged)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_words
    USING fts5(title, section, text, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_grams USING fts5(body, tokenize = 'trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_ja USING fts5(body, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS sources (  -- Git repositories whose pages feed the wiki
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    branch TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    commit_id TEXT NOT NULL DEFAULT '',  -- the last commit indexed
    pulled_at TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''  -- the last pull's one-line error, if it failed
);
CREATE TABLE IF NOT EXISTS embeddings (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
"""

FULL_TEXT_TABLES = ("chunk_words", "chunk_grams", "chunk_ja")


def index_japanese(
    connection: sqlite3.Connection, chunk_id: int, body: str, *, grams: bool = True
) -> None:
    """A passage with Japanese also goes into the trigram and Japanese word indexes. Only
    questions in Japanese search them, so other passages would only make them bigger
    (the trigram rows of an English wiki were a third of its import time)."""
    if not has_japanese(body):
        return
    if grams:
        connection.execute("INSERT INTO chunk_grams (rowid, body) VALUES (?, ?)", (chunk_id, body))
    connection.execute(
        "INSERT INTO chunk_ja (rowid, body) VALUES (?, ?)", (chunk_id, " ".join(words(body)))
    )


def migrate(connection: sqlite3.Connection) -> None:
    """Bring a wiki.db of any earlier version to this one (a no-op once it is there)."""
    if connection.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
        return
    with connection:
        connection.execute("BEGIN IMMEDIATE")
        # Another process may have migrated it while this one waited for the lock.
        if connection.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
            return
        _add_missing_columns(connection)
        _fill_japanese_words(connection)
        connection.execute(f"PRAGMA user_version = {VERSION}")


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    have = {row[1] for row in connection.execute("PRAGMA table_info(documents)")}
    for column in ("origin", "digest"):
        if column not in have:
            connection.execute(
                f"ALTER TABLE documents ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
            )


def _fill_japanese_words(connection: sqlite3.Connection) -> None:
    connection.execute("DELETE FROM chunk_ja")
    rows = connection.execute(
        "SELECT c.id, d.title || char(10) || c.section || char(10) || c.text "
        "FROM chunks c JOIN documents d ON d.id = c.document_id"
    ).fetchall()
    for chunk_id, body in rows:
        index_japanese(connection, chunk_id, body, grams=False)  # version 0 has every trigram
