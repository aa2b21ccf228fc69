"""Safe display forms of settings that hold or may hold secrets."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_TOKEN_KINDS = ("github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "glpat-")


def mask_token(token: str | None) -> str:
    """`github_pat_…wxyz`: the token's kind and at most its last 4 characters."""
    if not token:
        return "not set"
    kind = next((k for k in _TOKEN_KINDS if token.startswith(k)), "")
    rest = token[len(kind) :]
    # Short tokens show less, so that the mask never reveals most of one.
    shown = rest[-4:] if len(rest) >= 16 else ""
    return f"{kind}…{shown}"


def redact_url(url: str) -> str:
    """The remote without any user name or password in it."""
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host))
