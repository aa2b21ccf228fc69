"""Text written by users or found in documents is shown as text, never as HTML or Markdown."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$])")


def plain(text: str) -> str:
    """Escape every Markdown and HTML character, keep line breaks, for st.markdown."""
    lines = [_MARKUP.sub(r"\\\1", line) for line in text.splitlines()]
    return "  \n".join(lines)
