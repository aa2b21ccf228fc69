"""Which files of a folder become wiki documents, and under which names."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from chatbot.parsing import SUFFIXES


@dataclass(frozen=True)
class Page:
    name: str  # the document's name: its path under the import root, with "/"
    path: Path


@dataclass
class Scan:
    pages: list[Page] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: what and why


def scan(folder: Path, root: Path) -> Scan:
    """Documents under `folder`, named by their path under `root`. Links are never followed
    (a link could pull in any file the server can read); hidden folders (.git) are not the
    wiki; other files are not documents and are passed over without a word."""
    found = Scan()
    for directory, folders, files in os.walk(folder):
        here = Path(directory)
        for name in sorted(folders):
            if name.startswith("."):
                folders.remove(name)
            elif (here / name).is_symlink():
                folders.remove(name)
                found.skipped.append(f"{_name(here / name, root)}/ is a link; not followed.")
        folders.sort()
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() not in SUFFIXES:
                continue
            if path.is_symlink():
                found.skipped.append(f"{_name(path, root)} is a link; not followed.")
            elif path.is_file():
                found.pages.append(Page(_name(path, root), path))
    return found


def _name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def safe_name(name: str) -> str | None:
    """An uploaded file's name as a document name, or None when it tries to leave its folder."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or any(p in ("", ".", "..") for p in parts):
        return None
    return "/".join(parts)
