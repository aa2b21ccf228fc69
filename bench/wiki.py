"""Answer quality and speed of the wiki search on real documentation from Debian's packages.

English: the Python library reference (python3-doc, about 300 HTML pages).
Japanese: the Debian Reference (debian-reference-ja, 13 HTML chapters).
Each question names the document its answer lives in; hit@3 counts a question
as answered when that document is among the first three sources. No LLM.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from chatbot.answer import extractive_answer
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import UnreadableDocument

PYTHON_DOCS = Path("/usr/share/doc/python3-doc/html/library")
DEBIAN_REFERENCE = Path("/usr/share/debian-reference")

ENGLISH = [
    ("How do I parse a JSON string into a Python object?", "json.html"),
    ("How can I read rows from a CSV file?", "csv.html"),
    ("How do I match a regular expression against a string?", "re.html"),
    ("How do I format a date and time as a string with strftime?", "datetime.html"),
    ("How do I run an external command and capture its output?", "subprocess.html"),
    ("How do I open a connection to an SQLite database?", "sqlite3.html"),
    ("How do I parse command-line arguments and options?", "argparse.html"),
    ("What is a named tuple and how do I create one?", "collections.html"),
    ("How do I compute a SHA-256 hash of some bytes?", "hashlib.html"),
    ("How do I pick a random integer in a range?", "random.html"),
    ("How do I copy a whole directory tree?", "shutil.html"),
    ("How do I create a temporary file that is deleted automatically?", "tempfile.html"),
    ("How do I read the files inside a ZIP archive?", "zipfile.html"),
    ("How do I serialize Python objects with pickle?", "pickle.html"),
    ("How do I compress a file with gzip?", "gzip.html"),
    ("How do I generate a random UUID?", "uuid.html"),
    ("How do I encode bytes as base64 text?", "base64.html"),
    ("How do I compute the median of a list of numbers?", "statistics.html"),
    ("How do I use a heap as a priority queue?", "heapq.html"),
    ("How do I start a new thread and wait for it?", "threading.html"),
    ("How do I cache a function's results with lru_cache?", "functools.html"),
    ("How do I write unit tests with assertEqual?", "unittest.html"),
    ("How do I get a file's suffix with a Path object?", "pathlib.html"),
    ("How do I find the insertion point in a sorted list with bisection?", "bisect.html"),
]

JAPANESE = [
    ("aptitude でパッケージを検索するには?", "ch02.ja.html"),
    ("パッケージのアーカイブとリポジトリの仕組みは?", "ch02.ja.html"),
    ("systemd によるシステムの起動の流れ", "ch03.ja.html"),
    ("udev によるデバイスの管理", "ch03.ja.html"),
    ("ユーザーのパスワードを変更するには?", "ch04.ja.html"),
    ("PAM による認証の仕組み", "ch04.ja.html"),
    ("ネットワークインターフェースの設定方法", "ch05.ja.html"),
    ("メールサーバーの設定について教えてください", "ch06.ja.html"),
    ("SSH でリモートホストにログインするには?", "ch06.ja.html"),
    ("CUPS で印刷するには?", "ch06.ja.html"),
    ("フォントの設定方法", "ch07.ja.html"),
    ("ロケールを設定するには?", "ch08.ja.html"),
    ("日本語のインプットメソッドの使い方", "ch08.ja.html"),
    ("screen プログラムの使い方", "ch09.ja.html"),
    ("データのバックアップとリカバリー", "ch10.ja.html"),
    ("アーカイブと圧縮のツール", "ch10.ja.html"),
    ("ディスクの暗号化", "ch10.ja.html"),
    ("iconv でテキストの文字コードを変換するには?", "ch11.ja.html"),
    ("シェルスクリプトの書き方", "ch12.ja.html"),
    ("Make の使い方", "ch12.ja.html"),
    ("Python でのプログラミング", "ch12.ja.html"),
    ("ファイルのパーミッションとは?", "ch01.ja.html"),
    ("Vim エディターの使い方", "ch01.ja.html"),
]


def import_corpus(kb: KnowledgeBase, files: list[Path]) -> tuple[float, int, int]:
    """(seconds, bytes, passages) for importing every file."""
    started = time.perf_counter()
    size = passages = 0
    for path in files:
        try:
            info = kb.import_file(path)
        except UnreadableDocument:
            continue
        size += info.size
        passages += info.chunks
    return time.perf_counter() - started, size, passages


def hit_at_3(kb: KnowledgeBase, questions: list[tuple[str, str]]) -> tuple[float, list[float]]:
    hits, latencies = 0, []
    for question, document in questions:
        started = time.perf_counter()
        kb.search(question, limit=3)
        latencies.append(time.perf_counter() - started)
        sources = [s.document for s in extractive_answer(kb, question).sources]
        hits += document in sources[:3]
    return hits / len(questions), latencies


def run() -> str:
    corpora = [
        ("English, python3-doc library reference", sorted(PYTHON_DOCS.glob("*.html")), ENGLISH),
        ("Japanese, debian-reference-ja", sorted(DEBIAN_REFERENCE.glob("*.ja.html")), JAPANESE),
    ]
    lines = [
        "| corpus | documents | passages | MB | import (s) | MB/s | questions | hit@3 | "
        "search median (ms) | search p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory(prefix="kura-wiki-") as tmp:
        for index, (name, files, questions) in enumerate(corpora):
            if not files:
                lines.append(f"| {name}: not installed (make bench installs it) |")
                continue
            kb = KnowledgeBase(Path(tmp) / f"wiki-{index}.db")
            seconds, size, passages = import_corpus(kb, files)
            score, latencies = hit_at_3(kb, questions)
            latencies.sort()
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            lines.append(
                f"| {name} | {len(files)} | {passages} | {size / 2**20:.1f} | {seconds:.1f} | "
                f"{size / 2**20 / seconds:.1f} | {len(questions)} | {score:.2f} | "
                f"{statistics.median(latencies) * 1000:.1f} | {p95 * 1000:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
