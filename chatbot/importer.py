"""Import files and folders into the wiki, keeping each folder's pages in step with it.

A page's name is its path in the folder imported (`ja/tutorial/index.md`). Several folders
imported together are named from their common parent, so `en/` and `ja/` keep their
`index.md` apart. Importing a folder again adds new pages, replaces changed ones, skips
unchanged ones and removes pages that left it. A page never silently overwrites a page of
another folder: that is refused, with the reason.

A file uploaded alone keeps the identity of the one document it is named like: uploading
`guide.md` when `en/guide.md` is the only `guide.md` replaces it. When several documents
have its name, nothing is imported until someone chooses which one it replaces, or to
keep it as a new document (`ImportReport.ambiguous`, `Importer.upload(replace=...)`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from chatbot.chunking import PASSAGES_VERSION
from chatbot.folders import safe_name, scan
from chatbot.knowledge import DocumentInfo, KnowledgeBase, Prepared
from chatbot.parsing import UnreadableDocument, read_bytes
from chatbot.reading import read_passages
from chatbot.source_store import SourceStore


@dataclass
class ImportReport:
    added: list[DocumentInfo] = field(default_factory=list)
    changed: list[DocumentInfo] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # a page of an older Kura
    skipped: list[str] = field(default_factory=list)  # one line each: what and why
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (upload, document)
    # Uploads named like several documents, not imported: (upload, [their names]).
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def imported(self) -> list[DocumentInfo]:
        return [*self.added, *self.changed]


@dataclass(frozen=True)
class PreparedPage:
    prepared: Prepared
    size: int
    origin: str
    digest: str


class Importer:
    """Example::

    report = Importer(KnowledgeBase(Path("data/wiki.db"))).paths([Path("docs/en"), Path("docs/ja")])
    print(len(report.added), report.removed, report.skipped)
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.report = ImportReport()
        self._known = {d.name: d for d in kb.documents()}
        self._sources = {s.name for s in SourceStore(kb).all()}

    def paths(self, paths: Sequence[Path]) -> ImportReport:
        folders = [p for p in paths if p.is_dir()]
        root = _root(folders)
        with self.kb.batch():
            for path in paths:
                if path.is_dir():
                    self.folder(path, root)
                else:
                    self.file(path)
        return self.report

    def folder(self, folder: Path, root: Path) -> None:
        found = scan(folder.resolve(), root)
        self.report.skipped.extend(found.skipped)
        origin, seen = str(root), set()
        for page in found.pages:
            seen.add(page.name)
            self._read(page.name, page.path, origin)
        prefix = folder.resolve().relative_to(root).as_posix()
        for name, info in sorted(self._known.items()):
            if info.origin == origin and name not in seen and _under(name, prefix):
                self.remove(name)

    def file(self, path: Path) -> None:
        self._read(path.name, path, origin="")

    def upload(self, name: str, raw: bytes, *, replace: str | None = None) -> None:
        """A file from the browser; a folder upload's names carry their paths. A file alone
        replaces the one document named like it; `replace` says which of several (a name),
        or "" to keep it as a new document."""
        safe = safe_name(name)
        if safe is None:
            self.report.skipped.append(f"{name!r} tries to leave its folder; skipped.")
            return
        if replace is None:
            matches = self.named_like(safe)
            if len(matches) > 1:
                self.report.ambiguous.append((safe, matches))
                return
            replace = matches[0] if matches else ""
        known = self._known.get(replace) if replace else None
        if known and known.origin.startswith("source:"):
            source = known.origin.removeprefix("source:")
            self.report.skipped.append(
                f"{known.name} comes from the wiki source {source}; change it there, or "
                "upload the file under another name."
            )
            return
        owner = self._source_folder(replace or safe)
        if owner and not known:
            self.report.skipped.append(
                f"{safe} would be a page in the folder of the wiki source {owner}; upload it "
                "under another folder."
            )
            return
        imported = self._add(replace or safe, raw, origin=known.origin if known else "")
        if imported and replace and replace != safe:
            self.report.replaced.append((safe, replace))

    def _source_folder(self, name: str) -> str:
        """The wiki source whose folder the name is in ("" for none): its pages are NAME/…"""
        top = PurePosixPath(name).parts[0] if "/" in name else ""
        return top if top and top in self._sources else ""

    def named_like(self, name: str) -> list[str]:
        """The documents a file uploaded alone under this name would be: the document of
        this very name, else every document with this file name in some folder."""
        if "/" in name or name in self._known:
            return [name] if name in self._known else []
        return sorted(n for n in self._known if PurePosixPath(n).name == name)

    def keep_only(self, origin: str, names: set[str]) -> None:
        """Remove the pages of `origin` that are not among `names`."""
        for name, info in sorted(self._known.items()):
            if info.origin == origin and name not in names:
                self.remove(name)

    def remove(self, name: str) -> None:
        if self.kb.delete(name):
            self.report.removed.append(name)
        self._known.pop(name, None)

    def _read(self, name: str, path: Path, origin: str) -> None:
        try:
            raw = read_bytes(path, name)
        except UnreadableDocument as exc:
            self.report.skipped.append(str(exc))
            return
        except OSError as exc:
            self.report.skipped.append(f"{name} could not be read ({exc.strerror}); skipped.")
            return
        self._add(name, raw, origin)

    def _add(self, name: str, raw: bytes, origin: str) -> bool:
        """True when the page was imported (added or changed)."""
        page = self.prepare(name, raw, origin)
        return page is not None and self.store(page) is not None

    def prepare(self, name: str, raw: bytes, origin: str) -> PreparedPage | None:
        """A page read, cut into passages and embedded, ready to store; None when it is
        unchanged or refused (the report says which). Nothing is written."""
        digest = f"{PASSAGES_VERSION}:{hashlib.sha256(raw).hexdigest()}"
        known = self._known.get(name)
        if known and known.origin and known.origin != origin:
            self.report.skipped.append(
                f"{name} is already a page from another folder; import both folders in one "
                "command, or their parent folder, so each keeps its path."
            )
            return None
        if known and known.digest == digest and known.origin == origin:
            self.report.unchanged.append(name)
            return None
        try:
            read = read_passages(name, raw)
        except UnreadableDocument as exc:
            self.report.skipped.append(str(exc))
            return None
        prepared = self.kb.prepared(read.name, read.title, read.passages)
        return PreparedPage(prepared, len(raw), origin, digest)

    def store(self, page: PreparedPage) -> DocumentInfo:
        """Write a prepared page: one short transaction."""
        name = page.prepared.name
        known = self._known.get(name)
        info = self.kb.store(page.prepared, size=page.size, origin=page.origin, digest=page.digest)
        self._known[name] = info
        (self.report.changed if known else self.report.added).append(info)
        if not known:
            self._adopt_older(info)
        return info

    def _adopt_older(self, info: DocumentInfo) -> None:
        """An older Kura named pages by file name alone: the same file (name, title and
        size) imported again under its path replaces that copy instead of doubling it."""
        base = PurePosixPath(info.name).name
        older = self._known.get(base)
        if (
            base != info.name
            and older is not None
            and not older.origin
            and not older.digest
            and (older.title, older.size) == (info.title, info.size)
        ):
            self.kb.delete(base)
            del self._known[base]
            self.report.renamed.append((base, info.name))


def _root(folders: list[Path]) -> Path:
    resolved = [f.resolve() for f in folders]
    if len(resolved) == 1:
        return resolved[0]
    return Path(os.path.commonpath(resolved)) if resolved else Path.cwd()


def _under(name: str, prefix: str) -> bool:
    return prefix == "." or name.startswith(prefix + "/")
