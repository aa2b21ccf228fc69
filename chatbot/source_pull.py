"""Pull a wiki source: fetch it (sync/, GitPython) and index what changed.

This is a face of the chatbot, like its command line: the core (knowledge, search,
answers) is handed page names and bytes and never runs git. A failed pull records its
one-line error on the source and leaves the last good index as it was.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chatbot.importer import Importer, PreparedPage
from chatbot.knowledge import KnowledgeBase
from chatbot.source_store import Source, SourceStore
from sync.errors import Busy, SyncError
from sync.sources import NO_ACCESS, Mirror, Pages, SourceAccess

log = logging.getLogger(__name__)

CHANGED_MEANWHILE = "The wiki changed while the source was read (a restore?); pull it again."


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


def pull(
    kb: KnowledgeBase,
    source: Source,
    *,
    home: Path,
    access: SourceAccess,
    hold: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> PullResult:
    """Fetch, read and index what changed. `hold` (the backup's operation lock) is taken
    only to write: the fetch and the reading of pages, however long, hold nothing a backup
    or a restore waits for. Raises Busy while another pull of the source runs or `hold`
    cannot be had; any other failure is a result."""
    store = SourceStore(kb)
    mirror = mirror_of(home, source, access)
    try:
        with mirror.locked():
            commit = mirror.fetch()
            if commit == source.commit:
                with hold():
                    store.pulled(source.name, commit=commit)
                return PullResult(source.name, "unchanged", commit)
            found = mirror.pages(commit, folder=source.path, since=source.commit or None)
            importer = Importer(kb)
            pages = _prepared(importer, source, mirror, found)
            with hold():
                return _written(kb, importer, source, found, pages)
    except Busy:
        raise  # another pull of this source runs: nothing to record, the caller says busy
    except SyncError as error:
        store.failed(source.name, error.message)
        return PullResult(source.name, "failed", source.commit, error=error.message)
    finally:
        mirror.close()


def forget(kb: KnowledgeBase, source: Source, *, home: Path) -> list[str]:
    """Remove the source, its pages (their names are returned) and its mirror."""
    pages = SourceStore(kb).remove(source)
    shutil.rmtree(mirror_of(home, source, NO_ACCESS).path, ignore_errors=True)
    return pages


def pull_all(
    kb: KnowledgeBase,
    *,
    home: Path,
    access: SourceAccess,
    names: list[str] | None = None,
    hold: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> list[PullResult]:
    sources = [s for s in SourceStore(kb).all() if not names or s.name in names]
    return [pull(kb, s, home=home, access=access, hold=hold) for s in sources]


def _prepared(
    importer: Importer, source: Source, mirror: Mirror, found: Pages
) -> list[PreparedPage]:
    """The changed pages read and cut into passages: no write, no lock."""
    pages = []
    for page in found.pages:
        prepared = importer.prepare(f"{source.name}/{page.path}", mirror.read(page), source.origin)
        if prepared is not None:
            pages.append(prepared)
    return pages


def _written(
    kb: KnowledgeBase, importer: Importer, source: Source, found: Pages, pages: list[PreparedPage]
) -> PullResult:
    """The prepared pages stored and the removed ones dropped, under the caller's hold."""
    store = SourceStore(kb)
    now = store.get(source.name)
    if now is None or now.commit != source.commit:
        # A restore or another pull changed the wiki since the diff was made: what was
        # read may not fit it. Nothing is written; the next pull lists every page.
        if now is not None:
            store.pulled(source.name, commit="")
        return PullResult(source.name, "failed", source.commit, error=CHANGED_MEANWHILE)
    try:
        with kb.batch():
            for page in pages:
                importer.store(page)
            for path in found.removed:
                importer.remove(f"{source.name}/{path}")
            if found.complete:
                names = {f"{source.name}/{page.path}" for page in found.pages}
                importer.keep_only(source.origin, names)
    except BaseException:
        # Half indexed: the next pull must list every page, not diff from here.
        store.pulled(source.name, commit="")
        raise
    store.pulled(source.name, commit=found.commit)
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
