"""A block's inline Markdown as words: what a passage holds and a heading is named.

pyromark (pulldown-cmark) reads the inline markup, by CommonMark's rules: a code span
closes only on a run of backticks of its own length, emphasis pairs by its delimiter
rules, and escapes and entities are resolved. It reads in time linear in the text, about
100 times faster than markdown-it-py's inline parser on text dense with markup
(docs/benchmarks.md), so no upload can stall an import; Kura runs no regular expression
of its own on a page's inline text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import pyromark
from markdown_it.common.utils import normalizeReference

# Put before a block's inline source, so that pulldown-cmark reads it as a paragraph
# whatever it starts with (a heading named `1. Intro` is not a list), then taken off.
_LEAD = "\\ "
_LINKED = ("Reference", "Collapsed")


def code_span(text: str) -> str:
    """Text as one inline code span: its fence longer than any run of backticks inside,
    so nothing in it can close the span early."""
    flat = " ".join(text.splitlines())
    longest = run = 0
    for char in flat:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return f"{fence}{padded}{fence}"


def words(source: str, references: Collection[str] = ()) -> str:
    """The words of inline Markdown: link and image text kept, inline code as a code span,
    emphasis, inline HTML, escapes and entities read as what they stand for.

    `references`: the page's link labels (normalized as markdown-it does), so that
    `[text][label]` reads as its text where the page defines the label elsewhere."""
    return _read(source, code_span, references)


def label(source: str) -> str:
    """A heading, title or path as plain words: inline code as its text, no backticks."""
    return _read(_without_attributes(source), lambda code: code, ())


def _read(source: str, code: Callable[[str], str], references: Collection[str]) -> str:
    if not source.strip():
        return ""

    def linked(info: dict) -> tuple[str, str] | None:
        # A reference whose definition the block parser saw, or a full reference: text.
        known = info["link_type"] in _LINKED or normalizeReference(info["reference"]) in references
        return ("#", "") if known else None

    out: list[str] = []
    for event in pyromark.events(_LEAD + source, broken_link_callback=linked):
        if isinstance(event, str):  # SoftBreak, HardBreak: the words go on
            out.append(" ")
        elif "Text" in event:
            out.append(event["Text"])
        elif "Code" in event:
            out.append(code(event["Code"]))
    text = "".join(out)
    return " ".join(text.removeprefix(_LEAD.rstrip()).split())


def _without_attributes(text: str) -> str:
    """`Title { #anchor .class }` without its attribute list: found from the last `{`,
    never by a pattern that backtracks over the heading."""
    stripped = text.rstrip()
    start = stripped.rfind("{")
    if not stripped.endswith("}") or start < 0:
        return text
    inside = stripped[start + 1 : -1].strip()
    if inside[:1] in ("#", ".", ":") and "}" not in inside:
        return stripped[:start]
    return text
