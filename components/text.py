"""What users write is shown as text; what the wiki says is shown as its Markdown. Neither
is ever rendered as HTML."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$])")


def plain(text: str) -> str:
    """Escape every Markdown and HTML character, keep line breaks, for st.markdown."""
    lines = [_MARKUP.sub(r"\\\1", line) for line in text.splitlines()]
    return "  \n".join(lines)


_FENCE = re.compile(r"^\s*(> )*\s*```")


def wiki_markdown(text: str) -> str:
    """The wiki's Markdown (code blocks, lists, tables), for st.markdown with raw HTML off,
    which shows any HTML in a document as text. Outside code, `$` is escaped: a shell
    prompt in a sentence is not a formula."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code:
            spans = line.split("`")
            line = "`".join(s if i % 2 else s.replace("$", "\\$") for i, s in enumerate(spans))
        lines.append(line)
    return "\n".join(lines)
