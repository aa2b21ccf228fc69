"""Realistic data directories: a chat database, a vector-store database, an index segment.

Shaped like the original guide's data: chat messages are English and Japanese
text, embeddings are float32 vectors (what Chroma stores), and the index
segment is an HNSW level-0 file (links plus vectors, fixed-size records).
Random bytes would make every format look incompressible; real data is not.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import numpy as np

MB = 1024 * 1024
DIMENSIONS = 384  # all-MiniLM-L6-v2, Chroma's default embedding model
_RECORD = 4 * 32 + 4 * DIMENSIONS + 8  # 32 int32 links, the vector, a label
_SYLLABLES = [
    "ka",
    "ki",
    "ku",
    "ke",
    "ko",
    "sa",
    "shi",
    "su",
    "se",
    "so",
    "ta",
    "chi",
    "tsu",
    "te",
    "to",
    "na",
    "ni",
    "nu",
    "ne",
    "no",
    "ma",
    "mi",
    "mu",
    "me",
    "mo",
]
_JAPANESE = [
    "バックアップ",
    "復元",
    "設定",
    "会話",
    "質問",
    "回答",
    "文書",
    "検索",
    "手順",
    "確認",
    "です",
    "ます",
    "の",
    "を",
    "に",
    "は",
    "が",
]


def vocabulary(rng: random.Random | None = None) -> list[str]:
    """The words of every generated text: made up, Zipf-distributed, and some Japanese."""
    return _vocabulary(rng or random.Random(1))


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    return _sentence(rng, words, length)


def _vocabulary(rng: random.Random) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4))) for _ in range(4000)}
    return sorted(words) + _JAPANESE


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    # Zipf-like: a few words are very common, as in real text.
    picks = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(length)]
    return " ".join(picks)


def make_data(root: Path, *, total_mb: int) -> None:
    """About `total_mb` of data in the proportions of a real deployment (1 : 2 : 3)."""
    root.mkdir(parents=True, exist_ok=True)
    unit = total_mb / 6
    _chat_db(root / "chatbot.db", int(unit * MB))
    _vector_db(root / "chroma_db" / "chroma.sqlite3", int(2 * unit * MB))
    _segment(segment_path(root), int(3 * unit * MB))
    (root / "settings.json").write_text('{"theme": "light"}\n')
    (root / "README.txt").write_text("Kura data directory\n")


def segment_path(root: Path) -> Path:
    return root / "chroma_db" / "7c1f" / "data_level0.bin"


def append_messages(db: Path, count: int = 200) -> None:
    """The typical small change between two backups: a few hundred chat rows."""
    rng, words = random.Random(), _vocabulary(random.Random(1))
    with sqlite3.connect(db) as connection:
        start = connection.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
        connection.executemany(
            "INSERT INTO messages (id, conversation, body) VALUES (?, ?, ?)",
            ((start + i + 1, rng.randrange(500), _sentence(rng, words, 60)) for i in range(count)),
        )
    connection.close()


def update_vectors(db: Path, count: int = 100) -> None:
    """Re-embed `count` documents of the vector store."""
    rng = np.random.default_rng()
    with sqlite3.connect(db) as connection:
        top = connection.execute("SELECT MAX(id) FROM embeddings").fetchone()[0]
        ids = rng.choice(top, size=count, replace=False) + 1
        connection.executemany(
            "UPDATE embeddings SET vector = ? WHERE id = ?",
            ((_vector(rng), int(i)) for i in ids),
        )
    connection.close()


def delete_messages(db: Path, count: int = 1000) -> None:
    with sqlite3.connect(db) as connection:
        top = connection.execute("SELECT MAX(id) FROM messages").fetchone()[0]
        ids = random.sample(range(1, top + 1), count)
        connection.executemany("DELETE FROM messages WHERE id = ?", ((i,) for i in ids))
    connection.close()


def vacuum(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute("VACUUM")
    connection.close()


def update_segment(path: Path, count: int = 100) -> None:
    """HNSW updates in place: `count` records rewritten where they are."""
    rng = np.random.default_rng()
    records = path.stat().st_size // _RECORD
    with path.open("r+b") as handle:
        for index in rng.choice(records, size=count, replace=False):
            handle.seek(int(index) * _RECORD)
            handle.write(_record(rng, int(index)))


def _vector(rng: np.random.Generator) -> bytes:
    vector = rng.standard_normal(DIMENSIONS).astype(np.float32)
    return (vector / np.linalg.norm(vector)).tobytes()


def _record(rng: np.random.Generator, label: int) -> bytes:
    links = rng.integers(0, 1 << 20, size=32, dtype=np.int32).tobytes()
    return links + _vector(rng) + label.to_bytes(8, "little")


def _chat_db(path: Path, size: int) -> None:
    rng, words = random.Random(7), _vocabulary(random.Random(1))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation INT, body TEXT)")
        rows = size // 420
        db.executemany(
            "INSERT INTO messages VALUES (?, ?, ?)",
            ((i, rng.randrange(500), _sentence(rng, words, 60)) for i in range(1, rows + 1)),
        )
    db.close()


def _vector_db(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng, text_rng, words = np.random.default_rng(3), random.Random(3), _vocabulary(random.Random(1))
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, document TEXT, vector BLOB)")
        rows = size // 2100  # two rows to a 4 KiB page
        db.executemany(
            "INSERT INTO embeddings VALUES (?, ?, ?)",
            ((i, _sentence(text_rng, words, 40), _vector(rng)) for i in range(1, rows + 1)),
        )
    db.close()


def _segment(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    with path.open("wb") as handle:
        for label in range(size // _RECORD):
            handle.write(_record(rng, label))
