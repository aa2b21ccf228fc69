"""Markdown to sections of Markdown blocks, each under its path of headings.

markdown-it-py reads CommonMark and tables; mdit-py-plugins adds front matter and
`!!! note` admonitions, and `::: kind Title` containers (VitePress, Docusaurus). What
documentation sites add on top is read here: heading attribute lists (`## Title { #anchor }`),
`/// note | Title` blocks (pymdownx), GitHub alerts (`> [!NOTE]`), component tags and
`<div class="...">` wrappers (MDX, Vue), and include lines (`{* file.py *}`, `<<< @/file`,
`--8<-- "file"`, MDX `import`), which point at text this file does not hold and are dropped.
Code blocks and tables stay as Markdown, so a passage can show them as they were written.

Variant blocks, the same example written twice in wrappers of two classes (Vue's
`options-api` and `composition-api`), are read apart: the first class a page pairs keeps
its place, the other goes into a section of its own named after its class, so it is still
found but never quoted beside its twin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from chatbot.fences import fence, page_fence
from chatbot.html_text import html_text
from chatbot.inline import label, words
from chatbot.mdx import has_components, read_mdx
from chatbot.myst import is_myst, read_myst

PATH_SEPARATOR = " › "
# Inline markup is read by chatbot/inline.py, from each block's source.
_MD = (
    MarkdownIt("commonmark")
    .enable("table")
    .use(front_matter_plugin)
    .use(admon_plugin)
    .use(container_plugin, "box", validate=lambda params, *_: bool(params.strip()))
    .disable("inline")
)
_INCLUDE = re.compile(
    r"^[ \t]*(?:\{\*.*\*\}|<<<[ \t]+@?\S+.*|--8<--[ \t]+\S.*"
    r"|(?:import|export)[ \t][^\n]*?from[ \t]+['\"][^'\"]+['\"];?)[ \t]*$",
    re.MULTILINE,
)
_LANGUAGE = re.compile(r"[^\s{\[]*")
# Matched on a line without its trailing blanks, so no lazy group backtracks over them.
_BLOCK_OPEN = re.compile(r"^[ \t]*///[ \t]*(?P<kind>[\w-]+)(?:[ \t]*\|[ \t]*(?P<title>.*))?$")
MAX_BLOCK_DEPTH = 8
_BLOCK_CLOSE = re.compile(r"^[ \t]*///[ \t]*$")
_TITLE = re.compile(r"^title:(.*)$", re.MULTILINE)
_KIND = re.compile(r"[\w-]*")  # a container's kind: `warning` of `::: warning Title`
_ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*", re.IGNORECASE)
_WRAPPER_OPEN = re.compile(r"^\s*<div\s+class=[\"']([^\"']+)[\"']\s*>\s*$", re.IGNORECASE)
_WRAPPER_CLOSE = re.compile(r"^\s*</div>\s*$", re.IGNORECASE)
_CONTAINERS = {
    "bullet_list",
    "ordered_list",
    "list_item",
    "blockquote",
    "admonition",
    "container_box",
}
_NOTES = ("blockquote_open", "admonition_open", "container_box_open")


@dataclass
class _Sections:
    """Sections as they are read: blocks under the current path of headings. Blocks of a
    variant (see the module's docstring) gather apart, under the variant's own name."""

    title: str = ""
    path: list[str] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    variant: str = ""  # the variant being read, "" outside one
    variants: dict[str, list[str]] = field(default_factory=dict)

    def heading(self, level: int, text: str) -> None:
        self.close()
        self.path = [*self.path[: level - 1], text]
        self.title = self.title or text

    def append(self, block: str) -> None:
        if self.variant:
            self.variants.setdefault(self.variant, []).append(block)
        else:
            self.blocks.append(block)

    def close(self) -> None:
        path = PATH_SEPARATOR.join(self.path)
        if self.blocks:
            self.done.append((path, "\n\n".join(self.blocks)))
        for name, blocks in self.variants.items():
            self.done.append((PATH_SEPARATOR.join(filter(None, (path, name))), "\n\n".join(blocks)))
        self.blocks, self.variants = [], {}


def markdown_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(heading path, text)]): each text is Markdown blocks separated by blank lines."""
    env: dict = {}
    text = read_myst(text) if is_myst(text) else text
    text = read_mdx(text) if has_components(text) else text
    tokens = _MD.parse(_without_includes(_blocks_as_admonitions(text)), env)
    reader = _Reader(tokens, _variant_classes(tokens), set(env.get("references", ())))
    reader.read()
    return reader.out.title, reader.out.done


class _Reader:
    def __init__(self, tokens: list[Token], variants: set[str], references: set[str]) -> None:
        self.tokens = tokens
        self.references = references  # the page's link labels: `[text][label]` reads as text
        self.out = _Sections()
        self.stack: list[Token] = []  # open lists, items, quotes and notes
        self.lines: list[str] = []  # the outermost container's blocks: it is one block
        self.marked: set[int] = set()  # list items whose marker is written
        self.variants = variants  # wrapper classes read apart
        self.wrappers: list[str] = []  # the classes of the open <div> wrappers

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
            self.out.title = label(_unquoted(found.group(1))) if found else ""
        elif token.type == "heading_open":
            self.out.heading(int(token.tag[1]), label(self.tokens[index + 1].content))
            return index + 2
        elif kind in _CONTAINERS and token.type.endswith("_open"):
            self.stack.append(token)
            if token.type in ("admonition_open", "container_box_open"):
                self.add(_note_title(token))
        elif kind in _CONTAINERS and token.type.endswith("_close"):
            self.stack.pop()
            if not self.stack and self.lines:
                self.out.append("\n".join(self.lines))
                self.lines = []
        elif token.type == "admonition_title_open":
            return index + 2  # the title is already on the note's first line
        elif token.type == "table_open":
            return self.table(index)
        elif token.type == "paragraph_open":
            self.paragraph(self.tokens[index + 1])
            return index + 2
        elif token.type == "html_block" and self.wrapper(token.content):
            pass
        else:
            self.add(_block_text(token))
        return index

    def paragraph(self, inline: Token) -> None:
        text = words(inline.content, self.references)
        alert = (
            _ALERT.match(text) if self.stack and self.stack[-1].type == "blockquote_open" else None
        )
        if alert:  # a GitHub alert: its kind is the quote's first line, as a note's title is
            self.add(f"**{alert.group(1).capitalize()}**")
            text = text[alert.end() :]
        self.add(text)

    def wrapper(self, html: str) -> bool:
        """`<div class="...">` and `</div>` lines: no words, but a variant starts or ends."""
        moves = _wrapper_lines(html)
        if moves is None:
            return False
        for name in moves:
            if name:
                self.wrappers.append(name)
            elif self.wrappers:
                self.wrappers.pop()
        inner = next((c for c in reversed(self.wrappers) if c in self.variants), "")
        self.out.variant = _variant_name(inner) if inner else ""
        return True

    def add(self, text: str) -> None:
        if not text:
            return
        if not self.stack:
            self.out.append(text)
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
            if token.type in _NOTES and not _transparent(token):
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
                rows[-1].append(words(token.content, self.references).replace("|", "\\|"))
            index += 1
        if rows:
            lines = [_row(rows[0]), _row(["---"] * len(rows[0])), *(_row(r) for r in rows[1:])]
            self.add("\n".join(lines))
        return index


def _wrapper_lines(html: str) -> list[str] | None:
    """The wrapper lines of an HTML block, in order: a class opens, "" closes. None when
    the block holds anything else."""
    moves = []
    for line in filter(str.strip, html.split("\n")):
        opened = _WRAPPER_OPEN.match(line)
        if opened:
            moves.append(opened.group(1).strip())
        elif _WRAPPER_CLOSE.match(line):
            moves.append("")
        else:
            return None
    return moves


def _variant_classes(tokens: list[Token]) -> set[str]:
    """The wrapper classes that hold variants: a wrapper of one class closed and one of
    another opened next to it. The first class of the page's first pair is the main one."""
    pairs: list[tuple[str, str]] = []
    last_closed, open_classes = "", []
    for token in tokens:
        moves = _wrapper_lines(token.content) if token.type == "html_block" else None
        if moves is None:
            if token.nesting >= 0 and token.type != "paragraph_close":
                last_closed = ""  # words between two wrappers: they are not a pair
            continue
        for name in moves:
            if name and last_closed and last_closed != name:
                pairs.append((last_closed, name))
            if name:
                open_classes.append(name)
                last_closed = ""
            elif open_classes:
                last_closed = open_classes.pop()
    if not pairs:
        return set()
    main = pairs[0][0]
    return {name for pair in pairs for name in pair} - {main}


def _variant_name(css_class: str) -> str:
    """`composition-api` as a reader would name it: Composition API."""
    words = re.split(r"[-_\s]+", css_class.split()[0])
    return " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in words if w)


def _without_includes(text: str) -> str:
    """Include lines dropped, outside code blocks only: a page about includes shows them."""
    if not _INCLUDE.search(text):
        return text
    out, opened = [], ""
    for line in text.split("\n"):
        if not opened and _INCLUDE.match(line):  # an include line is never a fence
            continue
        opened = page_fence(line, opened)
        out.append(line)
    return "\n".join(out)


def _block_text(token: Token) -> str:
    if token.type in ("fence", "code_block"):
        # `js{2-6}`, `sh [npm]`: the language, without line marks or a tab's label
        language = _LANGUAGE.match(token.info.strip()).group(0)
        return fence(token.content.rstrip(), language)
    if token.type == "html_block":
        # Comments, anchors and component tags have no words.
        return " ".join(" ".join(html_text(token.content)).split())
    return ""


def _transparent(token: Token) -> bool:
    """A container that only groups (a code group's tabs): its blocks are not a note."""
    return token.type == "container_box_open" and token.info.split()[:1] in (
        ["code-group"],
        ["raw"],
        ["v-pre"],
    )


def _note_title(token: Token) -> str:
    """A note's kind and title as its first line: **Warning: Title**, **Tip**. A code
    group's tabs need no line of their own."""
    if token.type == "admonition_open":
        return f"**{label(token.content) or token.meta.get('tag', 'note').capitalize()}**"
    kind, title = _kind_and_title(token.info.strip())
    if _transparent(token):
        return ""
    if kind in ("details", "") and title:
        return f"**{title}**"
    return f"**{kind.capitalize()}: {title}**" if title else f"**{kind.capitalize()}**"


def _kind_and_title(info: str) -> tuple[str, str]:
    """`warning Title` or `note[Title]` (Starlight) as its kind and its title, as words."""
    kind = _KIND.match(info).group(0)
    rest = info[len(kind) :].lstrip()
    if rest.startswith("[") and rest.endswith("]") and "]" not in rest[1:-1]:
        rest = rest[1:-1]
    return kind, label(rest)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _unquoted(value: str) -> str:
    """A front matter value without its quotes."""
    value = value.strip()
    value = value[1:] if value[:1] in ("'", '"') else value
    return (value[:-1] if value[-1:] in ("'", '"') else value).strip()


def _blocks_as_admonitions(text: str) -> str:
    """`/// note | Title` ... `///` (pymdownx blocks) as `!!! note "Title"` with its body
    indented, which the admonition plugin reads. Blocks nested deeper than a page would
    nest them stay as text: each level indents every line inside it once more."""
    out, depth, beyond = [], 0, 0
    for line in text.split("\n"):
        opened = _BLOCK_OPEN.match(line.rstrip())
        if opened and depth < MAX_BLOCK_DEPTH:
            title = (opened.group("title") or "").replace('"', "'")
            out.append("    " * depth + f'!!! {opened.group("kind")} "{title}"'.replace(' ""', ""))
            depth += 1
        elif depth and _BLOCK_CLOSE.match(line) and not beyond:
            depth -= 1
            out.append("")
        else:
            beyond += 1 if opened else -1 if beyond and _BLOCK_CLOSE.match(line) else 0
            out.append("    " * depth + line if line.strip() else line)
    return "\n".join(out)
