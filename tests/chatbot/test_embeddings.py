"""Dense vectors through the real `openai` client to a local stand-in, fused with BM25."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.embeddings import Embedder
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from tests.openai_standin import OpenAiStandIn

# A toy embedding model that knows synonyms: what lexical search cannot.
CONCEPTS = {"restore": 0, "recover": 0, "rollback": 0, "password": 1, "credentials": 1}


def embed(text: str) -> list[float]:
    vector = [0.0] * 8
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[CONCEPTS.get(word, 2 + len(word) % 6)] += 1.0
    return vector


@pytest.fixture
def standin() -> Iterator[OpenAiStandIn]:
    server = OpenAiStandIn(lambda body: "", embed=embed)
    yield server
    server.stop()


def _wiki(path: Path, embedder: Embedder | None) -> KnowledgeBase:
    kb = KnowledgeBase(path, embedder=embedder)
    kb.add(parse("restore.md", "# Restore\n\nRestore an older backup from the history."), size=1)
    kb.add(parse("login.md", "# Login\n\nEveryone shares one password."), size=1)
    return kb


def test_dense_vectors_find_what_words_miss(tmp_path: Path, standin: OpenAiStandIn) -> None:
    embedder = Embedder(api_key="sk-standin", base_url=standin.base_url, model="toy")
    kb = _wiki(tmp_path / "wiki.db", embedder)
    assert kb.search("How can I recover?")[0].document == "restore.md"
    assert kb.search("where are my credentials kept")[0].document == "login.md"
    assert any(r["path"] == "/v1/embeddings" for r in standin.requests)
    lexical_only = KnowledgeBase(tmp_path / "wiki.db")
    assert lexical_only.search("How can I recover?") == []


def test_a_failing_endpoint_leaves_lexical_search(tmp_path: Path, standin) -> None:
    standin.fail_with = 500
    embedder = Embedder(api_key="sk-standin", base_url=standin.base_url)
    kb = _wiki(tmp_path / "wiki.db", embedder)  # imported without vectors
    assert kb.search("older backup history")[0].document == "restore.md"
