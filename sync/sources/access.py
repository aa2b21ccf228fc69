"""Which token a wiki source is fetched with, and whether it may be on a private address.

A token goes only to the host it was issued for. WIKI_SOURCES_TOKEN is for
WIKI_SOURCES_TOKEN_HOST (github.com unless set). The backup's GITHUB_TOKEN is lent to a
source only on the backup remote's own origin (a GitHub wiki beside the data repository),
so a source URL that any logged-in user types can never draw it elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
from sync.repo.execute import credential_origin


@dataclass(frozen=True)
class SourceAccess:
    sources_token: str | None = None
    sources_token_host: str = "github.com"
    backup_token: str | None = None
    backup_origin: str | None = None
    allow_private: bool = False

    @classmethod
    def of(cls, settings: Settings) -> SourceAccess:
        return cls(
            sources_token=settings.wiki_sources_token,
            sources_token_host=settings.wiki_sources_token_host,
            backup_token=settings.token,
            backup_origin=credential_origin(settings.data_repo or ""),
            allow_private=settings.wiki_sources_allow_private,
        )

    def token_for(self, url: str) -> str | None:
        origin = credential_origin(url)
        if origin is None:
            return None
        origin = origin.lower()
        if self.sources_token and origin.partition("://")[2] == self.sources_token_host.lower():
            return self.sources_token
        if self.backup_token and origin == (self.backup_origin or "").lower():
            return self.backup_token
        return None


NO_ACCESS = SourceAccess()
