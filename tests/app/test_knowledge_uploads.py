"""The Knowledge page when an upload is named like several documents, and the labels of
an answer's sources."""

from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from tests.app.conftest import log_in, shown


def test_an_ambiguous_upload_asks_which_document_it_replaces(knowledge, app_env) -> None:
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    for name in ("en/guide.md", "ja/guide.md"):
        kb.add(parse(name, "# Guide\n\nOld text."), size=10)
    log_in(knowledge)
    knowledge.session_state["kura_import_pending"] = [
        ("guide.md", b"# Guide\n\nNew text.", ["en/guide.md", "ja/guide.md"])
    ]
    knowledge.run()
    warnings = [shown(w.value) for w in knowledge.warning]
    assert "guide.md is named like 2 documents. Which one does it replace?" in warnings
    [choice] = [r for r in knowledge.radio if r.key == "kura_replace_guide.md"]
    choice.set_value("ja/guide.md")
    next(b for b in knowledge.button if b.key == "kura_replace_go_guide.md").click().run()
    assert not knowledge.exception
    assert [d.name for d in kb.documents()] == ["en/guide.md", "ja/guide.md"]
    assert "New text." in kb.context("ja/guide.md", 0)[0].text
    assert "Old text." in kb.context("en/guide.md", 0)[0].text
    assert not knowledge.session_state["kura_import_pending"]


def test_source_labels_are_text_not_raw_markdown(app, app_env) -> None:
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    page = "# Create a `Config` class\n\n## *パラメータ*の宣言\n\nDeclare the `timeout` parameter."
    kb.add(parse("config.md", page), size=len(page))
    log_in(app)
    app.chat_input[0].set_value("How do I declare the timeout parameter?").run()
    labels = [b.label for b in app.button if b.key and b.key.startswith("kura_source_")]
    assert labels == ["[1] Create a Config class › パラメータの宣言 · config.md"]
    for label in labels:
        assert not any(mark in label for mark in ("`", "*", "\\"))


def test_an_older_wikis_titles_are_listed_as_text(knowledge, app_env) -> None:
    from chatbot.parsing import Document, Section

    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    older = Document("config.md", "Create a `Config` class", [Section("", "Text.")])
    kb.add(older, size=5)  # stored as an earlier Kura stored it, backticks and all
    log_in(knowledge)
    knowledge.run()
    [table] = knowledge.dataframe
    assert list(table.value.iloc[:, 1]) == ["Create a Config class"]
