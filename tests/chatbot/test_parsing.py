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
        Section("Guide", "Intro with bold and code."),
        Section("Restore", "Pick a restore point\nPress Restore\nmake run"),
    ]


def test_html_keeps_headings_and_drops_scripts_and_navigation() -> None:
    doc = parse(
        "guide.en.html",
        "<html><head><title>The Guide</title><style>p{}</style></head><body>"
        "<nav>Home | About</nav><h1>Backups</h1><p>Kura backs <b>up</b> data.</p>"
        "<script>alert(1)</script><h2>Restore</h2><ul><li>Pick a point</li></ul>"
        "<table><tr><td>cell text</td></tr></table></body></html>",
    )
    assert doc.title == "The Guide"
    assert doc.sections == [
        Section("Backups", "Kura backs up data."),
        Section("Restore", "Pick a point\ncell text"),
    ]


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
    assert {c.section for c in chunks} == {"Long", "Short"}
    assert (
        "".join(c.text.replace("\n", " ") for c in chunks if c.section == "Long").count("backups")
        == 60
    )


def test_japanese_is_split_at_sentence_ends() -> None:
    text = "バックアップは自動で取られます。" * 40
    chunks = chunk(parse("ja.md", "# 説明\n\n" + text), target=100)
    assert all(c.text.endswith("。") for c in chunks)
