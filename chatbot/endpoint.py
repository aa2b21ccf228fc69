"""The OpenAI-compatible endpoint (OPENAI_BASE_URL), reached through the official client."""

from __future__ import annotations

from openai import OpenAI


def openai_client(api_key: str, base_url: str | None) -> OpenAI:
    """One retry and a minute at most: the chat must not hang on a slow endpoint."""
    return OpenAI(api_key=api_key, base_url=base_url, timeout=60, max_retries=1)
