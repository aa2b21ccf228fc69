"""HTML read by libxml2 (lxml): a page's element tree, a fragment's words. libxml2 reads
hostile markup in linear time, where Python's html.parser takes minutes on a few hundred
KB of unclosed tags."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

_UTF8 = lxml.html.HTMLParser(encoding="utf-8")


def html_tree(text: str) -> HtmlElement | None:
    """A page's element tree; None when it holds no element at all."""
    try:
        try:
            return lxml.html.document_fromstring(text)
        except ValueError:  # an XHTML page's `<?xml encoding=…?>`: read from its bytes
            return lxml.html.document_fromstring(text.encode(), parser=_UTF8)
    except etree.ParserError:
        return None


def html_text(fragment: str) -> Iterator[str]:
    """The fragment's text pieces in order: no tags, comments or scripts."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return iter(())
    for dropped in root.xpath("//script | //style"):
        dropped.drop_tree()
    return (piece for piece in root.itertext(with_tail=True))
