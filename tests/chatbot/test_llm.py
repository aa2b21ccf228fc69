"""The LLM path: the real `openai` client over HTTP to a local stand-in."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.knowledge import KnowledgeBase
from chatbot.llm import NOT_COVERED, LlmAnswerer, LlmUnavailable, finish
from chatbot.parsing import parse
from tests.openai_standin import OpenAiStandIn


@pytest.fixture
def standin() -> Iterator[OpenAiStandIn]:
    def reply(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        if "restore" in prompt.lower():
            return "Select a restore point in the history table [2], then confirm [2]."
        return NOT_COVERED

    server = OpenAiStandIn(reply)
    yield server
    server.stop()


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    base = KnowledgeBase(tmp_path / "wiki.db")
    base.add(parse("intro.md", "# Kura\n\nKura keeps a wiki and backs it up."), size=1)
    base.add(
        parse("restore.md", "# Restore\n\nSelect a restore point in the history table."), size=1
    )
    return base


def test_streams_an_answer_citing_only_the_passages_it_used(standin, kb) -> None:
    llm = LlmAnswerer(api_key="sk-test-key", base_url=standin.base_url, model="stand-in")
    hits = kb.search("How do I restore Kura's wiki?")
    pieces = list(llm.stream("How do I restore Kura's wiki?", hits))
    assert len(pieces) > 1, "the answer arrives in pieces"
    answer = finish("".join(pieces), hits)
    assert answer.text.startswith("Select a restore point")
    assert [(s.number, s.document) for s in answer.sources] == [(2, hits[1].document)]
    request = standin.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["stream"] is True and request["body"]["model"] == "stand-in"
    assert request["auth"] == "Bearer sk-test-key"
    prompt = request["body"]["messages"][-1]["content"]
    assert "[1]" in prompt and "[2]" in prompt and "Select a restore point" in prompt


def test_not_covered_has_no_sources(standin, kb) -> None:
    llm = LlmAnswerer(api_key="sk-test-key", base_url=standin.base_url)
    hits = kb.search("Kura wiki")
    answer = finish("".join(llm.stream("What is the lunch menu in the Kura wiki?", hits)), hits)
    assert (answer.text, answer.sources) == (NOT_COVERED, [])


def test_a_failing_endpoint_is_one_clear_error(standin, kb) -> None:
    standin.fail_with = 500
    llm = LlmAnswerer(api_key="sk-test-key", base_url=standin.base_url)
    with pytest.raises(LlmUnavailable, match="LLM endpoint failed"):
        list(llm.stream("restore?", kb.search("restore")))
