"""MyST (Sphinx's Markdown) directives as the CommonMark the reader knows.

A directive is a fence whose info is `{name} argument` (```` ```{note} ````, `:::{tip}`),
its body opened by `:option: value` lines or a `---` block of them. Read here:

- notes (`note`, `warning`, `admonition` Title, `versionadded` 22.2, `dropdown` Title …)
  become `!!! kind "Title"` admonitions, their body indented, nested directives included;
- code directives (`code-block` python, `code`) become fences of that language;
- groups (`tab-set`, `grid`, `card` …) give their body; a `tab-item` Label or a card's
  title heads its body as a bold line, so tabs read as labelled variants;
- navigation and includes (`toctree`, `include`, `image` …) have no words here;
- any other directive is an extension's code-like block (`mermaid`, `pip-cli`, Quarto's
  `{r}`): a fence named after it.

`(label)=` targets and `%` comment lines are dropped. Roles (`` {ref}`text <target>` ``)
are read with the inline text (chatbot/inline.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from chatbot.fences import fence, page_fence

_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marks>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:.-]+)\}(?P<arg>.*)$"
)
_OPTION = re.compile(r"^[ \t]*:[\w-]+:")
_DROPPED_LINE = re.compile(r"^[ \t]*(?:\([\w.:-]+\)=|%|\+\+\+)")
_NOTES = {
    *("note", "warning", "tip", "hint", "important", "caution", "attention", "danger"),
    *("error", "seealso", "admonition", "dropdown", "topic", "sidebar", "margin", "todo"),
}
_VERSIONS = {
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
_CODE = {"code-block", "code", "sourcecode", "code-cell"}
_GROUPS = {"tab-set", "tabs", "grid", "grid-item", "card-carousel", "div", "container"}
_LABELLED = {"tab-item", "tab", "grid-item-card", "card", "figure"}
_NOTHING = {
    *("toctree", "contents", "include", "literalinclude", "image", "only", "raw"),
    *("autosummary", "index", "rubric", "tabularcolumns", "highlight"),
}


_MYST = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,}|:{3,})\{[\w:.-]+\}"  # a directive
    r"|^[ \t]*\([\w.:-]+\)=[ \t]*$"  # a target
    r"|(?<![\w$])\{[a-z][\w:.-]*\}`",  # a role (not a template literal's `${name}`)
    re.MULTILINE,
)


def is_myst(text: str) -> bool:
    """A page that uses a directive, a target or a role: only then are `%` lines comments."""
    return _MYST.search(text) is not None


MAX_DEPTH = 8  # directives nested deeper stay text: each level indents its body again


def read_myst(text: str) -> str:
    """The page with its directives as admonitions, fences and plain blocks (see module)."""
    return "\n".join(_lines(text.split("\n"), 0))


@dataclass
class _Directive:
    indent: str
    marks: str
    name: str
    argument: str
    body: list[str] = field(default_factory=list)


def _lines(lines: list[str], depth: int) -> Iterator[str]:
    index, code = 0, ""
    while index < len(lines):
        line = lines[index]
        opened = _OPEN.match(line) if not code and depth < MAX_DEPTH else None
        if opened:
            directive, index = _collect(lines, index, opened)
            yield from _rendered(directive, depth + 1)
            continue
        code = page_fence(line, code)
        if code or not _DROPPED_LINE.match(line):
            yield line
        index += 1


def _collect(lines: list[str], index: int, opened: re.Match[str]) -> tuple[_Directive, int]:
    """The directive opened at `index` and the index after its closing line (or the page's
    end): a run of its fence character at least as long as its opening, alone on its line.
    Nested directives and fences use shorter runs, so they never close it."""
    marks = opened.group("marks")
    directive = _Directive(
        opened.group("indent"), marks, opened.group("name").lower(), opened.group("arg").strip()
    )
    index += 1
    while index < len(lines):
        stripped = lines[index].strip()
        if len(stripped) >= len(marks) and set(stripped) == {marks[0]}:
            return directive, index + 1
        directive.body.append(_dedented(lines[index], directive.indent))
        index += 1
    return directive, index


def _rendered(directive: _Directive, depth: int) -> Iterator[str]:
    body = _without_options(directive.body)
    name, argument, indent = directive.name, directive.argument, directive.indent
    if name in _NOTHING:
        return
    if name in _CODE:
        yield from _fenced(indent, argument.split(" ")[0], body)
    elif name in _NOTES or name in _VERSIONS:
        title = argument if name in ("admonition", "dropdown", "topic", "sidebar") else ""
        if name in _VERSIONS:
            title = f"{_VERSIONS[name]} {argument}".strip()
        kind = "note" if name in ("admonition", "dropdown", "topic", "sidebar") else name
        title = title.replace('"', "'")
        yield indent + (f'!!! {kind} "{title}"' if title else f"!!! {kind}")
        yield from (indent + "    " + line if line.strip() else "" for line in _lines(body, depth))
        yield ""
    elif name in _GROUPS or name in _LABELLED:
        yield ""
        if argument and name in _LABELLED:
            yield f"{indent}**{argument}**"
            yield ""
        yield from (indent + line if line.strip() else "" for line in _lines(body, depth))
        yield ""
    else:
        yield from _fenced(indent, name, body)


def _fenced(indent: str, language: str, body: list[str]) -> Iterator[str]:
    block = fence("\n".join(body), language)
    yield from (indent + line if line.strip() else "" for line in block.split("\n"))


def _without_options(body: list[str]) -> list[str]:
    """A directive's body without its leading `:key: value` lines or `---` block of them."""
    start = 0
    if body and body[0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        start = end + 1 if end is not None else 0
    while start < len(body) and _OPTION.match(body[start]):
        start += 1
    while start < len(body) and not body[start].strip():
        start += 1
    return body[start:]


def _dedented(line: str, indent: str) -> str:
    return line[len(indent) :] if line.startswith(indent) else line.lstrip()
