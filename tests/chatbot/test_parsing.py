from pathlib import Path

import pytest

from chatbot.chunking import chunk
from chatbot.parsing import Section, UnreadableDocument, parse, read_document


def test_markdown_keeps_headings_and_drops_markup() -> None:
    doc = parse(
        "guide.md",
        "# Guide\n\nIntro with **bold** and `code`.\n\n## Restore\n\n- Pick a *restore point*\n"
        "- Press [Restore](https://example.com)\n\n```\nmake run\n```\n",
    )
    assert doc.title == "Guide"
    assert doc.sections == [
        Section("Guide", "Intro with bold and `code`."),
        Section("Guide › Restore", "- Pick a restore point\n- Press Restore\n\n```\nmake run\n```"),
    ]


def test_html_keeps_headings_and_drops_scripts_and_navigation() -> None:
    doc = parse(
        "guide.en.html",
        "<html><head><title>The Guide</title><style>p{}</style></head><body>"
        "<nav>Home | About</nav><h1>Backups</h1><p>Kura backs <b>up</b> data.</p>"
        "<script>alert(1)</script><h2>Restore</h2><ul><li>Pick a point</li></ul>"
        "<table><tr><td>cell text</td></tr></table></body></html>",
    )
    assert doc.title == "Backups"  # the page's h1; its <title> is the fallback
    assert doc.sections == [
        Section("Backups", "Kura backs up data."),
        Section("Backups › Restore", "Pick a point\n\ncell text"),
    ]
    assert parse("t.html", "<title>The Guide</title><p>Text.</p>").title == "The Guide"


def test_html_as_sphinx_writes_it_reads_as_the_page_shows() -> None:
    doc = parse(
        "csv.html",
        '<h1>csv<a class="headerlink" href="#csv">¶</a></h1>'
        '<dl><dt><code class="descclassname">csv.</code><code class="descname">reader</code>'
        "(<em>csvfile</em>)</dt><dd><p>Return a reader object that will iterate\n"
        "over lines.</p></dd></dl><pre>for row in reader:\n    print(row)\n</pre>"
        "<p>日本語の文は\n途中で折り返しても一続きです。</p>",
    )
    assert doc.title == "csv"
    assert doc.sections[0].text == (
        "csv.reader(csvfile)\n\nReturn a reader object that will iterate over lines.\n\n"
        "```\nfor row in reader:\n    print(row)\n```\n\n日本語の文は途中で折り返しても一続きです。"
    )


def test_plain_text_is_one_section_named_after_the_file() -> None:
    doc = parse("notes.txt", "line one\n\n   line   two  \n")
    assert (doc.title, doc.sections) == ("notes", [Section("", "line one\nline two")])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"   \n", "empty"),
        ("binary.md", b"\x00\x01\x02 PNG", "binary"),
        ("latin1.txt", "café".encode("latin-1"), "neither UTF-8 nor Shift_JIS"),
        ("image.png", b"hello", "only"),
        ("blank.html", b"<html><script>x</script></html>", "no text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, name, content, reason) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=reason) as error:
        read_document(path)
    assert name in str(error.value) and "\n" not in str(error.value)


def test_shift_jis_is_read_as_japanese(tmp_path: Path) -> None:
    path = tmp_path / "手順.md"
    path.write_bytes("# 復元の手順\n\n管理画面で復元ポイントを選ぶ。".encode("cp932"))
    document = read_document(path)
    assert document.title == "復元の手順"
    assert "復元ポイントを選ぶ" in document.sections[-1].text


def test_chunks_stay_near_the_target_and_keep_their_section() -> None:
    sentence = "This sentence talks about backups and restores in some detail. "
    doc = parse("long.md", "# Long\n\n" + sentence * 60 + "\n\n## Short\n\nTiny.")
    chunks = chunk(doc, target=300)
    assert all(len(c.text) <= 300 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert {c.section for c in chunks} == {"Long", "Long › Short"}
    assert (
        "".join(c.text.replace("\n", " ") for c in chunks if c.section == "Long").count("backups")
        == 60
    )


def test_japanese_is_split_at_sentence_ends() -> None:
    text = "バックアップは自動で取られます。" * 40
    chunks = chunk(parse("ja.md", "# 説明\n\n" + text), target=100)
    assert all(c.text.endswith("。") for c in chunks)


DOCS_PAGE = """---
title: Server Workers
---
# Deployment { #deployment }

Uvicorn can run [several worker processes](https://example.com/workers) at once.

/// tip | Technical details

One process per core is a good start.

///

## Multiple workers { #multiple-workers }

!!! warning "Memory"
    Each worker loads the app again.

| option | meaning |
|---|---|
| `--workers` | how many processes |

{* ../../docs_src/deployment/app.py hl[3] *}

```console
$ fastapi run --workers 4 main.py
```
"""


def test_a_documentation_site_page_reads_as_it_was_written() -> None:
    doc = parse("en/deployment/server-workers.md", DOCS_PAGE)
    assert doc.title == "Server Workers"  # front matter wins
    assert [s.heading for s in doc.sections] == ["Deployment", "Deployment › Multiple workers"]
    first, second = (s.text for s in doc.sections)
    assert first == (
        "Uvicorn can run several worker processes at once.\n\n"
        "> **Technical details**\n> \n> One process per core is a good start."
    )
    assert "> **Memory**\n> \n> Each worker loads the app again." in second
    assert "| option | meaning |\n| --- | --- |\n| `--workers` | how many processes |" in second
    assert second.endswith("```console\n$ fastapi run --workers 4 main.py\n```")
    assert "{*" not in second and "{ #" not in first + second


def test_passages_are_cut_between_blocks_and_keep_code_whole() -> None:
    paragraph = "Workers share nothing, so each one holds its own copy of the app in memory. "
    code = "```python\n" + "\n".join(f"worker_{n} = start({n})" for n in range(40)) + "\n```"
    doc = parse("w.md", f"# W\n\n{paragraph * 4}\n\n{code}\n\n{paragraph * 2}")
    passages = [c.text for c in chunk(doc, target=400)]
    # longer than a passage, and still whole, with the paragraph that introduces it
    assert f"{paragraph * 4}".strip() + "\n\n" + code in passages
    for text in passages:
        assert text.count("```") % 2 == 0
        assert text[-1] in ".`", text  # never mid-sentence


def test_a_long_sentence_is_cut_between_words() -> None:
    sentence = " ".join(f"word{n}" for n in range(300)) + "."
    for passage in chunk(parse("s.md", f"# S\n\n{sentence}"), target=200):
        assert all(w.startswith("word") for w in passage.text.rstrip(".").split())


def test_blocks_nested_past_any_page_stay_text_and_keep_their_words() -> None:
    """Each nested `///` block indents everything inside it once more: past a page's depth
    the openers stay text, so a hostile page cannot grow quadratically."""
    page = "/// note | t\n" * 500 + "deep body\n" + "///\n" * 500
    document = parse("deep.md", page)
    text = "\n".join(s.text for s in document.sections)
    assert "deep body" in text
    assert len(text) < 20 * len(page)


def test_myst_directives_and_mdx_tags_nested_past_any_page_keep_their_words() -> None:
    """A hostile page cannot exhaust the stack or grow quadratically: directives past a
    page's depth stay text, component tags past it have no words and hold nothing."""
    for page in (
        "# Deep\n\n" + "````{note}\n" * 3000 + "deep body\n",
        "# Deep\n\n" + "<Tabs>\n" * 3000 + "deep body\n" + "</Tabs>\n" * 3000,
    ):
        text = "\n".join(s.text for s in parse("deep.md", page).sections)
        assert "deep body" in text
        assert len(text) < 20 * len(page)


def test_a_paragraph_starts_the_next_passage_with_the_block_it_introduces() -> None:
    earlier = "Applications are reviewed every week by the team. " * 10
    code = "```sh\n" + "\n".join(f"kura apply --form {n}" for n in range(30)) + "\n```"
    intro = "コマンドラインから申請する場合は次のとおりです。"
    doc = parse("apply.md", f"# Apply\n\n{earlier}\n\n{intro}\n\n{code}\n\nDone.")
    passages = [c.text for c in chunk(doc)]
    assert passages[0] == earlier.strip()
    assert passages[1].startswith(f"{intro}\n\n{code}")  # never an introduction alone

    items = "\n".join(f"- `scope{n}`: what it allows, in a few words here" for n in range(14))
    doc = parse("scopes.md", f"# Scopes\n\n{earlier}\n\nThe scopes are:\n\n{items}")
    assert [c.text for c in chunk(doc)][1].startswith("The scopes are:\n\n- `scope0`")
