"""The packaged embedder as a LlamaIndex ``BaseEmbedding``, for use in LlamaIndex pipelines.

Kept apart from :mod:`index.embedding` because importing llama-index-core costs seconds, and the
CLI's hot paths do not need it.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .embedding import Embedder, MiniLMEmbedder


class NewsqaEmbedding(BaseEmbedding):
    """LlamaIndex embedding backed by a newsqa :class:`~index.embedding.Embedder`.

    Example:
        >>> from llama_index.core.node_parser import SentenceSplitter
        >>> embed_model = NewsqaEmbedding()  # all-MiniLM-L6-v2 int8, offline
    """

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder | None = None, **kwargs: Any) -> None:
        embedder = embedder or MiniLMEmbedder()
        super().__init__(model_name=embedder.model_id, embed_batch_size=8, **kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "NewsqaEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
