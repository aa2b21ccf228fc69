"""Dense vectors for passages and questions through the official `openai` client, when an
OpenAI-compatible endpoint is configured. Lexical search never depends on them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from openai import OpenAIError

from chatbot.endpoint import openai_client

log = logging.getLogger(__name__)
DEFAULT_MODEL = "text-embedding-3-small"
BATCH = 64


@dataclass
class Embedder:
    """Example::

    embedder = Embedder(api_key=key, base_url=None)
    vectors = embedder.embed(["first passage", "second passage"])  # (2, dim) float32, unit length
    """

    api_key: str
    base_url: str | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        self.client = openai_client(self.api_key, self.base_url)

    def embed(self, texts: list[str]) -> np.ndarray | None:
        """Unit-length float32 rows, or None when the endpoint fails (logged, not raised)."""
        rows = []
        try:
            for start in range(0, len(texts), BATCH):
                response = self.client.embeddings.create(
                    model=self.model or DEFAULT_MODEL, input=texts[start : start + BATCH]
                )
                rows.extend(item.embedding for item in response.data)
        except OpenAIError as exc:
            log.warning(
                "Embeddings unavailable (%s); using lexical search only", exc.__class__.__name__
            )
            return None
        vectors = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)
