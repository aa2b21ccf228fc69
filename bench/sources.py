"""A wiki source of 1,000 pages: one page changes upstream, and the next pull re-indexes it.

Kura's pull (fetch into the mirror, diff the two commits, re-index the one page) beside
the naive way a cron job would do it: clone the repository afresh and import the whole
folder again (unchanged pages are skipped by hash, so that is already the kind version).
The pages are real: the Markdown tree of bench/wiki.py, copied under new folders until
there are 1,000. Also run alone: `python -m bench.sources`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.wiki import markdown_tree
from chatbot.importer import Importer
from chatbot.knowledge import KnowledgeBase
from chatbot.source_pull import pull
from chatbot.source_store import Source, SourceStore

PAGES = 1000


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def _commit(repo: Path, message: str) -> None:
    _git("add", "-A", cwd=repo)
    _git("-c", "user.name=Bench", "-c", "user.email=b@b", "commit", "-qm", message, cwd=repo)


def upstream_of(tree: Path, repo: Path) -> list[Path]:
    pages = sorted(p for p in tree.rglob("*.md") if ".snippets" not in p.parts)
    written = []
    for n in range(PAGES):
        source = pages[n % len(pages)]
        target = repo / "docs" / f"copy{n // len(pages)}" / source.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    _git("init", "-q", "-b", "main", str(repo), cwd=repo.parent)
    _commit(repo, "a wiki of 1,000 pages")
    return written


def naive(repo: Path, kb: KnowledgeBase, work: Path) -> float:
    started = time.perf_counter()
    clone = work / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    _git("clone", "-q", str(repo), str(clone), cwd=work)
    Importer(kb).paths([clone / "docs"])
    return time.perf_counter() - started


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="kura-sources-") as name:
        tmp = Path(name)
        tree = markdown_tree(tmp / "markdown")
        if tree is None:
            return "Wiki sources: the Markdown corpus is not installed (make bench installs it)."
        repo = tmp / "upstream"
        repo.mkdir()
        pages = upstream_of(tree, repo)
        size = sum(p.stat().st_size for p in pages)

        kb = KnowledgeBase(tmp / "kura" / "wiki.db")
        source = SourceStore(kb).add(Source("team", str(repo), "main", "docs"))
        started = time.perf_counter()
        first = pull(kb, source, home=tmp / "home", token=None)
        first_seconds = time.perf_counter() - started
        naive_kb = KnowledgeBase(tmp / "naive" / "wiki.db")
        naive_first = naive(repo, naive_kb, tmp)

        pages[0].write_text(pages[0].read_text() + "\n\nOne more paragraph.\n")
        _commit(repo, "one page changed")
        started = time.perf_counter()
        again = pull(kb, SourceStore(kb).get("team"), home=tmp / "home", token=None)
        kura = time.perf_counter() - started
        baseline = naive(repo, naive_kb, tmp)
    assert again.changed == [f"team/{pages[0].relative_to(repo / 'docs').as_posix()}"]
    return "\n".join(
        [
            f"Wiki source of {len(pages)} real Markdown pages ({size / 2**20:.1f} MB), "
            f"{len(first.added)} indexed:",
            "",
            "| pull | Kura (s) | fresh clone + import (s) | speed-up |",
            "| --- | ---: | ---: | ---: |",
            _row("first", first_seconds, naive_first),
            _row("after one page changed", kura, baseline),
        ]
    )


def _row(name: str, kura: float, naive_seconds: float) -> str:
    return f"| {name} | {kura:.2f} | {naive_seconds:.2f} | {naive_seconds / kura:.1f}x |"


if __name__ == "__main__":
    print(run())
