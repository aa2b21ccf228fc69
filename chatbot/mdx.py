"""MDX components (Starlight, Docusaurus, Vue) as the CommonMark the reader knows.

A component tag alone on its line (`<Steps>`, `<TabItem label="npm">`, `</Tabs>`) is
JSX, not HTML: what it holds is Markdown, indented as the JSX around it is. CommonMark
would read the tag and the lines after it, up to a blank line, as one HTML block (a
fence on the next line becomes words), and code indented inside `<Steps>` as text.
So each tag line stands alone between blank lines, the lines it holds lose the indent
the tag added, and:

- a tab, slot or card (`<TabItem label>`, `<Fragment slot>`, `<Card title>`) heads what
  it holds with its label as a bold line, so tabs read as labelled variants; a tag that
  holds nothing (`<LinkCard title … />`) has no words;
- `<Aside type title>` becomes a note (`!!! caution "Title"`);
- any other tag (`<Steps>`, `<Tabs>`, `<FileTree>`, `<PackageManagerTabs>`) gives what it
  holds and no words of its own, as do `{/* comments */}` lines.

Tags inside code blocks are code, and stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chatbot.fences import page_fence

_TAG = re.compile(
    r"^(?P<indent>[ \t]*)<(?P<close>/?)(?P<name>[A-Z][\w.]*)(?P<attrs>[^<>]*)>[ \t]*$"
)
_ATTRIBUTE = re.compile(r"(?<![\w-])([\w-]++)=(?:\"([^\"]*+)\"|'([^']*+)')")
_COMMENT = re.compile(r"^[ \t]*\{/\*.*\*/\}[ \t]*$")
_LABELS = ("label", "title", "slot", "value")  # the attribute that names a variant, in order
_NOTE_INDENT = "    "
MAX_DEPTH = 16  # tags nested deeper have no words and hold nothing: no page nests so deep


def has_components(text: str) -> bool:
    return "<" in text and any(_TAG.match(line) for line in text.split("\n"))


@dataclass
class _Open:
    name: str
    indent: int  # the tag's own indent
    inner: int | None = None  # what its first line inside adds to it, once seen
    note: bool = False  # an Aside: what it holds is indented once more, as a note's body


def read_mdx(text: str) -> str:
    """The page with its component tags read (see the module's docstring)."""
    return "\n".join(_lines(text.split("\n")))


def _lines(lines: list[str]) -> Iterator[str]:
    stack: list[_Open] = []
    code = ""
    for line in lines:
        tag = _TAG.match(line) if not code else None
        if tag:
            yield from _tag(tag, stack)
            continue
        if not code and _COMMENT.match(line):
            continue
        code = page_fence(line, code)
        yield _inside(line, stack)


def _tag(tag: re.Match[str], stack: list[_Open]) -> Iterator[str]:
    name, attrs = tag.group("name"), tag.group("attrs")
    indent = _width(tag.group("indent"))
    if tag.group("close"):
        if any(frame.name == name for frame in stack):
            while stack.pop().name != name:
                pass  # a tag left open closes with its parent
        yield ""
        return
    if stack and stack[-1].inner is None:
        stack[-1].inner = max(0, indent - stack[-1].indent)
    prefix = _prefix(stack, indent)
    yield ""
    if attrs.rstrip().endswith("/") or len(stack) >= MAX_DEPTH:
        return  # a widget or a link card: it holds nothing to label
    values = dict(_attributes(attrs))
    title = next((values[key] for key in _LABELS if values.get(key)), "")
    if name == "Aside":
        kind = values.get("type", "note")
        yield prefix + (f'!!! {kind} "{title}"' if title else f"!!! {kind}")
    elif title:
        yield f"{prefix}**{title}**"
        yield ""
    stack.append(_Open(name, indent, note=name == "Aside"))


def _inside(line: str, stack: list[_Open]) -> str:
    """A line within open tags, without the indent they added (and a note's indent)."""
    if not stack or not line.strip():
        return line
    words = line.lstrip()
    indent = _width(line[: len(line) - len(words)])
    top = stack[-1]
    if top.inner is None:
        top.inner = max(0, indent - top.indent)
    notes, added = _offset(stack)
    return notes + _dedented(line, added)


def _prefix(stack: list[_Open], indent: int) -> str:
    """A tag's own line placed as what it sits in: inside notes, indented as their body."""
    notes, added = _offset(stack)
    return notes + " " * max(0, indent - added)


def _offset(stack: list[_Open]) -> tuple[str, int]:
    """What the open tags do to a line inside them: the indent of the notes it is in, and
    the columns of indent the JSX added."""
    return _NOTE_INDENT * sum(frame.note for frame in stack), sum(f.inner or 0 for f in stack)


def _attributes(attrs: str) -> Iterator[tuple[str, str]]:
    for found in _ATTRIBUTE.finditer(attrs):
        yield found.group(1), found.group(2) if found.group(2) is not None else found.group(3)


def _dedented(line: str, columns: int) -> str:
    """The line without its first `columns` columns of indent; the rest of its indent (a
    Makefile's tab) is kept as written."""
    at = column = 0
    while at < len(line) and column < columns and line[at] in " \t":
        column = column + 1 if line[at] == " " else (column // 4 + 1) * 4
        at += 1
    return " " * max(0, column - columns) + line[at:]


def _width(indent: str) -> int:
    """An indent's width in columns, a tab to the next multiple of four."""
    return len(indent.expandtabs(4))
