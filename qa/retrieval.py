"""Hybrid retrieval: dense and BM25 lists fused by reciprocal rank.

Dense vectors catch paraphrase; BM25 catches names, numbers and outlets, which news questions are
full of. Reciprocal rank fusion (k=60, Cormack et al. 2009) needs no score calibration between
the two. Outlets named in the question get one BM25 and one dense sub-query each, restricted to
that outlet, so a question about "The Verge and TechCrunch" gets evidence from both. At most
``per_article`` passages of one article enter the top k, so several articles are represented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from index import NewsIndex
from index.store import Filters, StoredChunk

from .analysis import QuestionAnalysis, analyse
from .chunk_table import TableCache
from .types import AppliedFilters, Passage

RRF_K = 60


@dataclass(frozen=True)
class RetrievalConfig:
    """How the retriever searches; the defaults are the measured best (see bench/README.md).

    Attributes:
        dense: use the embedding search.
        lexical: use BM25.
        outlet_queries: one extra sub-query per outlet the question names.
        decompose: one extra sub-query per clause of the question.
        date_focus: restrict a clause's sub-query to the publication date it states.
        per_article: at most this many passages of one article (0: no cap).
        candidates: results each sub-query contributes before fusion.
        dense_weight: weight of dense lists in the fusion (BM25 lists weigh 1).
        fusion: "rrf" (one fused list) or "interleave" (sub-queries take turns).
    """

    dense: bool = True
    lexical: bool = True
    outlet_queries: bool = True
    decompose: bool = True
    date_focus: bool = True
    per_article: int = 3
    candidates: int = 40
    dense_weight: float = 1.0
    fusion: str = "rrf"


@dataclass(frozen=True)
class RetrievalResult:
    """Passages plus what the search ran under."""

    passages: list[Passage]
    filters: AppliedFilters
    analysis: QuestionAnalysis


class Retriever:
    """Hybrid retriever over a :class:`index.NewsIndex`.

    Args:
        index: the opened index.
        config: search settings (defaults: :class:`RetrievalConfig`).
        candidates: shortcut overriding ``config.candidates``.
        per_article: shortcut overriding ``config.per_article``.
        dense_weight: shortcut overriding ``config.dense_weight``.
    """

    def __init__(self, index: NewsIndex, config: RetrievalConfig | None = None, *,
                 candidates: int | None = None, per_article: int | None = None,
                 dense_weight: float | None = None) -> None:
        config = config or RetrievalConfig()
        changes = {k: v for k, v in (("candidates", candidates), ("per_article", per_article),
                                      ("dense_weight", dense_weight)) if v is not None}
        if changes:
            config = RetrievalConfig(**{**config.__dict__, **changes})
        self.index = index
        self.config = config
        self._tables = TableCache(index.store)
        self._sources: list[str] | None = None
        self._sources_generation: int | None = None
        self._newest: date | None = None

    def _refresh(self) -> None:
        generation = self.index.store.generation()
        if self._sources is None or generation != self._sources_generation:
            infos = self.index.store.list_articles()
            self._sources = sorted({a.source for a in infos if a.source})
            dates = [a.published for a in infos if a.published]
            self._newest = max(dates) if dates else None
            self._sources_generation = generation

    def sources(self) -> list[str]:
        """Outlets of the indexed articles (cached per store generation)."""
        self._refresh()
        return self._sources or []

    def newest_date(self) -> date | None:
        """Publication date of the newest indexed article: "today" for dates given without a year."""
        self._refresh()
        return self._newest

    def retrieve(
        self,
        question: str,
        k: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        auto_filters: bool = True,
    ) -> RetrievalResult:
        """Find the ``k`` passages that best answer ``question``.

        Args:
            question: the question.
            k: number of passages.
            since: earliest publication date (inclusive).
            until: latest publication date (inclusive).
            sources: restrict to these outlets.
            auto_filters: apply a period the question itself states ("in October 2023").

        Returns:
            A :class:`RetrievalResult`.
        """
        cfg = self.config
        analysis = analyse(question, self.sources(), reference=self.newest_date())
        from_question = False
        if auto_filters and since is None and until is None and (analysis.since or analysis.until):
            since, until, from_question = analysis.since, analysis.until, True
        chosen = tuple(sources) if sources else None
        filters = Filters(since=since, until=until, sources=chosen)
        applied = AppliedFilters(since=since, until=until, sources=chosen, from_question=from_question)

        table = self._tables.get()
        lists: list[tuple[float, list[str]]] = []
        chunks: dict[str, StoredChunk] = {}
        vector = self.index.embedder.embed([question])[0] if cfg.dense else None
        n = cfg.candidates

        def dense(f: Filters, count: int) -> list[str]:
            if table is not None:
                return [cid for cid, _ in table.dense(vector, count, f)]
            hits = self.index.store.dense_query(vector, count, f)
            for hit in hits:
                chunks.setdefault(hit.chunk.id, hit.chunk)
            return [h.chunk.id for h in hits]

        def lexical(f: Filters, count: int) -> list[str]:
            return [h.chunk_id for h in self.index.lexical.search(question, count, f)]

        if cfg.dense:
            lists.append((cfg.dense_weight, dense(filters, n)))
        if cfg.lexical:
            lists.append((1.0, lexical(filters, n)))

        # One sub-query per named outlet, so each outlet's evidence reaches the fusion.
        outlets = [o for o in analysis.outlets if not chosen or o in chosen]
        if cfg.outlet_queries and outlets and not (chosen and len(chosen) == 1):
            for outlet in outlets:
                sub = Filters(since=since, until=until, sources=(outlet,))
                per = max(10, n // 2)
                if cfg.lexical:
                    lists.append((0.5, lexical(sub, per)))
                if cfg.dense:
                    lists.append((0.5 * cfg.dense_weight, dense(sub, per)))

        fused: dict[str, float] = {}
        for weight, ids in lists:
            for rank, chunk_id in enumerate(ids):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)
        if table is not None:
            for chunk_id in ranked:
                row = table.row_of.get(chunk_id)
                if row is not None:
                    chunks[chunk_id] = table.chunks[row]
        else:
            missing = [c for c in ranked[: k * 4] if c not in chunks]
            for chunk in self.index.store.get_chunks(missing):
                chunks[chunk.id] = chunk
        committed = self._committed({chunks[c].article_id for c in ranked[: k * 4] if c in chunks})

        passages: list[Passage] = []
        per_article: dict[str, int] = {}
        for chunk_id in ranked:
            chunk = chunks.get(chunk_id)
            if chunk is None or chunk.article_id not in committed:
                continue
            if cfg.per_article and per_article.get(chunk.article_id, 0) >= cfg.per_article:
                continue
            per_article[chunk.article_id] = per_article.get(chunk.article_id, 0) + 1
            passages.append(to_passage(chunk, fused[chunk_id]))
            if len(passages) >= k:
                break
        return RetrievalResult(passages, applied, analysis)

    def _committed(self, article_ids: set[str]) -> set[str]:
        # A chunk is visible only once its article record is written (see index.store).
        if not article_ids:
            return set()
        got = self.index.store.articles.get(ids=sorted(article_ids), include=[])
        return set(got["ids"])


def to_passage(chunk: StoredChunk, score: float) -> Passage:
    """A :class:`Passage` from a stored chunk."""
    return Passage(
        text=chunk.text,
        article_id=chunk.article_id,
        title=chunk.title,
        source=chunk.source,
        published=chunk.published,
        url=chunk.url,
        start=chunk.start,
        end=chunk.end,
        score=score,
        chunk_id=chunk.id,
    )
