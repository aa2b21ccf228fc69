"""Pull a wiki source: fetch it (sync/, GitPython) and index what changed.

This is a face of the chatbot, like its command line: the core (knowledge, search,
answers) is handed page names and bytes and never runs git. A failed pull records its
one-line error on the source and leaves the last good index as it was.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chatbot.importer import Importer
from chatbot.knowledge import KnowledgeBase
from chatbot.source_store import Source, SourceStore
from sync.errors import Busy, SyncError
from sync.sources import NO_ACCESS, Mirror, Pages, SourceAccess

log = logging.getLogger(__name__)


@dataclass
class PullResult:
    name: str
    status: str  # updated | unchanged | failed
    commit: str = ""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def mirror_of(home: Path, source: Source, access: SourceAccess) -> Mirror:
    return Mirror(
        home / "sources" / f"{source.name}.git",
        url=source.url,
        branch=source.branch,
        token=access.token_for(source.url),
        allow_private=access.allow_private,
    )


def pull(kb: KnowledgeBase, source: Source, *, home: Path, access: SourceAccess) -> PullResult:
    """Raises Busy while another pull of the source runs; any other failure is a result."""
    store = SourceStore(kb)
    mirror = mirror_of(home, source, access)
    try:
        with mirror.locked():
            commit = mirror.fetch()
            if commit == source.commit:
                store.pulled(source.name, commit=commit)
                return PullResult(source.name, "unchanged", commit)
            found = mirror.pages(commit, folder=source.path, since=source.commit or None)
            try:
                result = _index(kb, source, mirror, found)
            except BaseException:
                # Half indexed: the next pull must list every page, not diff from here.
                store.pulled(source.name, commit="")
                raise
    except Busy:
        raise  # another pull of this source runs: nothing to record, the caller says busy
    except SyncError as error:
        store.failed(source.name, error.message)
        return PullResult(source.name, "failed", source.commit, error=error.message)
    finally:
        mirror.close()
    store.pulled(source.name, commit=commit)
    return result


def forget(kb: KnowledgeBase, source: Source, *, home: Path) -> list[str]:
    """Remove the source, its pages (their names are returned) and its mirror."""
    pages = SourceStore(kb).remove(source)
    shutil.rmtree(mirror_of(home, source, NO_ACCESS).path, ignore_errors=True)
    return pages


def pull_all(
    kb: KnowledgeBase, *, home: Path, access: SourceAccess, names: list[str] | None = None
) -> list[PullResult]:
    sources = SourceStore(kb).all()
    return [pull(kb, s, home=home, access=access) for s in sources if not names or s.name in names]


def _index(kb: KnowledgeBase, source: Source, mirror: Mirror, found: Pages) -> PullResult:
    importer = Importer(kb)
    named = {f"{source.name}/{page.path}": page for page in found.pages}
    with kb.batch():
        for name, page in named.items():
            importer.page(name, mirror.read(page), source.origin)
        for path in found.removed:
            importer.remove(f"{source.name}/{path}")
        if found.complete:
            importer.keep_only(source.origin, set(named))
    report = importer.report
    return PullResult(
        source.name,
        "updated",
        found.commit,
        added=[d.name for d in report.added],
        changed=[d.name for d in report.changed],
        removed=report.removed,
        skipped=[f"{source.name}/{line}" for line in found.skipped] + report.skipped,
    )
