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
    events = pyromark.events(_LEAD + source, broken_link_callback=linked)
    for event in events:
        if isinstance(event, str):  # SoftBreak, HardBreak: the words go on
            out.append(" ")
        elif "Text" in event:
            out.append(event["Text"])
        elif "Code" in event:
            role = _role_before(out)
            out.append(code(event["Code"]) if role is None else _role(role, event["Code"], code))
    text = "".join(out)
    return " ".join(text.removeprefix(_LEAD.rstrip()).split())


# MyST roles read as plain words; any other role names code (`{mod}`, `{file}` …).
_TEXT_ROLES = {
    *("ref", "doc", "term", "any", "abbr", "sup", "sub", "pypi", "download", "numref"),
    *("eq", "guilabel", "menuselection", "dfn", "strong", "emphasis", "math", "external"),
}
_NUMBERED_ROLES = {"pep": "PEP", "rfc": "RFC"}


def _role_before(out: list[str]) -> str | None:
    """A MyST role written just before a code span (`{ref}` of `` {ref}`target` ``): taken
    off the text read so far and returned, lower-case; None when there is none."""
    if not out or not out[-1].endswith("}"):
        return None
    start = out[-1].rfind("{")
    name = out[-1][start + 1 : -1]
    before = out[-1][start - 1 : start]
    if start < 0 or not name or not all(c.isalnum() or c in ":.-_" for c in name):
        return None
    if before.isalnum() or before == "$":  # `${name}` of a template literal: no role
        return None
    out[-1] = out[-1][:start]
    return name.lower()


def _role(role: str, content: str, code: Callable[[str], str]) -> str:
    """What a role shows: `text <target>` shows its text, `~a.b` its last part."""
    shown = content.strip()
    if shown.endswith(">") and " <" in shown:
        shown = shown[: shown.rindex(" <")].strip()
    if shown.startswith(("~", "!")):
        shown = shown[1:].rsplit(".", 1)[-1] if shown[0] == "~" else shown[1:]
    name = role.rsplit(":", 1)[-1]
    if name in _NUMBERED_ROLES:
        return f"{_NUMBERED_ROLES[name]} {shown}"
    return shown if name in _TEXT_ROLES else code(shown)


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
