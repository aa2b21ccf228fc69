"""What users write is shown as text; what the wiki says is shown as its Markdown. Neither
is ever rendered as HTML, and neither makes a viewer's browser fetch anything.

Streamlit renders Markdown in almost every string it shows (buttons, toasts, captions,
dialogs, status labels), images included. Text a user or a remote controls (a
conversation title, a document or source name, an error message, a commit message) is
therefore escaped before it reaches one: `plain()`, which `t()` applies to every value it
puts into a message. The result is marked `Markdown`, so it is never escaped twice.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from chatbot.inline import code_span
from chatbot.markdown import fence

# Inline Markdown anywhere in a line; what starts a block (heading, list, quote) only at
# its start.
_INLINE = re.compile(r"([\\`*_\[\]<>!|~&$])")
# What GFM turns into a link by itself, whatever escapes it (it matches the text after
# parsing): `https://`, `www.`, `a@b.c`. An invisible word joiner breaks the pattern.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
JOINER = "\u2060"
_BLOCK = re.compile(r"^(\s*(?:\d+)?)((?<=\d)[.)]|(?<!\d)[#+\-=])")


class Markdown(str):
    """Text that is safe to render as Markdown: escaped, or written by Kura itself."""


def plain(text: str) -> Markdown:
    """Escape what Markdown or HTML would act on, keep line breaks, for st.markdown (and
    every other Streamlit call that renders Markdown): no image, link, autolink, emphasis,
    heading, list or HTML from a user's text."""
    if isinstance(text, Markdown):
        return text
    lines = [_escape_line(line) for line in str(text).splitlines()]
    return Markdown("  \n".join(lines))


def code(text: str) -> Markdown:
    """Text as inline code, shown exactly as written: nothing inside can close it early."""
    return Markdown(code_span(str(text)))


def _escape_line(line: str) -> str:
    line = _AUTOLINK.sub(JOINER, _INLINE.sub(r"\\\1", line))
    return _BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


# How the page reads the wiki's Markdown: CommonMark with tables and strikethrough, as
# Streamlit shows them. Nesting deeper than this is not a page anyone wrote.
_PARSER = MarkdownIt("commonmark", {"maxNesting": 20}).enable(["table", "strikethrough"])
_LINK_SCHEMES = ("http", "https", "mailto")
_MARKS = {"em": "*", "strong": "**", "s": "~~"}


def wiki_markdown(text: str) -> Markdown:
    """The wiki's Markdown (code blocks, lists, quotes, tables, emphasis), written again
    from markdown-it-py's parse so that only what Kura writes is markup: every piece of
    text is escaped (`plain`), code spans and blocks are fenced longer than any run
    inside them, images become links, raw HTML is shown as text, and a link stays a link
    only to http(s) or mailto. Nothing in a document can make a browser fetch or run
    anything, whatever its backticks, fences or entities."""
    tree = SyntaxTreeNode(_PARSER.parse(str(text)))
    return Markdown("\n".join(_join(tree.children, loose=True)))


def _join(nodes: list[SyntaxTreeNode], *, loose: bool) -> list[str]:
    """Blocks' lines, a blank line between them where the source had one."""
    lines: list[str] = []
    for node in nodes:
        if lines and loose:
            lines.append("")
        lines.extend(_block(node))
    return lines


def _block(node: SyntaxTreeNode) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _inline(node.children[0]).split("\n")
    if kind == "heading":
        return [f"{'#' * int(node.tag[1])} " + _inline(node.children[0]).replace("\n", " ")]
    if kind in ("fence", "code_block"):
        language = re.sub(r"[^\w+#.-]", "", node.info.split()[0]) if node.info.strip() else ""
        return fence(node.content.rstrip("\n"), language).split("\n")
    if kind == "blockquote":
        return [f"> {line}" if line else ">" for line in _join(node.children, loose=True)]
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "table":
        return _table(node)
    if kind == "hr":
        return ["---"]
    return plain(node.content.rstrip("\n")).split("\n")  # raw HTML: shown as written


def _list(node: SyntaxTreeNode) -> list[str]:
    loose = any(not child.hidden for item in node.children for child in item.children)
    number = int(node.attrs.get("start", 1))
    lines: list[str] = []
    for item in node.children:
        marker = f"{number}. " if node.type == "ordered_list" else "- "
        number += 1
        body = _join(item.children, loose=loose) or [""]
        if lines and loose:
            lines.append("")
        lines.append(marker + body[0])
        lines.extend(" " * len(marker) + line if line else "" for line in body[1:])
    return lines


def _table(node: SyntaxTreeNode) -> list[str]:
    rows = [row for section in node.children for row in section.children]
    cells = [[_cell(cell) for cell in row.children] for row in rows]
    width = max(len(row) for row in cells)
    aligns = [_align(cell.attrs.get("style", "")) for cell in rows[0].children]
    lines = [_row(cells[0], width), _row(aligns, width)]
    return [*lines, *(_row(row, width) for row in cells[1:])]


def _cell(cell: SyntaxTreeNode) -> str:
    """A cell's Markdown: GFM splits a row on every `|` not escaped, in code spans too."""
    return _inline(cell.children[0], table=True) if cell.children else ""


def _align(style: str | int | float) -> str:
    side = str(style).removeprefix("text-align:")
    return {"left": ":---", "right": "---:", "center": ":---:"}.get(side, "---")


def _row(cells: list[str], width: int) -> str:
    padded = [*cells, *([""] * (width - len(cells)))]
    return "| " + " | ".join(c.replace("\n", " ") for c in padded) + " |"


def _inline(node: SyntaxTreeNode, *, table: bool = False) -> str:
    pieces: list[str] = []
    for child in node.children:
        piece = _span(child, table=table)
        if pieces and pieces[-1].endswith("`") and piece.startswith("`"):
            pieces.append(JOINER)  # two code spans side by side stay two
        pieces.append(piece)
    return "".join(pieces)


def _span(node: SyntaxTreeNode, *, table: bool) -> str:
    kind = node.type
    if kind in ("text", "text_special"):
        return _escape_line(node.content)
    if kind == "code_inline":
        return code(node.content).replace("|", "\\|") if table else code(node.content)
    if kind == "softbreak":
        return "\n"
    if kind == "hardbreak":
        return "\\\n"
    if kind in _MARKS:
        return _MARKS[kind] + _inline(node, table=table) + _MARKS[kind]
    if kind in ("link", "image"):
        target = str(node.attrs.get("href") or node.attrs.get("src") or "")
        words = _inline(node, table=table) if kind == "link" else _escape_line(_alt(node))
        return f"[{words}](<{target}>)" if _linkable(target) and words else words
    return _escape_line(node.content)  # inline HTML: shown as written


def _alt(node: SyntaxTreeNode) -> str:
    return "".join(c.content for c in node.walk() if c.type in ("text", "code_inline"))


def _linkable(target: str) -> bool:
    """http(s) and mailto only; markdown-it has already percent-encoded spaces and `<>`."""
    scheme, colon, _ = target.partition(":")
    return bool(colon) and scheme.lower() in _LINK_SCHEMES and not re.search(r"[<>\s]", target)
