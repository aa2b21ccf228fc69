"""Code fences kept whole when text is cut: a cut inside a fenced block closes it there
and opens it again, with the same language and quote marks, where the next piece starts.

Without it, an excerpt that begins inside a code block has no opening fence: shell
comments (`# add this flag`) render as headings and the code as an empty box.
"""

from __future__ import annotations

import re

_LIST = re.compile(r"(?<![ \t\d])[ \t]*+(?:[-*+]|\d++[.)])[ \t]")  # possessive: no backtracking
_FENCE = re.compile(r"^(?P<quote>(?:> ?)*)[ \t]{0,3}(?P<marks>```+|~~~+)(?P<info>.*)$")
# A raw page's fences, at any indent: a fence inside a list item sits four spaces or more
# in. `_FENCE` reads Kura's normalized passages, where a fence is at most three spaces in
# and may be quoted; one pattern for both would change what one of them takes for a fence.
_PAGE_FENCE = re.compile(r"^[ \t]*(```+|~~~+)")


def slices(text: str, limit: int) -> list[str]:
    """Whole-line pieces of `text` of at most `limit` characters (a longer line is a piece
    of its own), each a complete Markdown text: no piece starts or ends inside a fence."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    opened: re.Match[str] | None = None  # the fence the current line is inside
    for line in text.split("\n"):
        if current and size + len(line) + 1 > limit:
            if opened and current[-1] == opened.group(0) and len(current) > 1:
                current.pop()  # a fence just opened: it opens the next piece, not an empty box
                pieces.append(_closed(current, None))
                current = [opened.group(0)]
            else:
                pieces.append(_closed(current, opened))
                current = [_reopen(opened)] if opened else []
            size = sum(len(kept) + 1 for kept in current)
        current.append(line)
        size += len(line) + 1
        opened = _after(line, opened)
    if current and any(line.strip() for line in current):
        pieces.append(_closed(current, opened))
    return pieces


def blocks(text: str) -> list[str]:
    """Markdown blocks: text between blank lines, a code block whole even where its code
    has blank lines of its own, and a list whole where its items hold several paragraphs
    (the reader writes the blank line inside an item as the item's indent, `"   "`)."""
    out: list[str] = []
    current: list[str] = []
    opened: re.Match[str] | None = None
    listing = False  # the current block starts with a list item
    for line in text.split("\n"):
        if not line.strip() and opened is None and not (line and listing):
            if current:
                out.append("\n".join(current))
            current = []
            continue
        listing = listing if current else is_list(line)
        current.append(line)
        opened = _after(line, opened)
    if current:
        out.append("\n".join(current))
    return out


def page_fence(line: str, opened: str) -> str:
    """The fence open after this line of a raw page (its marks, "" outside code), given the
    one open before it: the page's readers leave what is inside code as it is."""
    found = _PAGE_FENCE.match(line)
    if found and (not opened or found.group(1).startswith(opened)):
        return "" if opened else found.group(1)
    return opened


def fence(code: str, language: str = "") -> str:
    """A fenced code block, its fence longer than any run of backticks in the code: a page
    about Markdown shows fences inside its examples."""
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{language}\n{code}\n{marks}"


def is_list(text: str) -> bool:
    """Text that starts with a list item's marker (`- `, `1. `), at any indent."""
    return _LIST.match(text) is not None


def list_items(listing: str) -> list[str]:
    """Each item of a list, with its continuation lines, paragraphs and nested items."""
    items: list[list[str]] = []
    indent = len(listing) - len(listing.lstrip())
    for line in listing.split("\n"):
        at_base = len(line) - len(line.lstrip()) == indent
        if (at_base and is_list(line)) or not items:
            items.append([line])
        else:
            items[-1].append(line)
    return ["\n".join(item) for item in items]


def head(text: str, limit: int) -> str:
    """The first whole lines of `text` up to `limit` characters, a fence left open closed;
    an ellipsis says that more follows."""
    if len(text) <= limit:
        return text
    first = slices(text, limit)[0]
    ends_in_fence = _FENCE.match(first.rsplit("\n", 1)[-1]) is not None
    return first + "\n\n…" if ends_in_fence else first.rstrip() + " …"


def balanced(text: str) -> bool:
    """Every fence opened in `text` is closed."""
    opened = None
    for line in text.split("\n"):
        opened = _after(line, opened)
    return opened is None


def _after(line: str, opened: re.Match[str] | None) -> re.Match[str] | None:
    """The fence open after this line: a closing line closes it, an opening one opens it."""
    found = _FENCE.match(line)
    if not found:
        return opened
    if opened is None:
        return found
    same = found.group("marks")[0] == opened.group("marks")[0]
    closes = same and len(found.group("marks")) >= len(opened.group("marks"))
    return None if closes and not found.group("info").strip() else opened


def _closed(lines: list[str], opened: re.Match[str] | None) -> str:
    if opened:
        lines = [*lines, f"{opened.group('quote')}{opened.group('marks')}"]
    return "\n".join(lines).strip("\n")


def _reopen(opened: re.Match[str]) -> str:
    return f"{opened.group('quote')}{opened.group('marks')}{opened.group('info')}"
