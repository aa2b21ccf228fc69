"""The chat and knowledge pages, with a real wiki.db and chatbot.db."""

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from chatbot.history import ChatHistory
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from sync import Workspace
from tests.app.conftest import log_in, shown
from tests.openai_standin import OpenAiStandIn

RESTORE_DOC = "# Restoring\n\nSelect a restore point in the history table and press Restore."


@pytest.fixture
def wiki(app_env: Workspace) -> KnowledgeBase:
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    kb.add(parse("restore.md", RESTORE_DOC), size=len(RESTORE_DOC))
    kb.add(parse("ja.md", "# ログイン\n\n共有パスワードでログインします。"), size=10)
    return kb


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_ask_and_get_an_answer_with_sources(app: AppTest, app_env, wiki) -> None:
    log_in(app)
    app.chat_input[0].set_value("How do I restore a backup?").run()
    assert not app.exception
    text = _markdown(app)
    assert "Select a restore point in the history table" in text
    sources = [b.label for b in app.button if b.key and b.key.startswith("kura_source_")]
    assert sources == ["[1] Restoring · restore.md"]  # numbered as the answer cites it
    [conversation] = ChatHistory(app_env.data_dir / "chatbot.db").conversations()
    assert conversation.title == "How do I restore a backup?"
    messages = ChatHistory(app_env.data_dir / "chatbot.db").messages(conversation.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].sources[0]["document"] == "restore.md"
    assert (messages[1].sources[0]["number"], messages[1].sources[0]["passage"]) == (1, 0)


def test_japanese_question(app: AppTest, wiki) -> None:
    log_in(app)
    app.chat_input[0].set_value("ログインの方法は?").run()
    assert "共有パスワードでログインします" in _markdown(app)


def test_user_text_is_shown_as_text_never_markup(app: AppTest, wiki) -> None:
    log_in(app)
    app.chat_input[0].set_value("<img src=x onerror=alert(1)> **restore**").run()
    text = _markdown(app)
    assert "\\<img src=x onerror=alert(1)\\> \\*\\*restore\\*\\*" in text
    assert "<img" not in text.replace("\\<img", "")


def test_answers_show_the_wikis_markdown_but_never_its_html(app: AppTest, app_env) -> None:
    page = (
        "# Tokens\n\nCreate a token like this <script>alert(1)</script>:\n\n"
        "```console\n$ gh auth token\n```\n\n- read\n- write"
    )
    KnowledgeBase(app_env.data_dir / "wiki.db").add(parse("tokens.md", page), size=len(page))
    log_in(app)
    app.chat_input[0].set_value("How do I create a token?").run()
    [answer] = [m for m in app.markdown if "gh auth token" in m.value]
    assert "```console\n$ gh auth token\n```" in answer.value  # a code block, as written
    assert not answer.allow_html  # HTML from a page is shown as text, never run
    assert "**Tokens** [1]" in shown(answer.value)


def test_conversations_new_chat_rename_delete(app: AppTest, app_env, wiki) -> None:
    history = ChatHistory(app_env.data_dir / "chatbot.db")
    log_in(app)
    app.chat_input[0].set_value("How do I restore?").run()
    next(b for b in app.sidebar.button if b.label == "New chat").click().run()
    app.chat_input[0].set_value("ログインの方法は?").run()
    assert {c.title for c in history.conversations()} == {"How do I restore?", "ログインの方法は?"}
    next(b for b in app.sidebar.button if b.label == "How do I restore?").click().run()
    opened = [b.label for b in app.sidebar.button if b.proto.type == "primary"]
    assert opened == ["How do I restore?"]  # the open conversation is marked
    [rename] = [i for i in app.sidebar.text_input if i.label == "Rename"]
    assert rename.value == "How do I restore?"  # pre-filled with its title
    rename.input("Restoring")
    next(b for b in app.sidebar.button if b.label == "Rename").click().run()
    assert {c.title for c in history.conversations()} == {"Restoring", "ログインの方法は?"}
    app.sidebar.button(key="kura_delete_conversation").click().run()
    assert len(history.conversations()) == 2, "nothing is deleted before the confirmation"
    assert "“Restoring” and its 2 messages" in "".join(m.value for m in app.markdown)
    app.button(key="kura_confirm_yes").click().run()
    assert [c.title for c in history.conversations()] == ["ログインの方法は?"]


def test_every_conversation_is_reachable_by_search_and_paging(app: AppTest, app_env, wiki):
    history = ChatHistory(app_env.data_dir / "chatbot.db")
    for index in range(45):
        conversation = history.start(f"Question {index}")
        history.add(conversation.id, "user", f"Question {index}")
        history.add(conversation.id, "assistant", "The otter sleeps" if index == 3 else "No.")
    listed = lambda: [  # noqa: E731
        b.label for b in app.sidebar.button if (b.key or "").startswith("kura_conversation_")
    ]
    log_in(app)
    assert len(listed()) == 30 and listed()[0] == "Question 44"
    assert "30 of 45" in [c.value for c in app.sidebar.caption]
    app.sidebar.button(key="kura_conversations_more").click().run()
    assert len(listed()) == 45 and listed()[-1] == "Question 0"  # the oldest is reachable
    app.sidebar.text_input(key="kura_conversation_search").input("OTTER sleeps").run()
    assert listed() == ["Question 3"]  # found by a message's words, any case
    app.sidebar.text_input(key="kura_conversation_search").input("100%_sure").run()
    assert listed() == [] and "No conversation holds these words." in [
        c.value for c in app.sidebar.caption
    ]


def test_a_new_conversation_is_listed_at_once(app: AppTest, wiki) -> None:
    log_in(app)
    app.chat_input[0].set_value("How do I restore?").run()
    labels = [b.label for b in app.sidebar.button]
    assert "How do I restore?" in labels  # in the same run that started it
    assert "Select a restore point" in "".join(m.value for m in app.markdown)


@pytest.fixture
def standin() -> Iterator[OpenAiStandIn]:
    server = OpenAiStandIn(lambda body: "Pick a restore point, then press Restore [1].")
    yield server
    server.stop()


def test_the_llm_answers_through_the_openai_client(app, app_env, wiki, standin, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-standin")
    monkeypatch.setenv("OPENAI_BASE_URL", standin.base_url)
    log_in(app)
    app.chat_input[0].set_value("How do I restore a backup?").run()
    assert not app.exception
    assert standin.requests and standin.requests[0]["body"]["stream"] is True
    history = ChatHistory(app_env.data_dir / "chatbot.db")
    [conversation] = history.conversations()
    answer = history.messages(conversation.id)[-1]
    assert answer.content == "Pick a restore point, then press Restore [1]."
    assert [s["document"] for s in answer.sources] == ["restore.md"]


def test_knowledge_page_imports_lists_and_deletes(knowledge: AppTest, app_env) -> None:
    log_in(knowledge)
    # The boxes state the limit an import applies (10 MiB), not Streamlit's 200 MB.
    assert [u.proto.max_upload_size_mb for u in knowledge.file_uploader] == [10, 10]
    knowledge.file_uploader[0].set_value(
        [
            ("guide.md", b"# Guide\n\nBackups run every thirty minutes.", "text/markdown"),
            ("page.html", b"<h1>Page</h1><p>Hello</p>", "text/html"),
            ("broken.md", b"\x00\x01", "text/markdown"),
        ]
    )
    next(b for b in knowledge.button if b.label == "Import").click().run()
    assert not knowledge.exception
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    assert [d.name for d in kb.documents()] == ["guide.md", "page.html"]
    assert list(knowledge.dataframe[0].value["Document"]) == ["guide.md", "page.html"]
    assert [w.value for w in knowledge.warning] == ["Skipped: broken.md looks binary; skipped."]
    knowledge.selectbox[0].set_value("page.html").run()
    next(b for b in knowledge.button if b.label == "Delete document").click().run()
    assert len(kb.documents()) == 2, "nothing is deleted before the confirmation"
    knowledge.button(key="kura_confirm_yes").click().run()
    assert [d.name for d in kb.documents()] == ["guide.md"]


def test_a_folder_upload_keeps_paths_and_lists_by_folder(knowledge: AppTest, app_env) -> None:
    log_in(knowledge)
    knowledge.file_uploader[1].set_value(
        [
            ("site/en/index.md", b"# Home\n\nWelcome.", "text/markdown"),
            ("site/ja/index.md", "# ホーム\n\nようこそ。".encode(), "text/markdown"),
            ("site/ja/sjis.md", "# 手順\n\n復元する。".encode("cp932"), "text/markdown"),
        ]
    )
    next(b for b in knowledge.button if b.label == "Import").click().run()
    assert not knowledge.exception
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    assert [d.name for d in kb.documents()] == [
        "site/en/index.md",
        "site/ja/index.md",
        "site/ja/sjis.md",
    ]
    assert [e.label for e in knowledge.expander] == ["site/en (1)", "site/ja (2)"]
    assert list(knowledge.dataframe[1].value["Document"]) == ["site/ja/index.md", "site/ja/sjis.md"]


def test_a_foreign_chatbot_db_is_a_clear_error(app: AppTest, app_env) -> None:
    import sqlite3

    db = sqlite3.connect(app_env.data_dir / "chatbot.db")
    db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    db.close()
    log_in(app)
    assert not app.exception
    assert any("is not Kura's chat history" in e.value for e in app.error)


def test_importing_a_file_again_replaces_it(knowledge: AppTest, app_env) -> None:
    log_in(knowledge)
    upload = knowledge.file_uploader[0]
    upload.set_value(("guide.md", b"# Guide\n\nFirst version.", "text/markdown"))
    next(b for b in knowledge.button if b.label == "Import").click().run()
    knowledge.file_uploader[0].set_value(
        ("guide.md", b"# Guide v2\n\nSecond version.\n\n## More\n\nAnother part.", "text/markdown")
    )
    next(b for b in knowledge.button if b.label == "Import").click().run()
    [doc] = KnowledgeBase(app_env.data_dir / "wiki.db").documents()
    assert (doc.name, doc.title, doc.chunks) == ("guide.md", "Guide v2", 2)


def test_admin_page_deletes_old_conversations(admin: AppTest, app_env) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.app.conftest import open_admin

    history = ChatHistory(app_env.data_dir / "chatbot.db")
    history.start("ancient", at=datetime.now(UTC) - timedelta(days=400))
    history.start("recent")
    open_admin(admin)
    admin.number_input[0].set_value(365)
    next(b for b in admin.button if b.label == "Delete old conversations").click().run()
    assert len(history.conversations()) == 2, "nothing is deleted before the confirmation"
    admin.button(key="kura_confirm_yes").click().run()
    assert [c.title for c in history.conversations()] == ["recent"]
    assert any("Deleted 1 conversations" in toast.value for toast in admin.toast)


def test_a_dollar_outside_code_is_not_a_formula() -> None:
    from components.text import wiki_markdown

    text = "Costs $5 and `$HOME` stays\n\n```console\n$ echo $PATH\n```\n\n> ```\n> $ ls\n> ```"
    assert wiki_markdown(text) == text.replace("Costs $5", "Costs \\$5")


def test_sources_saved_by_an_older_kura_are_still_listed(app: AppTest, app_env, wiki) -> None:
    history = ChatHistory(app_env.data_dir / "chatbot.db")
    conversation = history.start("How do I restore?")
    history.add(conversation.id, "user", "How do I restore?")
    history.add(conversation.id, "assistant", "Select a restore point.", [OLD_SOURCE])
    log_in(app)
    app.session_state["kura_conversation"] = conversation.id
    app.run()
    assert not app.exception
    assert "- Restoring · restore.md" in _markdown(app)


OLD_SOURCE = {"document": "restore.md", "title": "Restoring", "score": 0.5}  # no number yet


def test_no_match_is_said_in_the_pages_language(app: AppTest, wiki, monkeypatch) -> None:
    monkeypatch.setenv("UI_LANGUAGE", "ja")
    log_in(app)
    app.chat_input[0].set_value("量子コンピューターの冷却方法は?").run()
    assert "ウィキにはまだこの内容がありません" in _markdown(app)
    assert "does not cover" not in _markdown(app)


@pytest.mark.parametrize(
    ("language", "said"), [("en", "Only 1 passage(s)"), ("ja", "ウィキに 1 か所しか")]
)
def test_an_answer_with_fewer_sources_says_so(
    app: AppTest, app_env, monkeypatch, language: str, said: str
) -> None:
    monkeypatch.setenv("UI_LANGUAGE", language)
    page = "# Tokens\n\nCreate a personal access token with the repo scope."
    KnowledgeBase(app_env.data_dir / "wiki.db").add(parse("tokens.md", page), size=len(page))
    log_in(app)
    app.chat_input[0].set_value("How do I create a personal access token?").run()
    assert said in _markdown(app)
    assert (
        said
        in ChatHistory(app_env.data_dir / "chatbot.db")
        .messages(ChatHistory(app_env.data_dir / "chatbot.db").conversations()[0].id)[-1]
        .content
    )
