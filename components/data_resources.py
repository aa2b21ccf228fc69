"""Database connections cached across reruns, released whenever the data is replaced.

A restore swaps the data directory: a connection opened before it still points
at the old, deleted files. Every connection the app caches is created through
`database()`, and `release_all()` closes them all after a backup or restore.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import streamlit as st


def _close(connection: sqlite3.Connection) -> None:
    connection.close()


@st.cache_resource(show_spinner=False, on_release=_close)
def database(path: str) -> sqlite3.Connection:
    """A shared connection to a database in the data directory (WAL, short transactions)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def release_all() -> None:
    database.clear()
