"""The wiki and the chat history of a configured Kura, for the pages and the CLI alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatbot.history import ChatHistory
from chatbot.knowledge import KnowledgeBase
from config import Settings

if TYPE_CHECKING:
    from chatbot.llm import LlmAnswerer


def knowledge_base(settings: Settings) -> KnowledgeBase:
    """With OPENAI_API_KEY, passages also get dense vectors fused with the lexical ranking."""
    embedder = None
    if settings.openai_api_key:
        from chatbot.embeddings import Embedder  # the openai client takes a second to import

        embedder = Embedder(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.openai_embedding_model,
        )
    return KnowledgeBase(settings.data_dir / "wiki.db", embedder=embedder)


def chat_history(settings: Settings) -> ChatHistory:
    return ChatHistory(settings.data_dir / "chatbot.db")


def llm_answerer(settings: Settings) -> LlmAnswerer | None:
    """The configured LLM, or None: answers are then extractive."""
    if not settings.openai_api_key:
        return None
    from chatbot.llm import LlmAnswerer  # the openai client takes a second to import

    return LlmAnswerer(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        model=settings.openai_model,
    )
