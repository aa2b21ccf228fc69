"""Which source URLs Kura fetches: https anywhere, plain http only on this machine (a token
would otherwise travel in clear), and local repositories. Git's transport helpers
(`ext::` runs a command, `fd::`, `file::`) and options dressed as URLs (`--upload-pack=…`)
are refused, as GitPython's own CVE history shows they must be."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from config.settings import is_loopback
from sync.errors import SourceRefused

EXAMPLE = "https://github.com/OWNER/REPO.wiki.git"


def check_url(url: str) -> str:
    """The URL, stripped, or SourceRefused with a one-line reason."""
    text = url.strip()
    if not text:
        raise SourceRefused(f"Give the source's Git URL, for example {EXAMPLE}.")
    if text.startswith("-") or "::" in text or any(c in text for c in "\r\n\0"):
        raise SourceRefused(f"{_shown(text)} is not a repository URL; use one like {EXAMPLE}.")
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and (parts.username or parts.password):
        raise SourceRefused(
            "A source URL must not contain credentials; put the token in WIKI_SOURCES_TOKEN."
        )
    if parts.scheme == "https" and parts.hostname:
        return text
    if parts.scheme == "http" and parts.hostname:
        if is_loopback(parts.hostname):
            return text
        raise SourceRefused(f"{_shown(text)} uses plain http; use https.")
    if parts.scheme == "file" or (not parts.scheme and Path(text).is_absolute()):
        return text
    raise SourceRefused(f"Only https URLs and local paths can be sources, for example {EXAMPLE}.")


def _shown(text: str) -> str:
    return repr(text[:80])
