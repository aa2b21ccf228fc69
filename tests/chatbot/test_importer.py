"""Folders into the wiki: names are paths, re-imports stay in step, nothing is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatbot.importer import Importer
from chatbot.knowledge import KnowledgeBase

PAGES = {
    "index.md": "# {lang} home\n\nWelcome to the {lang} docs.",
    "tutorial/index.md": "# {lang} tutorial\n\nStart with the {lang} tutorial.",
    "deploy/index.md": "# {lang} deploy\n\nDeploy it in {lang}.",
}


def write_site(root: Path) -> None:
    for lang in ("en", "ja"):
        for name, text in PAGES.items():
            path = root / lang / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(lang=lang))


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(tmp_path / "data" / "wiki.db")


def names(kb: KnowledgeBase) -> list[str]:
    return [d.name for d in kb.documents()]


def test_pages_with_one_file_name_in_two_language_folders_all_arrive(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    write_site(tmp_path / "site")
    report = Importer(kb).paths([tmp_path / "site" / "en", tmp_path / "site" / "ja"])
    expected = sorted(f"{lang}/{name}" for lang in ("en", "ja") for name in PAGES)
    assert names(kb) == expected
    assert sorted(d.name for d in report.added) == expected and not report.skipped
    assert {d.folder for d in kb.documents()} == {
        "en",
        "ja",
        "en/tutorial",
        "ja/tutorial",
        "en/deploy",
        "ja/deploy",
    }


def test_one_folder_is_named_from_inside_it(tmp_path: Path, kb: KnowledgeBase) -> None:
    write_site(tmp_path / "site")
    Importer(kb).paths([tmp_path / "site"])
    assert "ja/tutorial/index.md" in names(kb)


def test_a_re_import_adds_replaces_skips_and_removes(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = tmp_path / "site"
    write_site(site)
    Importer(kb).paths([site])
    (site / "en" / "index.md").write_text("# en home\n\nNew words.")
    (site / "en" / "faq.md").write_text("# FAQ\n\nQuestions.")
    (site / "ja" / "deploy" / "index.md").unlink()
    report = Importer(kb).paths([site])
    assert [d.name for d in report.added] == ["en/faq.md"]
    assert [d.name for d in report.changed] == ["en/index.md"]
    assert report.removed == ["ja/deploy/index.md"]
    assert len(report.unchanged) == 4
    assert "ja/deploy/index.md" not in names(kb)


def test_a_sub_folder_re_imported_removes_only_its_own_pages(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    site = tmp_path / "site"
    write_site(site)
    Importer(kb).paths([site / "en", site / "ja"])
    (site / "ja" / "index.md").unlink()
    report = Importer(kb).paths([site / "en", site / "ja"])
    assert report.removed == ["ja/index.md"]
    assert len(names(kb)) == 5


def test_a_name_taken_by_another_folder_is_refused_not_overwritten(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    site = tmp_path / "site"
    write_site(site)
    Importer(kb).paths([site / "en"])
    report = Importer(kb).paths([site / "ja"])
    assert len(report.skipped) == 3
    assert all("import both folders in one command" in r for r in report.skipped)
    home = kb.search("Welcome en docs", limit=1)[0]
    assert (home.document, home.title) == ("index.md", "en home")  # the first folder's page


def test_bad_files_each_get_one_line_and_nothing_is_lost(tmp_path: Path, kb: KnowledgeBase):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# Good\n\nKept.")
    Importer(kb).paths([docs])
    (docs / "binary.md").write_bytes(b"\x00\x01\x02")
    (docs / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (docs / "sjis.md").write_bytes("# 手順\n\nバックアップを復元する。".encode("cp932"))
    with (docs / "huge.md").open("wb") as huge:
        huge.truncate(11 * 1024 * 1024)  # sparse: refused by its size, never read
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nServer file.")
    (docs / "link.md").symlink_to(outside)
    (docs / "linked").symlink_to(tmp_path, target_is_directory=True)
    (docs / ".git").mkdir()
    (docs / ".git" / "HEAD.md").write_text("# not the wiki")
    report = Importer(kb).paths([docs])

    assert [d.name for d in report.added] == ["sjis.md"]
    assert kb.search("バックアップを復元", limit=1)[0].document == "sjis.md"
    reasons = "\n".join(report.skipped)
    assert "binary.md looks binary" in reasons
    assert "latin1.txt is neither UTF-8 nor Shift_JIS" in reasons
    assert "huge.md is 11 MiB, over the 10 MiB limit" in reasons
    assert "link.md is a link; not followed." in reasons
    assert "linked/ is a link; not followed." in reasons
    assert all("\n" not in r for r in report.skipped) and len(report.skipped) == 5
    assert "secret.md" not in " ".join(names(kb)) and ".git/HEAD.md" not in names(kb)
    assert "good.md" in names(kb)  # nothing already imported is lost


@pytest.mark.parametrize("name", ["../etc/passwd.md", "/etc/x.md", "a/../../b.md", "./"])
def test_an_upload_name_that_leaves_its_folder_is_refused(kb: KnowledgeBase, name: str) -> None:
    importer = Importer(kb)
    importer.upload(name, b"# Hi\n\nThere.")
    assert importer.report.skipped == [f"{name!r} tries to leave its folder; skipped."]
    assert names(kb) == []


def test_a_folder_upload_keeps_its_paths(kb: KnowledgeBase) -> None:
    importer = Importer(kb)
    importer.upload("team\\howto\\restore.md", b"# Restore\n\nPick a point.")
    assert names(kb) == ["team/howto/restore.md"]


OLD_SCHEMA = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    size INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE chunks (id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL);
CREATE VIRTUAL TABLE chunk_words
    USING fts5(title, section, text, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE chunk_grams USING fts5(body, tokenize = 'trigram');
CREATE TABLE embeddings (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vector BLOB NOT NULL);
"""


def older_wiki(path: Path, pages: dict[str, tuple[str, str, int]]) -> None:
    """A wiki.db as Kura made it before pages had paths: bare file names, no origin."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    for number, (name, (title, text, size)) in enumerate(pages.items(), start=1):
        db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, '2026-01-01T00:00:00+00:00')",
            (number, name, title, size),
        )
        db.execute("INSERT INTO chunks VALUES (?, ?, 0, ?, ?)", (number, number, title, text))
        db.execute("INSERT INTO chunk_words VALUES (?, ?, ?)", (title, title, text))
        db.execute("INSERT INTO chunk_grams VALUES (?)", (f"{title}\n{title}\n{text}",))
    db.commit()
    db.close()


def test_a_wiki_from_an_older_kura_keeps_working_and_is_adopted(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    site = tmp_path / "site"
    write_site(site)
    home = (site / "en" / "index.md").read_bytes()
    older_wiki(
        kb.path,
        {
            "index.md": ("en home", "Welcome to the en docs.", len(home)),
            "notes.md": ("Notes", "Written long ago.", 30),
        },
    )
    assert names(kb) == ["index.md", "notes.md"]
    assert kb.search("written long ago", limit=1)[0].document == "notes.md"

    report = Importer(kb).paths([site / "en", site / "ja"])
    assert report.renamed == [("index.md", "en/index.md")]  # the same file, now by its path
    assert "notes.md" in names(kb) and "index.md" not in names(kb)
    assert len(names(kb)) == 7


def test_an_upload_replaces_the_one_document_named_like_it(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "en").mkdir(parents=True)
    (docs / "en" / "guide.md").write_text("# Guide\n\nOld text.")
    kb = KnowledgeBase(tmp_path / "wiki.db")
    Importer(kb).paths([docs])
    importer = Importer(kb)
    importer.upload("guide.md", b"# Guide\n\nNew text.")
    assert importer.report.replaced == [("guide.md", "en/guide.md")]
    assert [d.name for d in kb.documents()] == ["en/guide.md"]  # no second document
    assert "New text." in kb.search("new text")[0].text
    # It still belongs to its folder: importing the folder again keeps it in step.
    assert Importer(kb).paths([docs]).changed[0].name == "en/guide.md"


def test_an_upload_named_like_several_documents_waits_for_a_choice(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    for name in ("en/guide.md", "ja/guide.md"):
        Importer(kb).upload(name, b"# Guide\n\nText.")
    importer = Importer(kb)
    importer.upload("guide.md", b"# Guide\n\nNew.")
    assert importer.report.ambiguous == [("guide.md", ["en/guide.md", "ja/guide.md"])]
    assert not importer.report.imported  # nothing imported until someone chooses

    Importer(kb).upload("guide.md", b"# Guide\n\nNew.", replace="ja/guide.md")
    assert [d.name for d in kb.documents()] == ["en/guide.md", "ja/guide.md"]
    Importer(kb).upload("guide.md", b"# Guide\n\nNew.", replace="")  # kept as new, by choice
    assert [d.name for d in kb.documents()] == ["en/guide.md", "guide.md", "ja/guide.md"]
