"""Hostile uploads: how fast pathological documents import, and whether the server keeps
answering while one does.

    python -m bench.hostile [--sizes 100000 10485760] [--server]

Each document is made of one construct repeated to the size (emphasis runs, `[` and
backtick runs, deep nesting, one long line, each dialect's containers, HTML that Python's
own parser takes minutes on) and imported as an upload is (`Importer.upload`: parse,
passages, index). Ordinary text is the real Markdown of ../shared/corpora, repeated to
the same size. Side by side, the inline readers on the same text: pyromark (what Kura
uses) and markdown-it-py's inline parser (what the issue suggested). With `--server`, a
10 MiB upload goes through the real server in Chromium while the health endpoint and a
second session's page are timed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt
from playwright.sync_api import sync_playwright

from chatbot.importer import Importer
from chatbot.inline import words
from chatbot.knowledge import KnowledgeBase
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, launch

ROOT = Path(__file__).resolve().parent.parent
# Real bilingual documentation beside the repository; else the repository's own docs.
CORPORA = Path(os.environ.get("KURA_CORPORA", ROOT.parent / "shared" / "corpora"))

# name: (file suffix, one repetition)
CASES: dict[str, tuple[str, str]] = {
    "emphasis runs": (".md", " **a"),
    "underscore runs": (".md", " __a"),
    "[ runs": (".md", "["),
    "![ runs": (".md", "!["),
    "unclosed links": (".md", "[a]("),
    "reference labels": (".md", "[a]"),
    "backtick runs": (".md", "`a ``b "),
    "entities": (".md", "&#"),
    "inline tags": (".md", "<a "),
    "quotes nested": (".md", "> "),
    "lists nested": (".md", "- "),
    "one long line": (".md", "word "),
    "blank runs in a heading": (".md", "# a" + " " * 997 + "x\n"),
    "heading attributes": (".md", "## a { #b" + " " * 90 + "\n"),
    "admonitions": (".md", '!!! note "t"\n    body\n'),
    "containers": (".md", "::: warning " + " " * 50 + "x\n"),
    "pymdownx blocks": (".md", "/// note | t" + " " * 50 + "\n"),
    "MDX components": (".mdx", "<Tabs><TabItem label='a'>\n"),
    "MDX tags nested": (".mdx", "  <TabItem label='a'>\n"),
    "MyST directives nested": (".md", "````{note} t\n:class: a\n"),
    "MyST roles": (".md", "{ref}`a <b>` "),
    "MyST targets": (".md", "(a)=\n"),
    "GitHub alerts": (".md", "> [!NOTE]\n"),
    "fences unclosed": (".md", "```\n~~~~\n"),
    "HTML comments unclosed": (".html", "<!--"),
    "HTML tags unclosed": (".html", "<a "),
    "HTML attributes unclosed": (".html", '<a href="'),
    "HTML nested divs": (".html", "<div>a "),
    "HTML nested quotes": (".html", "<blockquote>a "),
}


def ordinary(size: int) -> str:
    pages = sorted(CORPORA.rglob("*.md")) or sorted((ROOT / "docs").glob("*.md"))
    text = "\n\n".join(p.read_text() for p in pages)
    data = (text * (size // max(1, len(text)) + 1)).encode()[:size]
    return data.decode(errors="ignore")  # `size` bytes, as the page limit counts them


def hostile(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def import_seconds(name: str, text: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        importer = Importer(KnowledgeBase(Path(tmp) / "wiki.db"))
        started = time.perf_counter()
        importer.upload(name, text.encode())
        return time.perf_counter() - started


def inline_seconds(text: str, reader: Callable[[str], object]) -> float:
    started = time.perf_counter()
    reader(text)
    return time.perf_counter() - started


def imports(sizes: list[int]) -> str:
    rows = [
        "| document | size | import (s) | s per MB |",
        "| --- | ---: | ---: | ---: |",
    ]
    worst = 0.0
    for size in sizes:
        cases = {"ordinary text (corpora)": (".md", None), **CASES}
        for label, (suffix, unit) in cases.items():
            text = ordinary(size) if unit is None else hostile(unit, size)
            seconds = import_seconds(f"doc{suffix}", text)
            per_mb = seconds / (len(text.encode()) / 1e6)
            worst = max(worst, per_mb) if unit is not None else worst
            rows.append(f"| {label} | {_size(len(text))} | {seconds:.2f} | {per_mb:.2f} |")
            print(rows[-1], flush=True)
    rows.append(f"\nSlowest hostile document: {worst:.2f} s per MB (target: at most 1).")
    return "\n".join(rows)


# What document text is made of, for the pattern probe: markup, blanks, letters, kana.
_PROBE = list(" \t\n*_`[]()!<>{}#:.-|~=&;\\/\"'aA1あ、。")


def patterns() -> str:
    """Every compiled pattern in chatbot/ and components/text.py, searched, matched and
    substituted over runs of each character and pair of characters at 3,000 and 12,000
    characters: a pattern whose time grows more than 6x for 4x the text is super-linear."""
    modules = [m.name for m in pkgutil.iter_modules([str(ROOT / "chatbot")], "chatbot.")]
    found, probed = [], 0
    for name in [*(m for m in modules if not m.endswith("__main__")), "components.text"]:
        for attr, pattern in vars(importlib.import_module(name)).items():
            if isinstance(pattern, re.Pattern):
                probed += 1
                slow = _superlinear(pattern)
                if slow:
                    found.append(f"`{name}.{attr}` on {slow!r}")
    verdict = "none" if not found else ", ".join(found)
    return f"Patterns probed for super-linear time: {probed}; super-linear: {verdict}."


def _superlinear(pattern: re.Pattern[str]) -> str | None:
    units = [*_PROBE, *(a + b for a in _PROBE for b in _PROBE if a != b)]
    for unit in units:
        short = unit * (3000 // len(unit))
        first = _pattern_seconds(pattern, short)
        if first > 0.01 and _pattern_seconds(pattern, short * 4) / first > 6:
            return unit
    return None


def _pattern_seconds(pattern: re.Pattern[str], text: str) -> float:
    started = time.perf_counter()
    pattern.search(text)
    pattern.sub("", text)
    return time.perf_counter() - started


def inline_readers(size: int) -> str:
    markdown_it = MarkdownIt("commonmark")
    rows = [
        f"| inline text ({_size(size)}) | pyromark (s) | markdown-it-py inline (s) |",
        "| --- | ---: | ---: |",
    ]
    for label in ("emphasis runs", "[ runs", "![ runs", "unclosed links", "backtick runs"):
        text = hostile(CASES[label][1], size)
        ours = inline_seconds(text, words)
        theirs = inline_seconds(text, markdown_it.parseInline)
        rows.append(f"| {label} | {ours:.3f} | {theirs:.3f} |")
        print(rows[-1], flush=True)
    return "\n".join(rows)


def server_during_import(size: int = 10_000_000) -> str:
    """Seconds the health endpoint and a second session's login page take to answer while
    the server imports a hostile upload in another session. 10 MB: the upload box's limit
    (Streamlit counts a megabyte as 10^6 bytes on Linux)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        upload = root / "hostile.md"
        upload.write_text(hostile(CASES["admonitions"][1], size))  # the slowest per MB
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        with launch(root / "host", remote=str(remote), env={"UI_LANGUAGE": "en"}) as server:
            wiki = server.workspace.data_dir / "wiki.db"
            took, health, pages = _probe_while_importing(server.url, upload, wiki)
    return (
        f"A {_size(size)} hostile upload imported in {took:.1f} s through the server. "
        f"Meanwhile the health endpoint answered in {_spread(health)} s "
        f"and a second session's login page showed in {_spread(pages)} s "
        f"({len(health)} probes; target: within 2 s)."
    )


def _probe_while_importing(
    url: str, upload: Path, wiki: Path
) -> tuple[float, list[float], list[float]]:
    """Playwright's sync API stays on one thread: the probes run between looks at wiki.db,
    which holds the page once the import is done."""
    health, pages = [], []
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(300_000)
        _log_in(page, url, PASSWORD)
        page.get_by_role("link", name="Knowledge").click()
        page.locator("input[type=file]").first.set_input_files(str(upload))
        page.get_by_role("button", name="Import").click()
        started = time.monotonic()
        other = browser.new_page()
        other.set_default_timeout(300_000)
        while not (wiki.exists() and KnowledgeBase(wiki).documents()):
            health.append(_timed(lambda: _health(url)))
            pages.append(_timed(lambda: _login_page(other, url)))
        took = time.monotonic() - started
        browser.close()
    return took, health, pages


def _log_in(page, url: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ask the wiki").wait_for()


def _health(url: str) -> None:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=60) as response:
        response.read()


def _login_page(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Password", exact=True).wait_for()


def _timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"median {statistics.median(values):.2f}, max {max(values):.2f}"


def _size(size: int) -> str:
    return f"{size / 2**20:g} MiB" if size >= 2**20 else f"{size // 1000} KB"


def run(sizes: tuple[int, ...] = (100_000, 10 * 2**20), *, server: bool = True) -> str:
    out = [imports(list(sizes)), inline_readers(100_000), patterns()] if sizes else []
    if server:
        out.append(server_during_import())
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 10 * 2**20])
    parser.add_argument("--server", action="store_true", help="also time the server")
    args = parser.parse_args()
    print(run(tuple(args.sizes), server=args.server))


if __name__ == "__main__":
    main()
