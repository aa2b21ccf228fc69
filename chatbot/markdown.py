"""Markdown to sections of Markdown blocks, each under its path of headings.

markdown-it-py reads CommonMark and tables; mdit-py-plugins adds front matter and
`!!! note` admonitions. What documentation sites add on top is read here: heading
attribute lists (`## Title { #anchor }`), `/// note | Title` blocks (pymdownx) and
`{* file.py *}` include lines, which point at code this file does not hold. Code
blocks and tables stay as Markdown, so a passage can show them as they were written.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

PATH_SEPARATOR = " › "
# Inline markup is read by inline_text, from each block's source.
_MD = (
    MarkdownIt("commonmark")
    .enable("table")
    .use(front_matter_plugin)
    .use(admon_plugin)
    .disable("inline")
)
_ATTR_LIST = re.compile(r"\s*\{\s*[#.:][^}]*\}\s*$")
_INCLUDE = re.compile(r"^[ \t]*\{\*.*\*\}[ \t]*$", re.MULTILINE)
_BLOCK_OPEN = re.compile(
    r"^[ \t]*///[ \t]*(?P<kind>[\w-]+)(?:[ \t]*\|[ \t]*(?P<title>.*?))?[ \t]*$"
)
_BLOCK_CLOSE = re.compile(r"^[ \t]*///[ \t]*$")
_TITLE = re.compile(r"^title:[ \t]*[\"']?(.*?)[\"']?[ \t]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_CODE_LINK = re.compile(r"\[(`[^`]+`)\](?:\[[^\]]*\]|\((?:[^()]|\([^()]*\))*\))")
_REFERENCE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^<>\s]+)>")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CONTAINERS = {"bullet_list", "ordered_list", "list_item", "blockquote", "admonition"}


@dataclass
class _Sections:
    """Sections as they are read: blocks under the current path of headings."""

    title: str = ""
    path: list[str] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)

    def heading(self, level: int, text: str) -> None:
        self.close()
        self.path = [*self.path[: level - 1], text]
        self.title = self.title or text

    def close(self) -> None:
        if self.blocks:
            self.done.append((PATH_SEPARATOR.join(self.path), "\n\n".join(self.blocks)))
        self.blocks = []


def markdown_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(heading path, text)]): each text is Markdown blocks separated by blank lines."""
    tokens = _MD.parse(_INCLUDE.sub("", _blocks_as_admonitions(text)))
    reader = _Reader(tokens)
    reader.read()
    return reader.out.title, reader.out.done


class _Reader:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.out = _Sections()
        self.stack: list[Token] = []  # open lists, items, quotes and notes
        self.lines: list[str] = []  # the outermost container's blocks: it is one block
        self.marked: set[int] = set()  # list items whose marker is written

    def read(self) -> None:
        index = 0
        while index < len(self.tokens):
            index = self.step(index) + 1
        self.out.close()

    def step(self, index: int) -> int:
        token = self.tokens[index]
        kind = token.type.removesuffix("_open").removesuffix("_close")
        if token.type == "front_matter":
            found = _TITLE.search(token.content)
            self.out.title = found.group(1).strip() if found else ""
        elif token.type == "heading_open":
            text = _ATTR_LIST.sub("", inline_text(self.tokens[index + 1]))
            self.out.heading(int(token.tag[1]), text)
            return index + 2
        elif kind in _CONTAINERS and token.type.endswith("_open"):
            self.stack.append(token)
            if token.type == "admonition_open":
                self.add(f"**{_note_title(token)}**")
        elif kind in _CONTAINERS and token.type.endswith("_close"):
            self.stack.pop()
            if not self.stack and self.lines:
                self.out.blocks.append("\n".join(self.lines))
                self.lines = []
        elif token.type == "admonition_title_open":
            return index + 2  # the title is already on the note's first line
        elif token.type == "table_open":
            return self.table(index)
        elif token.type == "paragraph_open":
            self.add(inline_text(self.tokens[index + 1]))
            return index + 2
        else:
            self.add(_block_text(token))
        return index

    def add(self, text: str) -> None:
        if not text:
            return
        if not self.stack:
            self.out.blocks.append(text)
            return
        first, rest = self.prefix(first=True), self.prefix(first=False)
        if self.lines and first == rest:
            # A blank line in Markdown terms (a new paragraph in the same item or quote),
            # written as the bare prefix: the container stays one block for the chunker.
            self.lines.append(rest)
        lines = text.split("\n")
        self.lines.append("\n".join([first + lines[0], *(rest + line for line in lines[1:])]))

    def prefix(self, *, first: bool) -> str:
        """How Markdown marks a block inside these lists and quotes."""
        prefix = ""
        items = [t for t in self.stack if t.type == "list_item_open"]
        for token in self.stack:
            if token.type in ("blockquote_open", "admonition_open"):
                prefix += "> "
            elif token.type == "list_item_open":
                marker = f"{token.info}. " if token.info else "- "
                if first and token is items[-1] and id(token) not in self.marked:
                    self.marked.add(id(token))  # only an item's first block has the marker
                    prefix += marker
                else:
                    prefix += " " * len(marker)
        return prefix

    def table(self, index: int) -> int:
        rows: list[list[str]] = []
        while self.tokens[index].type != "table_close":
            token = self.tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                rows[-1].append(inline_text(token).replace("|", "\\|"))
            index += 1
        if rows:
            lines = [_row(rows[0]), _row(["---"] * len(rows[0])), *(_row(r) for r in rows[1:])]
            self.add("\n".join(lines))
        return index


def _block_text(token: Token) -> str:
    if token.type in ("fence", "code_block"):
        return f"```{token.info.strip()}\n{token.content.rstrip()}\n```"
    if token.type == "html_block":
        if not _TAG.sub("", token.content).strip():
            return ""  # comments and anchors (`<!-- YAML -->`, `<a id=…>`): no words
        return " ".join(BeautifulSoup(token.content, "html.parser").get_text(" ").split())
    return ""


def _note_title(token: Token) -> str:
    return token.content.strip() or token.meta.get("tag", "note").capitalize()


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def inline_text(token: Token) -> str:
    """The words of an inline token: link and image text kept, inline code in backticks,
    emphasis markers, inline HTML and escapes dropped.

    Read from the source with a few rules rather than markdown-it's inline parser, which
    took 40% of an import: what is lost is only the rare odd nesting of emphasis."""
    pieces = _CODE_SPAN.split(token.content)
    out = []
    for index in range(0, len(pieces), 3):
        out.append(_plain(pieces[index]))
        if index + 2 < len(pieces):
            out.append(f"`{pieces[index + 2].strip()}`")
    return " ".join(_CODE_LINK.sub(r"\1", "".join(out)).split())


def _plain(text: str) -> str:
    if "[" in text:  # most text has no markup: each rule runs only where it could match
        text = _REFERENCE.sub(r"\1", _LINK.sub(r"\1", _IMAGE.sub(r"\1", text)))
    if "<" in text:
        text = _TAG.sub("", _AUTOLINK.sub(r"\1", text))
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(r"\2", _STRONG.sub(r"\2", text))
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text) if "&" in text else text


def _blocks_as_admonitions(text: str) -> str:
    """`/// note | Title` ... `///` (pymdownx blocks) as `!!! note "Title"` with its body
    indented, which the admonition plugin reads."""
    out, depth = [], 0
    for line in text.split("\n"):
        opened = _BLOCK_OPEN.match(line)
        if opened:
            title = (opened.group("title") or "").replace('"', "'")
            out.append("    " * depth + f'!!! {opened.group("kind")} "{title}"'.replace(' ""', ""))
            depth += 1
        elif depth and _BLOCK_CLOSE.match(line):
            depth -= 1
            out.append("")
        else:
            out.append("    " * depth + line if line.strip() else line)
    return "\n".join(out)
