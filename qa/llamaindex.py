"""newsqa inside LlamaIndex: a retriever and a query engine over a newsqa index.

People who build with LlamaIndex can drop newsqa in where a retriever or a query engine goes:

- :class:`NewsqaRetriever` is a ``BaseRetriever``: newsqa's own retrieval (BM25 and dense,
  per-clause sub-queries, date and outlet filters) returning ``NodeWithScore``s;
- :class:`NewsqaQueryEngine` is a ``BaseQueryEngine``: newsqa's own answer (extractive, or the
  configured LLM with verified citations) as a ``Response`` whose ``source_nodes`` are the cited
  passages only.

The packaged embedder is a LlamaIndex ``BaseEmbedding`` too:
:class:`index.llama_embedding.NewsqaEmbedding`.

Design decisions:

- Nodes are passages, unchanged. A node's ``text`` is ``article_text[start:end]`` exactly, its
  ``node_id`` the stored chunk id, its ``ref_doc_id`` (the SOURCE relationship) the article id,
  and ``start_char_idx`` / ``end_char_idx`` the offsets. The metadata repeats these with the
  title, outlet, publication date (ISO string, None when unknown) and url, so they survive
  anything that keeps only ``metadata``. Values are flat (str, int, None), as LlamaIndex vector
  stores require.
- What a LlamaIndex LLM sees of a node (``MetadataMode.LLM``) is the title, outlet, date, url and
  citation number; ids and offsets are excluded there and from the embedding text, because they
  mean nothing to a model.
- Neither class needs a LlamaIndex LLM or embedding model, and neither reads or writes
  LlamaIndex's global ``Settings``: newsqa answers with its own configuration (``NEWSQA_*``).
- Without an :class:`~qa.Answerer`, both use the shared default answerer that :func:`qa.ask` uses,
  looked up at each query (so the index is opened on first use, not at construction).
- The async methods run the synchronous search in a worker thread, so an event loop is not
  blocked by it.

LlamaIndex is imported here only; :mod:`qa` exports these classes lazily, because importing
llama-index-core takes time that ``ask`` alone does not need (bench/README.md, "Figures quoted by
the code").
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import (
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)

from .answerer import Answerer
from .as_of import parse_as_of
from .retrieval.retriever import Retriever
from .types import Answer, Citation, Passage

__all__ = ["NewsqaQueryEngine", "NewsqaRetriever", "citation_node", "passage_node"]

# Ids, offsets and groups are for programs; a model reading or embedding the node gets nothing
# from them.
_HIDDEN_KEYS = ["article_id", "chunk_id", "start", "end", "story_id", "also_in"]


def passage_node(passage: Passage) -> NodeWithScore:
    """A newsqa passage as a LlamaIndex node, with its retrieval score.

    Args:
        passage: a retrieved passage.

    Returns:
        A ``NodeWithScore`` whose ``TextNode`` holds the passage text verbatim; its ``node_id``
        is the chunk id, its ``ref_doc_id`` the article id, and its metadata holds
        ``article_id``, ``title``, ``source``, ``published`` (ISO date or None), ``url``,
        ``start``, ``end``, ``chunk_id``, ``story_id`` and ``also_in`` (the outlets of the
        copies that carry the same passage, joined by ", ").
    """
    metadata: dict[str, Any] = {
        "article_id": passage.article_id,
        "title": passage.title,
        "source": passage.source,
        "published": passage.published.isoformat() if passage.published else None,
        "url": passage.url,
        "start": passage.start,
        "end": passage.end,
        "chunk_id": passage.chunk_id,
        "story_id": passage.story_id,
        "also_in": ", ".join(c.source or c.title for c in passage.also_in),
    }
    node = TextNode(
        # A chunk id is stable across runs; without one LlamaIndex draws a random id.
        **({"id_": passage.chunk_id} if passage.chunk_id else {}),
        text=passage.text,
        metadata=metadata,
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.article_id)},
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
    )
    return NodeWithScore(node=node, score=passage.score)


def citation_node(citation: Citation) -> NodeWithScore:
    """A cited passage as a LlamaIndex node: :func:`passage_node` plus the citation.

    Args:
        citation: one citation of an answer.

    Returns:
        The passage's node, its metadata extended with ``citation`` (the ``[n]`` marker number
        in the answer text) and ``highlights`` (``[start, end]`` spans inside the node text of
        the supporting sentences).
    """
    scored = passage_node(citation.passage)
    scored.node.metadata["citation"] = citation.number
    scored.node.metadata["highlights"] = [[start, end] for start, end in citation.highlights]
    scored.node.excluded_embed_metadata_keys.append("citation")
    scored.node.excluded_llm_metadata_keys.append("highlights")
    scored.node.excluded_embed_metadata_keys.append("highlights")
    return scored


def _default_answerer() -> Answerer:
    # Imported at call time: qa/__init__ exports this module, so a top-level import would be
    # circular, and the default may be replaced between queries.
    from . import default_answerer

    return default_answerer()


class NewsqaRetriever(BaseRetriever):
    """A LlamaIndex retriever backed by newsqa's retrieval.

    Example:
        >>> from qa import NewsqaRetriever
        >>> retriever = NewsqaRetriever(k=3, sources=["The Verge"])
        >>> for hit in retriever.retrieve("Where did Azerbaijan set up a checkpoint?"):
        ...     print(hit.score, hit.node.metadata["title"], hit.node.text[:60])

    Args:
        answerer: the :class:`~qa.Answerer` (or its :class:`~qa.retrieval.retriever.Retriever`)
            to search with; default: the shared answerer :func:`qa.ask` uses.
        k: number of passages per query.
        since: earliest publication date searched (inclusive).
        until: latest publication date searched (inclusive).
        sources: outlets searched (default: all).
        as_of: search only articles published on or before this day, and read the question's
            relative dates against it (a date, a datetime or "YYYY-MM-DD"; default: the newest
            article's date; :mod:`qa.as_of`).
        callback_manager: LlamaIndex callbacks (default: none).

    Raises:
        ValueError: ``k`` is less than 1.
        TypeError, QuestionError: ``as_of`` is not a date.
    """

    def __init__(
        self,
        answerer: Answerer | Retriever | None = None,
        *,
        k: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        as_of: date | datetime | str | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self._answerer = answerer
        self.k = k
        self.since = since
        self.until = until
        self.sources = tuple(sources) if sources else None
        self.as_of = parse_as_of(as_of)  # a bad date fails here, not at the first question
        super().__init__(callback_manager=callback_manager)

    def search(self, question: str) -> list[Passage]:
        """The passages for ``question`` under this retriever's ``k`` and filters.

        Raises (when backed by an :class:`~qa.Answerer`, which checks the question):
            TypeError: ``question`` is not a string.
            QuestionError: ``question`` is longer than the configured limit.
        """
        options = dict(
            k=self.k, since=self.since, until=self.until, sources=self.sources, as_of=self.as_of
        )
        searcher = self._answerer
        if isinstance(searcher, Retriever):
            return searcher.retrieve(question, **options).passages
        return (searcher or _default_answerer()).retrieve(question, **options)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [passage_node(p) for p in self.search(query_bundle.query_str)]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return await asyncio.to_thread(self._retrieve, query_bundle)


class NewsqaQueryEngine(BaseQueryEngine):
    """A LlamaIndex query engine that answers with newsqa's own answerer.

    The answer is newsqa's: extractive, or from the LLM newsqa is configured with
    (``OPENAI_*`` / ``NEWSQA_LLM_*``); LlamaIndex's ``Settings.llm`` is neither needed nor used.

    The ``Response`` holds:

    - ``response``: the answer text with its ``[n]`` markers;
    - ``source_nodes``: the cited passages only, in citation order (see :func:`citation_node`);
      empty when it abstains;
    - ``metadata``: ``short_answer``, ``abstained``, ``abstain_reason``, ``mode``, ``as_of``
      (the day answered as of, "YYYY-MM-DD"), ``error``
      (the LLM failure an extractive fallback reports, else None), ``unsupported`` (claims no
      cited passage backs) and ``answer`` (the full :class:`~qa.Answer`).

    Example:
        >>> from qa import NewsqaQueryEngine
        >>> response = NewsqaQueryEngine().query("Where did Azerbaijan set up a checkpoint?")
        >>> print(response, response.source_nodes[0].node.metadata["url"])

    Args:
        answerer: the :class:`~qa.Answerer` to ask; default: the shared answerer :func:`qa.ask`
            uses.
        k: passages retrieved per question (default: ``NEWSQA_TOP_K``).
        since: earliest publication date searched (inclusive).
        until: latest publication date searched (inclusive).
        sources: outlets searched (default: all).
        as_of: answer as of this day (see :class:`NewsqaRetriever`).
        callback_manager: LlamaIndex callbacks (default: none).

    Raises:
        ValueError: ``k`` is given and less than 1.
        TypeError, QuestionError: ``as_of`` is not a date.
    """

    def __init__(
        self,
        answerer: Answerer | None = None,
        *,
        k: int | None = None,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        as_of: date | datetime | str | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        if k is not None and k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self._answerer = answerer
        self.k = k
        self.since = since
        self.until = until
        self.sources = tuple(sources) if sources else None
        self.as_of = parse_as_of(as_of)  # a bad date fails here, not at the first question
        super().__init__(callback_manager=callback_manager)

    def answer(self, question: str) -> Answer:
        """newsqa's :class:`~qa.Answer` to ``question`` under this engine's ``k`` and filters.

        Raises:
            TypeError: ``question`` is not a string.
            QuestionError: ``question`` is longer than the configured limit.
        """
        answerer = self._answerer or _default_answerer()
        return answerer.ask(
            question,
            k=self.k,
            since=self.since,
            until=self.until,
            sources=self.sources,
            as_of=self.as_of,
        )

    def _get_prompt_modules(self) -> PromptMixinType:
        # newsqa's prompts live in qa.answer.prompts; none are LlamaIndex prompt templates.
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        return _response(self.answer(query_bundle.query_str))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)


def _response(answer: Answer) -> Response:
    return Response(
        response=answer.text,
        source_nodes=[citation_node(c) for c in answer.citations],
        metadata={
            "short_answer": answer.short_answer,
            "abstained": answer.abstained,
            "abstain_reason": answer.abstain_reason,
            "mode": answer.mode.label,
            "as_of": answer.as_of.day.isoformat() if answer.as_of else None,
            "error": answer.error,
            "unsupported": list(answer.unsupported_sentences),
            "answer": answer,
        },
    )
