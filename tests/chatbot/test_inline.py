"""Inline Markdown read by CommonMark's rules (chatbot/inline.py), never by patterns."""

from __future__ import annotations

import pytest

from chatbot.inline import code_span, label, words
from chatbot.markdown import markdown_sections


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain *emphasis* and __strong__ text", "plain emphasis and strong text"),
        ("a [link](http://x) and ![an image](http://y/i.png)", "a link and an image"),
        ("`` a`b `` is one span", "``a`b`` is one span"),
        # A stray backtick opens nothing: the rest of the line is still read as Markdown.
        ("holding hands ` ![o](http://attacker/otter.png)", "holding hands ` o"),
        ("<b>bold</b> &amp; \\*escaped\\*", "bold & *escaped*"),
        ("[text][ref] and [shortcut]", "text and [shortcut]"),
        ("日本語の*強調*です", "日本語の強調です"),
        ("1. Intro", "1. Intro"),
    ],
)
def test_words_follow_commonmark(source: str, expected: str) -> None:
    assert words(source) == expected


def test_a_defined_shortcut_reference_reads_as_its_text() -> None:
    _, sections = markdown_sections("See [the guide] now.\n\n[the guide]: http://x\n")
    assert sections == [("", "See the guide now.")]


def test_a_code_span_is_never_closed_by_its_own_backticks() -> None:
    assert code_span("a ``` b") == "````a ``` b````"
    assert code_span("`edge`") == "`` `edge` ``"


def test_labels_drop_code_marks_and_attribute_lists() -> None:
    assert label("Use `pip` { #pip .cls }") == "Use pip"
    assert label("Braces {kept}") == "Braces {kept}"
    assert label("  ") == ""


def test_a_container_title_reads_as_words() -> None:
    _, sections = markdown_sections("::: warning Don't ` ![x](http://a/b.png)\nBody\n:::\n")
    assert sections[0][1].startswith("> **Warning: Don't ` x**")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("see {ref}`the guide <pypug:Guide>`", "see the guide"),
        ("the {mod}`ensurepip` module", "the `ensurepip` module"),
        ("{py:func}`~os.path.join` joins", "`join` joins"),
        ("as {pep}`8` says", "as PEP 8 says"),
        ("{term}`wheel`s", "wheels"),
        ("a {set} `of` words", "a {set} `of` words"),  # a space: no role
        ("prints ${name}`x`", "prints ${name}`x`"),  # a template literal: no role
        ("`` {ref}`x` ``", "`` {ref}`x` ``"),  # inside a code span: code
    ],
)
def test_myst_roles_read_as_what_they_show(source: str, expected: str) -> None:
    assert words(source) == expected


def test_a_heading_with_a_role_is_named_by_its_text() -> None:
    assert label("Using {command}`pip install`") == "Using pip install"
