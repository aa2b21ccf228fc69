"""Documents to clean text sections: Markdown through markdown-it-py, HTML through lxml
(libxml2: linear on hostile markup, where Python's html.parser takes minutes on a few
hundred KB). Headings are kept, so every passage knows its section."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml.html import HtmlElement

from chatbot.fences import fence
from chatbot.html_text import html_tree
from chatbot.markdown import PATH_SEPARATOR, markdown_sections

SUFFIXES = (".md", ".markdown", ".mdx", ".txt", ".html", ".htm")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a wiki page; anything larger is not one
# What a page wraps around its text: scripts and styles, navigation, headers and footers,
# ARIA landmarks, Sphinx's sidebar and ¶ links. One XPath, run by libxml2.
_SKIP = etree.XPath(
    "//script | //style | //nav | //header | //footer | //noscript | //template | //aside"
    " | //*[@role='navigation' or @role='search' or @role='banner' or @role='contentinfo']"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' sphinxsidebar ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' related ')]"
    " | //a[contains(concat(' ', normalize-space(@class), ' '), ' headerlink ')]"
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = {*_HEADINGS, "p", "li", "pre", "td", "dt", "dd", "blockquote"}
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9f、。"
_WRAPPED = re.compile(f"(?<=[{_CJK}])[ \\t]*\\n\\s*(?=[{_CJK}])")


class UnreadableDocument(ValueError):
    """A file that is not a text document Kura can import; the message says why."""


@dataclass(frozen=True)
class Section:
    heading: str  # its path of headings, "Deployment › Workers"; "" before the first heading
    text: str


@dataclass(frozen=True)
class Document:
    name: str  # its path in the folder imported, e.g. ja/tutorial/index.md
    title: str
    sections: list[Section]


def read_document(path: Path) -> Document:
    return parse_bytes(path.name, read_bytes(path, path.name))


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes; one over the limit is refused by its size, without reading it."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument(too_large(name, size))
    return path.read_bytes()


def parse_bytes(name: str, raw: bytes) -> Document:
    """A file's bytes (from disk or an upload) to a Document, refusing what is not text."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument(too_large(name, len(raw)))
    if not raw.strip():
        raise UnreadableDocument(f"{name} is empty; skipped.")
    if b"\0" in raw[:8192]:
        raise UnreadableDocument(f"{name} looks binary; skipped.")
    return parse(name, _decode(name, raw))


def _decode(name: str, raw: bytes) -> str:
    """UTF-8, or CP932 (Shift_JIS as Windows writes it), which Japanese teams still have."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(
        f"{name} is neither UTF-8 nor Shift_JIS text; save it as UTF-8 and import it again."
    )


def too_large(name: str, size: int) -> str:
    mib, limit = size / 1024 / 1024, MAX_DOCUMENT_BYTES // (1024 * 1024)
    return f"{name} is {mib:.0f} MiB, over the {limit} MiB limit for one document; split it."


def parse(name: str, text: str) -> Document:
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm"):
        title, sections = _html(text)
    elif suffix in (".md", ".markdown", ".mdx"):
        title, sections = _markdown(text)
    elif suffix == ".txt":
        title, sections = "", [Section("", _squeeze(text))]
    else:
        raise UnreadableDocument(f"{name}: only {', '.join(SUFFIXES)} files can be imported.")
    sections = [s for s in sections if s.text]
    if not sections:
        raise UnreadableDocument(f"{name} has no text; skipped.")
    return Document(name, title or Path(name).stem, sections)


def _html(text: str) -> tuple[str, list[Section]]:
    """Blocks of text under their headings; a `<pre>` stays a code block. The page's first
    `<h1>` is its title: a `<title>` tends to carry the site's name as well."""
    root = html_tree(text)
    if root is None:
        return "", []
    for element in _SKIP(root):
        element.drop_tree()
    first = next(root.iter("h1"), None)
    named = first if first is not None else next(root.iter("title"), None)
    title = _words(named) if named is not None else ""
    body = root.find("body")
    sections, path, parts = [], [], []
    for element in _blocks(root if body is None else body):
        if element.tag in _HEADINGS:
            sections.append(Section(PATH_SEPARATOR.join(path), "\n\n".join(parts)))
            path, parts = [*path[: int(element.tag[1]) - 1], _words(element)], []
        elif element.tag == "pre":
            parts.append(fence(element.text_content().strip(chr(10))))
        elif words := _words(element):
            parts.append(words)
    sections.append(Section(PATH_SEPARATOR.join(path), "\n\n".join(parts)))
    return title, sections


def _blocks(root: HtmlElement) -> Iterator[HtmlElement]:
    """Headings and the outermost text blocks, in document order. One walk of the tree: a
    block's inner blocks are part of its text and are not visited again, so deep nesting
    costs no more than its size."""
    stack = list(reversed(root))
    while stack:
        element = stack.pop()
        if element.tag in _BLOCKS:
            yield element
        elif isinstance(element.tag, str):  # not a comment or processing instruction
            stack.extend(reversed(element))


def _words(element: HtmlElement) -> str:
    """An element's text as one line. Inline tags join without spaces (`csv.<b>reader</b>`
    is csv.reader), and a line break between two Japanese characters is no space at all."""
    return " ".join(_WRAPPED.sub("", element.text_content()).split())


def _markdown(text: str) -> tuple[str, list[Section]]:
    title, sections = markdown_sections(text)
    return title, [Section(path, body) for path, body in sections]


def _squeeze(text: str) -> str:
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
