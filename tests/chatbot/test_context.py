"""What an LLM is given: the best passages with their neighbours, within a budget, each
once, in the question's language."""

from pathlib import Path

import pytest

from chatbot.answer import extractive_answer
from chatbot.context import llm_passages
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse

STEPS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


def _page(name: str, sections: int, words: str) -> str:
    body = "\n\n".join(
        f"## Step {STEPS[n]}\n\n{words} step {STEPS[n]} " + "filler text to make it long. " * 18
        for n in range(sections)
    )
    return f"# {name}\n\n{body}\n"


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    base = KnowledgeBase(tmp_path / "wiki.db")
    text = _page("Rotate", 8, "Rotating the token")
    base.add(parse("rotate.md", text), size=len(text))
    other = _page("Deploy", 3, "Deploying the server")
    base.add(parse("deploy.md", other), size=len(other))
    return base


def test_the_context_widens_the_best_passages_with_their_neighbours(kb) -> None:
    passages = llm_passages(kb, "rotating the token step echo", budget=3000)
    first = passages[0]
    assert first.document == "rotate.md" and "step echo" in first.text
    assert "step delta" in first.text and "step foxtrot" in first.text  # its neighbours
    assert "(Rotate › Step foxtrot)" in first.text  # a neighbour says which section it is
    assert sum(len(p.text) for p in passages) <= 3000


def test_the_budget_decides_how_much_is_sent_and_nothing_is_sent_twice(kb) -> None:
    small = llm_passages(kb, "rotating the token", budget=1000)
    large = llm_passages(kb, "rotating the token", budget=20000)
    assert len(small) >= 1 and sum(len(p.text) for p in small) <= 1000
    assert sum(len(p.text) for p in large) > 3 * sum(len(p.text) for p in small)
    steps = [line for p in large for line in p.text.split("\n") if "the token step" in line]
    assert len(steps) == len(set(steps)) == 8  # every step of the page, each once


def test_an_english_question_is_answered_from_the_english_page_of_two(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    english = "# Token\n\nRotate the `GITHUB_TOKEN` every 90 days in Settings."
    japanese = (
        "# トークン\n\n`GITHUB_TOKEN` は 90 日ごとに設定画面で更新します。" + " `GITHUB_TOKEN`" * 2
    )
    kb.add(parse("ja/token.md", japanese), size=1)
    kb.add(parse("en/token.md", english), size=1)
    for question in ("GITHUB_TOKEN", "How often do I rotate GITHUB_TOKEN?"):
        assert [h.document for h in kb.search(question)] == ["en/token.md"]
    assert kb.search("GITHUB_TOKEN はいつ更新しますか")[0].document == "ja/token.md"
    assert [h.document for h in llm_passages(kb, "GITHUB_TOKEN")] == ["en/token.md"]


def test_the_same_passage_in_two_pages_is_quoted_once(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    text = "# Backups\n\nBackups run a minute after each change."
    kb.add(parse("guide.md", text), size=1)
    kb.add(parse("copy/guide.md", text), size=1)
    answer = extractive_answer(kb, "When do backups run?")
    assert len(answer.sources) == 1
    assert answer.text.count("a minute after each change") == 1


def test_the_best_passage_brings_its_whole_section_with_its_code(tmp_path: Path) -> None:
    prose = "Configure the proxy for the development server as shown. " * 12
    code = "```js\nexport default { server: { proxy: { '/api': 'http://localhost:8080' } } }\n```"
    tail = "The rewrite option changes the path before it is sent on. " * 12
    text = f"# Server\n\n## server.proxy\n\n{prose}\n\n{code}\n\n{tail}\n\n## server.open\n\n" + (
        "Opens the browser when the server starts. " * 12
    )
    base = KnowledgeBase(tmp_path / "wiki.db")
    base.add(parse("server.md", text), size=len(text))
    assert len(base.context("server.md", 0, around=5)) >= 3  # the section is cut in passages

    best = llm_passages(base, "How do I configure the proxy for the development server?")[0]
    assert best.section == "Server › server.proxy"
    assert prose.strip() in best.text and code in best.text and tail.strip() in best.text
