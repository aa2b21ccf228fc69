"""The Knowledge page's wiki sources, with a real local Git repository and wiki.db."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from chatbot.knowledge import KnowledgeBase
from tests.app.conftest import log_in, shown
from tests.conftest import git
from tests.sync.test_sources import commit_all


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    repo = tmp_path / "team-wiki"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "restore.md").write_text("# Restore\n\nPick a restore point.")
    git("init", "-q", "-b", "main", str(repo))
    commit_all(repo, "first")
    return repo


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_add_pull_and_remove_a_source(
    knowledge: AppTest, app_env, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIKI_SOURCES_LOCAL_DIR", str(upstream.parent))  # the operator's folder
    log_in(knowledge)
    next(i for i in knowledge.text_input if i.label == "Repository URL").input(str(upstream))
    next(i for i in knowledge.text_input if i.label.startswith("Folder")).input("docs")
    _button(knowledge, "Add and pull").click().run()
    assert not knowledge.exception and not knowledge.error
    kb = KnowledgeBase(app_env.data_dir / "wiki.db")
    assert [d.name for d in kb.documents()] == ["team-wiki/restore.md"]
    table = knowledge.dataframe[0].value
    assert list(table["Source"]) == ["team-wiki"] and list(table["Pages"]) == [1]
    assert [t.value for t in knowledge.toast] == ["team-wiki: 1 added, 0 changed, 0 removed."]

    (upstream / "docs" / "tokens.md").write_text("# Tokens\n\nA fine-grained token.")
    commit_all(upstream, "tokens")
    knowledge.selectbox(key="kura_source").set_value("team-wiki").run()
    knowledge.button(key="kura_source_pull").click().run()
    assert [d.name for d in kb.documents()] == ["team-wiki/restore.md", "team-wiki/tokens.md"]

    knowledge.button(key="kura_source_remove").click().run()
    assert kb.documents(), "nothing is removed before the confirmation"
    _button(knowledge, "Remove team-wiki").click().run()
    assert kb.documents() == []
    assert not (app_env.settings.home / "sources" / "team-wiki.git").exists()


def test_an_unsafe_url_is_one_line_and_adds_nothing(knowledge: AppTest, app_env) -> None:
    log_in(knowledge)
    next(i for i in knowledge.text_input if i.label == "Repository URL").input("ext::sh -c id")
    _button(knowledge, "Add and pull").click().run()
    assert [shown(e.value) for e in knowledge.error] == [
        "'ext::sh -c id' is not a repository URL; use one like "
        "https://github.com/OWNER/REPO.wiki.git."
    ]
    assert "No sources yet." in [c.value for c in knowledge.caption]


def test_a_malformed_port_is_one_line_not_a_traceback(knowledge: AppTest) -> None:
    log_in(knowledge)
    url = "https://github.com:99999/x"
    next(i for i in knowledge.text_input if i.label == "Repository URL").input(url)
    _button(knowledge, "Add and pull").click().run()
    assert not knowledge.exception
    assert [shown(e.value) for e in knowledge.error] == [
        f"{url!r} has a malformed host or port; use one like "
        "https://github.com/OWNER/REPO.wiki.git."
    ]


def test_a_local_path_is_refused_unless_under_the_operators_folder(
    knowledge: AppTest, app_env, upstream: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any logged-in user can use the page: a local path (or file://) would let them import
    any repository the server can read."""
    log_in(knowledge)
    for url in (str(upstream), f"file://{upstream}"):
        next(i for i in knowledge.text_input if i.label == "Repository URL").input(url)
        _button(knowledge, "Add and pull").click().run()
        assert [shown(e.value) for e in knowledge.error] == [
            "Local repositories can be added only from the command line (python -m chatbot "
            "sources add), or under the folder named in WIKI_SOURCES_LOCAL_DIR."
        ]
    elsewhere = tmp_path / "allowed"
    elsewhere.mkdir()
    (elsewhere / "out").symlink_to(upstream)  # a link out of the folder leads nowhere
    monkeypatch.setenv("WIKI_SOURCES_LOCAL_DIR", str(elsewhere))
    st.cache_resource.clear()  # settings are read once per server process
    knowledge.run()
    next(i for i in knowledge.text_input if i.label == "Repository URL").input(f"{elsewhere}/out")
    _button(knowledge, "Add and pull").click().run()
    assert [shown(e.value) for e in knowledge.error] == [
        f"Local repositories can be added here only under {elsewhere} (WIKI_SOURCES_LOCAL_DIR)."
    ]
    assert "No sources yet." in [c.value for c in knowledge.caption]


def test_an_internal_address_is_refused_before_it_is_stored(knowledge: AppTest, app_env) -> None:
    log_in(knowledge)
    url = "https://169.254.169.254/latest/meta-data.git"
    next(i for i in knowledge.text_input if i.label == "Repository URL").input(url)
    _button(knowledge, "Add and pull").click().run()
    [error] = [shown(e.value) for e in knowledge.error]
    assert "inside this server's network" in error and "WIKI_SOURCES_ALLOW_PRIVATE" in error
    assert "No sources yet." in [c.value for c in knowledge.caption]
