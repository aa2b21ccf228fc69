from pathlib import Path

import pytest

from chatbot.answer import NOT_COVERED, extractive_answer
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from chatbot.query import terms

WIKI = {
    "backups.md": "# Backups\n\nKura backs up the data directory to a private Git repository "
    "with Git LFS every thirty minutes.\n\n## Restoring a backup\n\nSelect a restore point "
    "in the history table and press Restore. A safety backup is taken first.",
    "chat.md": "# Chat\n\nAsk questions on the chat page; every answer cites its sources.",
    "tokens.html": "<h1>Tokens</h1><p>Create a fine-grained personal access token with "
    "Contents read and write on the data repository only.</p>",
    "backup-ja.md": "# バックアップ\n\nKura はデータディレクトリを Git LFS で非公開リポジトリに"
    "保存します。\n\n## 復元\n\n履歴の表から復元ポイントを選び、復元ボタンを押します。"
    "先に安全のためのバックアップが取られます。",
    "login-ja.md": "# ログイン\n\n共有パスワードでログインします。パスワードが未設定なら自動で"
    "生成され、サーバーのログに表示されます。",
    "鍵.md": "# 鍵の管理\n\n鍵は金庫に保管します。",
}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    base = KnowledgeBase(tmp_path / "wiki.db")
    for name, text in WIKI.items():
        base.add(parse(name, text), size=len(text))
    return base


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("How do I restore a backup?", "backups.md"),
        ("What does a safety backup do when restoring?", "backups.md"),
        ("Do answers cite their sources?", "chat.md"),
        ("Which token permissions are needed?", "tokens.html"),
        ("how often are backups made", "backups.md"),
        ("復元するにはどうすればいいですか?", "backup-ja.md"),
        ("パスワードはどこに表示されますか", "login-ja.md"),
        ("ログイン方法を教えてください", "login-ja.md"),
        ("鍵はどこ?", "鍵.md"),
    ],
)
def test_the_right_document_comes_first(kb: KnowledgeBase, question: str, document: str):
    hits = kb.search(question, limit=3)
    assert hits and hits[0].document == document


def test_question_words_and_punctuation_are_dropped() -> None:
    assert terms("What is the best way to restore?!").words == ["best", "restore"]
    assert terms("復元するにはどうすればいいですか?").cjk == ["復元"]
    assert terms("?? ¿¡ …").empty


def test_reimporting_replaces_a_document(kb: KnowledgeBase) -> None:
    kb.add(parse("chat.md", "# Chat\n\nThe chat page now streams answers."), size=10)
    assert [d.name for d in kb.documents()].count("chat.md") == 1
    assert kb.search("cite sources") == [] or kb.search("cite sources")[0].document != "chat.md"
    assert kb.search("streams answers")[0].document == "chat.md"


def test_delete_removes_a_document_and_its_index(kb: KnowledgeBase) -> None:
    assert kb.delete("tokens.html")
    assert "tokens.html" not in [d.name for d in kb.documents()]
    assert all(h.document != "tokens.html" for h in kb.search("personal access token"))
    assert not kb.delete("tokens.html")


def test_an_extractive_answer_quotes_passages_with_sources(kb: KnowledgeBase) -> None:
    answer = extractive_answer(kb, "How do I restore a backup?")
    assert answer.sources[0].document == "backups.md"
    assert answer.text.startswith(
        "**Backups › Restoring a backup** [1]\n\nSelect a restore point in the history table"
    )
    numbered = [(s.number, s.document, s.section, s.passage) for s in answer.sources]
    assert numbered == [
        (n, h.document, h.section, h.ordinal) for n, h in enumerate(answer.passages, start=1)
    ]
    assert numbered[0] == (1, "backups.md", "Backups › Restoring a backup", 1)
    assert answer.sources[0].where == "Backups › Restoring a backup"


def test_a_passage_opens_with_its_neighbours(kb: KnowledgeBase) -> None:
    page = "# Guide\n\n## One\n\nFirst.\n\n## Two\n\nSecond.\n\n## Three\n\nThird."
    kb.add(parse("guide.md", page), size=len(page))
    around = kb.context("guide.md", 1)
    assert [(h.ordinal, h.section, h.text) for h in around] == [
        (0, "Guide › One", "First."),
        (1, "Guide › Two", "Second."),
        (2, "Guide › Three", "Third."),
    ]
    assert [h.ordinal for h in kb.context("guide.md", 0)] == [0, 1]
    kb.delete("guide.md")
    assert kb.context("guide.md", 1) == []


def test_an_unknown_topic_says_so(kb: KnowledgeBase) -> None:
    answer = extractive_answer(kb, "zeppelin maintenance schedule")
    assert (answer.text, answer.sources) == (NOT_COVERED, [])


BILINGUAL = {
    "en/deployment/workers.md": "# Server Workers\n\nRun several worker processes with "
    "`fastapi run --workers 4`; each one loads the app.",
    "ja/deployment/workers.md": "# サーバーワーカー\n\n複数のワーカープロセスを "
    "`fastapi run --workers 4` で起動します。workers の数は CPU コア数が目安です。",
}


@pytest.mark.parametrize(
    ("question", "language"),
    [("How many workers should fastapi run start?", "en"), ("workers の数の目安は?", "ja")],
)
def test_a_page_in_both_languages_answers_in_the_questions(
    tmp_path: Path, question: str, language: str
) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    for name, text in BILINGUAL.items():
        kb.add(parse(name, text), size=len(text))
    assert kb.search(question, limit=2)[0].document == f"{language}/deployment/workers.md"


def test_the_answer_leads_with_the_lines_that_answer(tmp_path: Path) -> None:
    page = (
        "# Deployment\n\n## Workers\n\nKura runs on one machine. It keeps its data in "
        "SQLite. Logs go to standard error. To run several workers, start it like this:"
        "\n\n```console\n$ fastapi run --workers 4 main.py\n```\n\nMemory grows with "
        "each process. Restarts are graceful."
    )
    kb = KnowledgeBase(tmp_path / "wiki.db")
    kb.add(parse("deployment.md", page), size=len(page))
    answer = extractive_answer(kb, "How do I run several workers?")
    lead = answer.text.split("\n\n", 1)[1]
    assert lead.startswith("To run several workers, start it like this:\n\n```console")
    assert "$ fastapi run --workers 4 main.py\n```" in answer.text[:600]


def test_a_features_own_page_outranks_the_changelog_that_names_it(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    pages = {
        "about/changelog.md": "# Changelog\n\n## 2.0\n\n- NEW: tabbed blocks.\n- FIX: tabbed "
        "blocks with headers.",
        "extensions/tabbed.md": "# Tabbed\n\nTabbed blocks group content under tabs: start "
        'each tab with `=== "Title"` and indent its content by four spaces. Tabs of one '
        "group sit side by side.",
    }
    for name, text in pages.items():
        kb.add(parse(name, text), size=len(text))
    assert kb.search("How do I add tabbed blocks?", limit=1)[0].document == "extensions/tabbed.md"
    fixed = kb.search("Which release fixed the crash on Windows?", limit=1)
    assert fixed[0].document == "about/changelog.md"  # what only it says, it still answers


def test_the_third_passage_quoted_comes_from_another_page(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    images = "# Images\n\n" + "\n\n".join(
        f"## Placeholder {n}\n\nA placeholder image, number {n}, holds the place." for n in range(4)
    )
    kb.add(parse("images.md", images), size=len(images))
    strings = "# Strings\n\nFormat a string with `%s` placeholders: `util.format('%s', x)`."
    kb.add(parse("strings.md", strings), size=len(strings))
    answer = extractive_answer(kb, "placeholder image placeholders")
    pages = [hit.document for hit in answer.passages]
    assert pages[:2] == ["images.md", "images.md"] and pages[2] == "strings.md"


def test_a_pages_own_subject_is_not_common_for_being_in_its_title(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    page = (
        "# Restoring\n\n## Before\n\nMake sure nobody is importing documents.\n\n## Steps\n\n"
        "Pick a restore point in the history table. A safety backup is taken first.\n\n"
        "## After\n\nThe chat reloads its history."
    )
    kb.add(parse("restore.md", page), size=len(page))
    weights = kb.term_weights("How do I restore a backup?")
    assert weights["restore"] == weights["backup"] > weights.get("history", 0)
    lead = extractive_answer(kb, "How do I restore a backup?").text.split("\n\n")[1]
    assert lead == "Pick a restore point in the history table."


def test_the_quoted_passages_come_from_different_sections(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "wiki.db")
    long = "The deploy key signs every release tarball we publish. " * 14
    text = f"# Keys\n\n## Deploy keys\n\n{long}\n\n{long}\n\n{long}\n\n## Rotating deploy keys\n\n"
    text += "Rotate the deploy key every release with the rotate command."
    base.add(parse("keys.md", text), size=len(text))
    other = "# Release\n\nEach release tarball is signed by the deploy key."
    base.add(parse("release.md", other), size=len(other))

    answer = extractive_answer(base, "How is a release tarball signed with the deploy key?")
    places = [(hit.document, hit.section) for hit in answer.passages]
    assert len(places) == len(set(places)) == 3


def test_fewer_passages_are_quoted_when_fewer_are_relevant(tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path / "wiki.db")
    pages = {
        "tokens.md": "# Tokens\n\nCreate a personal access token with the repo scope.",
        "work.md": "# Work\n\nThe scope of the work is agreed first.",
    }
    for name, text in pages.items():
        base.add(parse(name, text), size=len(text))
    question = "How do I create a personal access token with the repo scope?"
    assert {hit.document for hit in base.search(question)} == set(pages)  # found, in passing

    answer = extractive_answer(base, question)
    assert [hit.document for hit in answer.passages] == ["tokens.md"]
