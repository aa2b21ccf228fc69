"""Which source URLs Kura fetches: https anywhere public, plain http only on this machine (a
token would otherwise travel in clear), and local repositories for the operator. Git's
transport helpers (`ext::` runs a command, `fd::`, `file::`) and options dressed as URLs
(`--upload-pack=…`) are refused, as GitPython's own CVE history shows they must be.

Whether the host is public is decided when git is about to connect (sync/sources/reach.py),
because a name can resolve elsewhere tomorrow.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from config.settings import is_loopback
from sync.errors import SourceRefused
from sync.sources.reach import pinned_resolution

EXAMPLE = "https://github.com/OWNER/REPO.wiki.git"
MAX_URL_LENGTH = 2048
_SHOWN = 80  # characters of a refused URL a message quotes
# Backslashes, and (by Unicode category) control, format and blank characters: parsers
# and people disagree on what they mean.
_NEVER = {"\\"}
_NEVER_CATEGORIES = ("C", "Z")
# One label of a DNS name, in ASCII (an international name is given as its xn-- form).
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def check_url(
    url: str,
    *,
    operator: bool = True,
    local_root: Path | None = None,
    allow_private: bool | None = None,
) -> str:
    """The URL, stripped, or SourceRefused with a one-line reason.

    `operator` (the command line) may name any local repository; a page's user only one
    under `local_root` (WIKI_SOURCES_LOCAL_DIR), and none when it is not set: a local path
    would let any logged-in user read whatever repository the server can. With
    `allow_private` given, the host is also resolved now, so a source on an internal
    address is refused before it is even stored (every fetch checks again).
    """
    text = _checked(url, operator=operator, local_root=local_root)
    if allow_private is not None:
        pinned_resolution(text, allow_private=allow_private)
    return text


def _checked(url: str, *, operator: bool, local_root: Path | None) -> str:
    text = url.strip()
    if not text:
        raise SourceRefused(f"Give the source's Git URL, for example {EXAMPLE}.")
    if len(text) > MAX_URL_LENGTH:
        raise SourceRefused(f"The URL is over {MAX_URL_LENGTH} characters; use one like {EXAMPLE}.")
    if text.startswith("-") or "::" in text or any(_never(c) for c in text):
        raise SourceRefused(f"{_shown(text)} is not a repository URL; use one like {EXAMPLE}.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a port that is no number, or an unclosed IPv6 bracket
        raise SourceRefused(
            f"{_shown(text)} has a malformed host or port; use one like {EXAMPLE}."
        ) from None
    if parts.scheme in ("http", "https"):
        return _web(text, parts, port)
    local = _local_path(text)
    if local is not None:
        _check_local(local, operator=operator, root=local_root)
        return text
    raise SourceRefused(f"Only https URLs and local paths can be sources, for example {EXAMPLE}.")


def _web(text: str, parts: SplitResult, port: int | None) -> str:
    if "@" in parts.netloc:
        raise SourceRefused(
            "A source URL must not contain credentials; put the token in WIKI_SOURCES_TOKEN."
        )
    host = parts.hostname or ""
    if not host:
        raise SourceRefused(f"{_shown(text)} names no host; use one like {EXAMPLE}.")
    if port == 0 or parts.netloc.endswith(":") or not _valid_host(host):
        raise SourceRefused(f"{_shown(text)} has a malformed host or port; use one like {EXAMPLE}.")
    if parts.scheme == "http" and not is_loopback(host):
        raise SourceRefused(f"{_shown(text)} uses plain http; use https.")
    return text


def _never(char: str) -> bool:
    return char in _NEVER or unicodedata.category(char)[0] in _NEVER_CATEGORIES


def _valid_host(host: str) -> bool:
    """A DNS name, an IPv4 address, or an IPv6 one (urlsplit has taken off its brackets)."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _local_path(text: str) -> Path | None:
    parts = urlsplit(text)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise SourceRefused("A file:// source must be on this machine (file:///path).")
        return Path(unquote(parts.path))
    if not parts.scheme and Path(text).is_absolute():
        return Path(text)
    return None


def _check_local(path: Path, *, operator: bool, root: Path | None) -> None:
    if operator:
        return
    if root is None:
        raise SourceRefused(
            "Local repositories can be added only from the command line (python -m chatbot "
            "sources add), or under the folder named in WIKI_SOURCES_LOCAL_DIR."
        )
    # Resolved, so neither `..` nor a symbolic link leads out of the folder.
    if not path.resolve().is_relative_to(root.resolve()):
        raise SourceRefused(
            f"Local repositories can be added here only under {root} (WIKI_SOURCES_LOCAL_DIR)."
        )


def _shown(text: str) -> str:
    """The URL as typed, quoted, escapes shown, cut to fit one line of a message."""
    shown = repr(text)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
