"""The wiki's sources as wiki.db records: what to fetch, and what was last indexed.

They live in wiki.db, so they are backed up with the pages they produced: a fresh host
restores both and its first pull fetches only what changed upstream since. No git here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from chatbot.knowledge import KnowledgeBase
from config import SettingsError
from config.settings import branch_name

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class BadSource(ValueError):
    """A source that cannot be added or found; the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Source:
    name: str  # its pages are NAME/<path>
    url: str
    branch: str
    path: str = ""  # the folder inside the repository that holds the wiki
    commit: str = ""  # the last commit indexed
    pulled_at: str = ""
    error: str = ""

    @property
    def origin(self) -> str:
        """The `origin` of its pages in wiki.db: a folder import never touches them."""
        return f"source:{self.name}"


def name_from(url: str) -> str:
    """team-docs for https://github.com/org/team-docs.git, team.wiki for a GitHub wiki."""
    last = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", last).strip("-.") or "source"


class SourceStore:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def add(self, source: Source) -> Source:
        if not _NAME.fullmatch(source.name):
            raise BadSource(
                "invalid_name",
                f"{source.name!r} cannot name a source: use letters, digits, '-', '_' or '.'.",
            )
        try:
            branch_name("--branch", source.branch)
        except SettingsError as error:
            raise BadSource("invalid_branch", str(error)) from None
        if self.get(source.name):
            raise BadSource(
                "exists", f"A source named {source.name!r} exists; pick another --name."
            )
        with self.kb.connection() as connection, connection:
            connection.execute(
                "INSERT INTO sources (name, url, branch, path) VALUES (?, ?, ?, ?)",
                (source.name, source.url, source.branch, source.path.strip("/")),
            )
        return self.get(source.name)  # type: ignore[return-value]

    def get(self, name: str) -> Source | None:
        return next((s for s in self.all() if s.name == name), None)

    def all(self) -> list[Source]:
        with self.kb.connection() as connection:
            rows = connection.execute(
                "SELECT name, url, branch, path, commit_id, pulled_at, error FROM sources "
                "ORDER BY name"
            ).fetchall()
        return [Source(*row) for row in rows]

    def pulled(self, name: str, *, commit: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.kb.connection() as connection, connection:
            connection.execute(
                "UPDATE sources SET commit_id = ?, pulled_at = ?, error = '' WHERE name = ?",
                (commit, now, name),
            )

    def failed(self, name: str, error: str) -> None:
        with self.kb.connection() as connection, connection:
            connection.execute("UPDATE sources SET error = ? WHERE name = ?", (error, name))

    def remove(self, source: Source) -> list[str]:
        """Forget the source and delete its pages; their names."""
        pages = self.pages(source)
        with self.kb.batch():
            for name in pages:
                self.kb.delete(name)
            with self.kb.connection() as connection, connection:
                connection.execute("DELETE FROM sources WHERE name = ?", (source.name,))
        return pages

    def pages(self, source: Source) -> list[str]:
        with self.kb.connection() as connection:
            rows = connection.execute(
                "SELECT name FROM documents WHERE origin = ? ORDER BY name", (source.origin,)
            ).fetchall()
        return [name for (name,) in rows]

    def documents(self, source: Source) -> int:
        return len(self.pages(source))
