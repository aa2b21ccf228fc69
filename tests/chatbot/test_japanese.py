"""Japanese words for the index: SudachiPy's dictionary from its wheel, on real sentences."""

import sqlite3
import threading
from pathlib import Path

from chatbot.japanese import words
from chatbot.knowledge import KnowledgeBase
from chatbot.language import has_japanese
from chatbot.lines import lead
from chatbot.parsing import parse
from chatbot.query import terms
from tests.chatbot.test_importer import older_wiki

PRINTING = "# 印刷\n\nCUPS で印刷します。プリンターを追加してから lpr コマンドで送ります。"
LOCALE = "# ロケール\n\nロケールを設定した後、端末を開き直します。"
ENGLISH = "# Printing\n\nPrint with lpr once CUPS knows the printer."


def test_words_are_content_words_in_their_normalized_form() -> None:
    assert words("ロケールを設定した後、端末を開き直します。") == [
        "ロケール",
        "設定",
        "為る",
        "後",
        "端末",
        "開く",
        "直す",
    ]
    assert words("設定しました") == words("設定する")  # conjugations meet
    assert words("、。?!「」") == []
    assert has_japanese("ログイン") and not has_japanese("Login, 2026")


def test_question_words_leave_out_how_it_is_asked() -> None:
    assert terms("ロケールを設定するにはどうすればいいですか?").japanese == ["ロケール", "設定"]


def test_two_threads_segment_at_once_and_agree() -> None:
    text = LOCALE * 200
    expected = words(text)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(words(text))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_a_two_character_word_finds_its_page(tmp_path: Path) -> None:
    """Trigrams cannot look up 印刷 (two characters); the word index can."""
    kb = KnowledgeBase(tmp_path / "wiki.db")
    for name, text in {"print.md": PRINTING, "locale.md": LOCALE, "en.md": ENGLISH}.items():
        kb.add(parse(name, text), size=len(text))
    assert kb.search("印刷するには?", limit=1)[0].document == "print.md"
    assert kb.search("ロケールを設定しましたか", limit=1)[0].document == "locale.md"


def test_only_japanese_passages_are_in_the_japanese_indexes(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    kb.add(parse("print.md", PRINTING), size=1)
    kb.add(parse("en.md", ENGLISH), size=1)
    with sqlite3.connect(kb.path) as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    assert counts == [2, 1, 1]  # chunk_words, chunk_grams, chunk_ja
    kb.delete("print.md")
    with sqlite3.connect(kb.path) as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    assert counts == [1, 0, 0]


TABLES = ("chunk_words", "chunk_grams", "chunk_ja")


def test_an_older_wiki_gains_the_word_index_once(tmp_path: Path) -> None:
    path = tmp_path / "wiki.db"
    older_wiki(path, {"print.md": ("印刷", PRINTING, 90), "en.md": ("Printing", ENGLISH, 50)})
    kb = KnowledgeBase(path)
    assert kb.search("印刷するには?", limit=1)[0].document == "print.md"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM chunk_ja").fetchone()[0] == 1
        db.execute("DELETE FROM chunk_ja")  # were it migrated again, this would come back
    kb.search("印刷", limit=1)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM chunk_ja").fetchone()[0] == 0


def test_the_answer_leads_with_the_sentence_holding_the_questions_words() -> None:
    text = (
        "言語と地域は設定で決まります。端末を開き直すと反映されます。"
        "ロケールを変更するには dpkg-reconfigure locales を実行します。"
    )
    assert lead([("", text)], "ロケールを変更するには?").text == (
        "ロケールを変更するには dpkg-reconfigure locales を実行します。"
    )
