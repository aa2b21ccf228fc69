"""Answer quality and speed of the wiki on real documentation, with no LLM.

English: the Python library reference (python3-doc, about 300 HTML pages) and a
Markdown tree: Node.js's API reference (Debian's nodejs-doc, 64 pages) beside
PyMdown Extensions' mkdocs site (its sdist on PyPI, 54 pages in nested folders,
with admonitions, tabs and front matter). Japanese: the Debian Reference
(debian-reference-ja, 13 HTML chapters). `make bench` installs all three.

Per question (bench/wiki_questions.py): hit@1 and hit@3 count the page of the
answer's first passage, and of its first three; "fact" counts answers whose first
600 characters show the fact asked for; "in context" counts questions whose fact is
in what an LLM would be given (chatbot/context.py, LLM_CONTEXT_CHARS), whose median
size is reported; "broken" counts answers with a code fence left open or a code line
shown outside its fence. The Japanese corpus is asked again the way Kura searched
before its SudachiPy word index (TrigramsOnly).
"""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from markdown_it import MarkdownIt

from bench.wiki_questions import (
    DEBIAN_REFERENCE,
    MARKDOWN,
    PIP_MYST,
    PYTHON_DOCS,
    VITE_EN,
    VITE_JA,
    Question,
    halves,
)
from chatbot.answer import extractive_answer
from chatbot.context import llm_passages, numbered
from chatbot.fences import balanced
from chatbot.importer import Importer
from chatbot.knowledge import Hit, KnowledgeBase
from chatbot.query import Terms
from chatbot.ranking import CANDIDATES

PYTHON_LIBRARY = Path("/usr/share/doc/python3-doc/html/library")
DEBIAN_REFERENCE_DIR = Path("/usr/share/debian-reference")
NODE_API = Path("/usr/share/doc/nodejs/api")
CORPORA = Path(__file__).resolve().parent / "corpora"  # `make bench` downloads sdists here
VITE_DOCS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "vite-docs"
FACT_CHARS = 600
IMPORT_PAGES = 250
_COMMONMARK = MarkdownIt("commonmark")

HEADER = (
    "| corpus | pages | passages | MB | import (s) | questions | hit@1 | hit@3 | "
    "fact in 600 chars | fact in LLM context | context median (chars) | broken fences | "
    "raw markup | empty | ask median (ms) | ask p95 (ms) |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
    "| ---: | ---: | ---: | ---: |"
)


@dataclass(frozen=True)
class Quality:
    hit1: float
    hit3: float
    fact: float
    in_context: float
    context_chars: float
    broken: int
    raw: int
    empty: int
    latencies: list[float]

    def cells(self) -> str:
        latencies = sorted(self.latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        return (
            f"{len(latencies)} | {self.hit1:.2f} | {self.hit3:.2f} | {self.fact:.2f} | "
            f"{self.in_context:.2f} | {self.context_chars:,.0f} | {self.broken} | "
            f"{self.raw} | {self.empty} | {statistics.median(latencies) * 1000:.1f} | "
            f"{p95 * 1000:.1f} |"
        )


def ask_all(kb: KnowledgeBase, questions: Sequence[Question]) -> Quality:
    hit1 = hit3 = fact = in_context = broken = raw = empty = 0
    latencies, sizes = [], []
    for question in questions:
        started = time.perf_counter()
        answer = extractive_answer(kb, question.text)
        latencies.append(time.perf_counter() - started)
        pages = [hit.document for hit in answer.passages]
        hit1 += pages[:1] == [question.document]
        hit3 += question.document in pages[:3]
        fact += question.fact.lower() in answer.text[:FACT_CHARS].lower()
        broken += not fenced(answer.text, answer.passages)
        raw += raw_markup(answer.text)
        empty += not answer.passages or not answer.text.strip()
        context = numbered(llm_passages(kb, question.text))  # as the LLM is given it
        in_context += question.fact.lower() in context.lower()
        sizes.append(len(context))
    count = len(questions)
    return Quality(
        hit1 / count,
        hit3 / count,
        fact / count,
        in_context / count,
        statistics.median(sizes),
        broken,
        raw,
        empty,
        latencies,
    )


# What a site's Markdown dialect leaves when it is not read: a MyST role before a code
# span or a directive's fence, a `(label)=` target, a component tag (MDX, Vue), a `:::`
# container line. Looked for outside code: a page about MyST shows them in its examples.
_ROLE = re.compile(r"\{[a-z][\w:.-]*\}$")
_RAW_TEXT = re.compile(r"^\([\w.:-]+\)=$|^:::|</?[A-Z][A-Za-z.]*(?:[\s/>]|$)", re.MULTILINE)


def raw_markup(answer: str) -> bool:
    for token in _COMMONMARK.parse(answer):
        if token.type == "fence" and token.info.strip().startswith("{"):
            return True
        if token.type == "html_block" and _RAW_TEXT.search(token.content):
            return True
        children = token.children or []
        for child, after in zip(children, [*children[1:], None], strict=False):
            if child.type not in ("text", "html_inline"):
                continue
            if _RAW_TEXT.search(child.content):
                return True
            if after is not None and after.type == "code_inline" and _ROLE.search(child.content):
                return True
    return False


def fenced(answer: str, passages: Sequence[Hit]) -> bool:
    """No fence left open, and no line that the passages hold only inside code blocks
    (a shell comment, say) shown outside one: what a cut inside a fence used to do. Code
    is told from prose by markdown-it, not by Kura's own fence reading."""
    if not balanced(answer):
        return False
    code, prose = set(), set()
    for hit in passages:
        in_code, in_prose = _code_and_prose(hit.text)
        code |= in_code
        prose |= in_prose
    return not (_code_and_prose(answer)[1] & (code - prose))


def _code_and_prose(text: str) -> tuple[set[str], set[str]]:
    code, prose = set(), set()
    for token in _COMMONMARK.parse(text):
        if token.type in ("fence", "code_block"):
            code.update(line.strip() for line in token.content.split("\n") if line.strip())
        elif token.type == "inline":
            prose.update(line.strip() for line in token.content.split("\n") if line.strip())
    return code, prose


def markdown_tree(root: Path) -> Path | None:
    """node/*.md and pymdown/**.md under root, or None when either is not installed."""
    sdists = sorted(CORPORA.glob("pymdown_extensions-*.tar.gz"))
    pages = sorted(NODE_API.glob("*.md.gz")) or sorted(NODE_API.glob("*.md"))
    if not (sdists and pages):
        return None
    node = root / "node"
    node.mkdir(parents=True)
    for page in pages:
        raw = page.read_bytes()
        text = gzip.decompress(raw) if page.suffix == ".gz" else raw
        (node / page.name.removesuffix(".gz")).write_bytes(text)
    with tarfile.open(sdists[-1]) as sdist:
        docs = [m for m in sdist.getmembers() if "/docs/src/markdown/" in m.name and m.isfile()]
        for member in docs:
            target = root / "pymdown" / member.name.split("/docs/src/markdown/", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(sdist.extractfile(member).read())
    return root


def pip_docs(root: Path) -> Path | None:
    """pip's MyST pages (docs/html/**/*.md of its sdist) under root/pip, or None."""
    sdists = sorted(CORPORA.glob("pip-*.tar.gz"))
    if not sdists:
        return None
    with tarfile.open(sdists[-1]) as sdist:
        for member in sdist.getmembers():
            if "/docs/html/" in member.name and member.name.endswith(".md") and member.isfile():
                target = root / "pip" / member.name.split("/docs/html/", 1)[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(sdist.extractfile(member).read())
    return root / "pip"


def import_paths(kb: KnowledgeBase, paths: list[Path]) -> tuple[float, int, int, int]:
    """(seconds, pages, bytes, passages) for one import of these files or folders."""
    started = time.perf_counter()
    report = Importer(kb).paths(paths)
    seconds = time.perf_counter() - started
    pages = report.imported
    return seconds, len(pages), sum(p.size for p in pages), sum(p.chunks for p in pages)


class TrigramsOnly(KnowledgeBase):
    """Kura's search before the SudachiPy word index, side by side on the same wiki.db:
    trigrams of kanji and katakana runs, and runs of one or two characters (which a
    trigram index cannot look up) counted in every Japanese passage."""

    def _rankings(self, connection: sqlite3.Connection, wanted: Terms) -> Iterable[list[int]]:
        yield from super()._rankings(connection, replace(wanted, japanese=[]))
        short = [run for run in wanted.cjk if len(run) < 3]
        if short:
            score = " + ".join("(instr(body, ?) > 0)" for _ in short)
            yield [
                row[0]
                for row in connection.execute(
                    f"SELECT rowid FROM chunk_grams WHERE ({score}) > 0 "
                    f"ORDER BY ({score}) DESC LIMIT ?",
                    (*short, *short, CANDIDATES),
                )
            ]


def named_halves(questions: list[Question]) -> Iterable[tuple[str, list[Question]]]:
    """("tuning", the first half), ("held out", the second)."""
    return zip(("tuning", "held out"), halves(questions), strict=True)


def rows(name: str, kb: KnowledgeBase, paths: list[Path], sets: dict[str, list[Question]]) -> str:
    """One import, then each question set asked in its two halves: the tuning half, then
    the held-out half (bench/wiki_questions.halves)."""
    seconds, pages, size, passages = import_paths(kb, paths)
    imported = f"{pages} | {passages} | {size / 2**20:.1f} | {seconds:.1f}"
    out = []
    for label, questions in sets.items():
        for half, asked in named_halves(questions):
            cells = imported if not out else " | | |"
            out.append(f"| {name}{label}, {half} | {cells} | " + ask_all(kb, asked).cells())
    return "\n".join(out)


def import_table(tree: Path, tmp: Path) -> str:
    """250 real pages (the Markdown tree, copied under new folders until there are enough),
    imported into an empty wiki, then imported again unchanged."""
    pages = sorted(p for p in tree.rglob("*.md") if ".snippets" not in p.parts)
    folder = tmp / "pages"
    for n in range(IMPORT_PAGES):
        source = pages[n % len(pages)]
        target = folder / f"copy{n // len(pages)}" / source.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    kb = KnowledgeBase(tmp / "wiki-250.db")
    first, count, size, passages = import_paths(kb, [folder])
    again = time.perf_counter()
    Importer(kb).paths([folder])
    again = time.perf_counter() - again
    asked = ask_latency(kb, [q.text for q in MARKDOWN])
    return (
        "| import | pages | MB | passages | seconds | pages/s |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {count} Markdown pages, new | {count} | {size / 2**20:.1f} | {passages} | "
        f"{first:.1f} | {count / first:.0f} |\n"
        f"| the same, again unchanged | {count} | {size / 2**20:.1f} | 0 | {again:.2f} | "
        f"{count / again:.0f} |\n\n"
        f"At {passages:,} passages, `ask` in-process (search, idf weights, lead): {asked}; "
        f"importing Kura's answering modules in a new process: {import_seconds() * 1000:.0f} ms."
    )


def ask_latency(kb: KnowledgeBase, questions: Sequence[str]) -> str:
    """Median and p95 of the extractive answer, and of the LLM's context, in ms."""
    answers, contexts = [], []
    for question in questions:
        started = time.perf_counter()
        extractive_answer(kb, question)
        answers.append(time.perf_counter() - started)
        started = time.perf_counter()
        llm_passages(kb, question)
        contexts.append(time.perf_counter() - started)
    return (
        f"answer median {_ms(answers, 0.5)}, p95 {_ms(answers, 0.95)}; "
        f"LLM context median {_ms(contexts, 0.5)}, p95 {_ms(contexts, 0.95)}"
    )


def _ms(seconds: list[float], quantile: float) -> str:
    ordered = sorted(seconds)
    return f"{ordered[int(quantile * (len(ordered) - 1))] * 1000:.1f} ms"


def import_seconds() -> float:
    """What `import chatbot.answer, chatbot.context` costs a new process (best of 3)."""
    code = (
        "import time; t = time.perf_counter(); import chatbot.answer, chatbot.context; "
        "print(time.perf_counter() - t)"
    )
    root = Path(__file__).resolve().parent.parent
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return min(runs)


def run() -> str:
    lines = [HEADER]
    with tempfile.TemporaryDirectory(prefix="kura-wiki-") as name:
        tmp = Path(name)
        python = sorted(PYTHON_LIBRARY.glob("*.html"))
        reference = sorted(DEBIAN_REFERENCE_DIR.glob("*.ja.html"))
        tree = markdown_tree(tmp / "markdown")
        if VITE_DOCS.is_dir():
            kb = KnowledgeBase(tmp / "vite.db")
            paths = [VITE_DOCS / "en", VITE_DOCS / "ja"]
            sets = {" English": VITE_EN, " Japanese": VITE_JA}
            lines.append(rows("vite-docs (VitePress),", kb, paths, sets))
        pip = pip_docs(tmp / "pip")
        if pip:
            kb = KnowledgeBase(tmp / "pip.db")
            lines.append(rows("English, pip's docs (MyST)", kb, [pip], {"": PIP_MYST}))
        if python:
            kb = KnowledgeBase(tmp / "python.db")
            lines.append(rows("English, python3-doc (HTML)", kb, python, {"": PYTHON_DOCS}))
        if tree:
            kb = KnowledgeBase(tmp / "markdown.db")
            paths = [tree / "node", tree / "pymdown"]
            name = "English, nodejs-doc + pymdown-extensions (Markdown)"
            lines.append(rows(name, kb, paths, {"": MARKDOWN}))
        if reference:
            kb = KnowledgeBase(tmp / "reference.db")
            name = "Japanese, debian-reference-ja (HTML)"
            lines.append(rows(name, kb, reference, {"": DEBIAN_REFERENCE}))
            for half, asked in named_halves(DEBIAN_REFERENCE):
                lines.append(
                    f"| the same searched as before SudachiPy (trigrams), {half} | | | | | "
                    + ask_all(TrigramsOnly(kb.path), asked).cells()
                )
        if not (python and tree and reference and pip and VITE_DOCS.is_dir()):
            lines.append("| a corpus is not installed: `make bench` installs them all |")
        if tree:
            lines += ["", import_table(tree, tmp)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
