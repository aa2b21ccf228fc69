"""The Knowledge page's wiki sources, with a real local Git repository and wiki.db."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatbot.knowledge import KnowledgeBase
from tests.app.conftest import log_in
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


def test_add_pull_and_remove_a_source(knowledge: AppTest, app_env, upstream: Path) -> None:
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
    assert [e.value for e in knowledge.error] == [
        "'ext::sh -c id' is not a repository URL; use one like "
        "https://github.com/OWNER/REPO.wiki.git."
    ]
    assert "No sources yet." in [c.value for c in knowledge.caption]
