"""Retrieval: find the passages that hold every piece of evidence a news question needs.

Multi-part questions ("Did TechCrunch's October 7 report and The Verge's later article agree
...?") need one article per part, so the search runs in two layers:

1. The whole question: BM25 and (optionally) dense search, plus the same restricted to each
   outlet the question names, fused by reciprocal rank (:func:`qa.retrieval.fusion.rrf`).
2. One BM25 sub-query per clause (:mod:`qa.question.decompose`), restricted to the outlet and the
   publication date that clause names; for questions that ask for a name ("Which company ...")
   the names the first results agree on are added to each clause (:mod:`qa.retrieval.feedback`);
   each clause's candidates are re-ranked by their best single sentence (:mod:`qa.retrieval.focus`).

The whole-question list and the clause lists then take turns filling the top ``k``
(:func:`qa.retrieval.fusion.interleave`), with at most ``per_article`` passages per article (an
article and its copies count as one), a passage that repeats one of a copy already taken shown
once with the copy listed in its ``also_in`` (:mod:`qa.retrieval.copies`), and the
first ten are re-sorted so that a passage with one sentence stating a clause leads
(:func:`qa.retrieval.focus.sort_by_sentence`). Every choice
above is a :class:`RetrievalConfig` field, measured one by one by ``python -m bench.retrieval``
(bench/README.md has the table).

Passages are stored chunks, unchanged: verbatim article slices of at most 256 tokens.

Searches run against an in-memory copy of the chunks (:mod:`qa.retrieval.chunk_table`) when the
index is small enough, else against Chroma and the BM25 index directly: no sentence focus or sort
then, and one unfiltered nearest-neighbour query per question whose results each restricted dense
list filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from index import Filters, IndexSnapshot, NewsIndex
from index.store import DenseHit, StoredChunk
from index.text import tokenize

from ..as_of import cap_until, parse_as_of, reference_day
from ..question.decompose import Clause, content_words
from ..question.plan import QuestionPlan, plan_question
from ..types import AsOf, Copy, Passage
from .chunk_table import ChunkTable, TableCache
from .copies import CopyFolder
from .feedback import expansion_terms
from .focus import refocus, sort_by_sentence
from .fusion import Ranked, capped, interleave, rrf

#: Places at the top of a result that the sentence sort re-orders: the passages an answer reads
#: and the benchmark scores.
SORT_WINDOW = 10


@dataclass(frozen=True)
class RetrievalConfig:
    """How the retriever searches; the defaults are the measured best (bench/README.md).

    Attributes:
        dense: embedding search of the whole question, fused with BM25 at ``dense_weight``.
            On by default: users paraphrase, and the dense side finds passages that share no
            word with the question. On MultiHop-RAG, whose questions reuse the articles' own
            words, it changes little and adds the cost of embedding the question (bench/README.md;
            rows ``final`` and ``default`` of bench/results/retrieval-ladder.md).
        lexical: BM25 search of the whole question.
        outlet_queries: the whole question again, restricted to each outlet it names.
        decompose: one BM25 sub-query per clause of the question.
        inherit_outlets: a clause naming no outlet searches the outlets the question names
            ("Which company, known for X and Y, as reported by TechCrunch?").
        date_focus: a clause naming an outlet and a date searches that day's articles (±1 day).
        feedback_terms: names from the first results added to each clause of a question that
            asks for a name (0: none).
        feedback_docs: how many first results those names come from.
        focus: weight of the best-sentence score when ranking a clause's candidates (0..1).
        fusion: "interleave" (clause lists take turns with the question list) or "rrf" (one
            reciprocal-rank fusion of all lists).
        main_turns: passages the whole-question list may give when clause lists exist (0: no
            limit); the rest of the top ``k`` goes to the clauses.
        per_article: at most this many passages of one article (0: no cap); an article and
            its copies count as one.
        fold_copies: show a passage that copies of an article repeat once, the copies listed
            in its ``also_in`` (:mod:`qa.retrieval.copies`); off, each copy's passage takes a
            place of its own and the cap counts articles one by one.
        sentence_sort: re-sort the top ``k`` of a multi-part question by each passage's best
            single-sentence match to any clause (summed IDF), less this much per place it
            ranked below the first (:func:`qa.retrieval.focus.sort_by_sentence`; 0: keep the order).
        candidates: results per whole-question search.
        clause_candidates: results per clause search.
        dense_weight: weight of dense lists in the fusion (BM25 lists weigh 1).
        outlet_weight: weight of the per-outlet lists in the fusion.
        clause_weight: weight of clause lists when ``fusion`` is "rrf".
    """

    dense: bool = True
    lexical: bool = True
    outlet_queries: bool = True
    decompose: bool = True
    inherit_outlets: bool = True
    date_focus: bool = True
    feedback_terms: int = 1
    feedback_docs: int = 10
    focus: float = 0.3
    fusion: str = "interleave"
    main_turns: int = 2
    per_article: int = 4
    fold_copies: bool = True
    sentence_sort: float = 1.0
    candidates: int = 40
    clause_candidates: int = 20
    dense_weight: float = 0.5
    outlet_weight: float = 0.5
    clause_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.fusion not in ("interleave", "rrf"):
            raise ValueError(f"fusion must be 'interleave' or 'rrf', not {self.fusion!r}")
        if not (self.dense or self.lexical):
            raise ValueError("enable dense or lexical search (or both)")


@dataclass(frozen=True)
class RetrievalResult:
    """Passages plus what the search ran under.

    Attributes:
        passages: the passages, best first.
        filters: the date and outlet restrictions applied (and whether the question set them).
        plan: the question's plan (outlets, dates, period, clauses), for the answerer.
        clauses: the clauses searched separately (empty when the question was searched whole).
        candidates: chunk ids of every passage any of the searches returned, in order of first
            appearance (the pool the top ``k`` was chosen from; for diagnosis).
        as_of: the day the search was made as of (the caller's ``as_of``, else the newest
            article's date), or None for a result made without it.
        snapshot: the generation of the index the searches read; later searches for the same
            question (:meth:`Retriever.search_words`) read it too.
    """

    passages: list[Passage]
    filters: Filters
    plan: QuestionPlan
    clauses: tuple[Clause, ...] = ()
    candidates: tuple[str, ...] = ()
    as_of: AsOf | None = None
    snapshot: IndexSnapshot | None = field(default=None, compare=False, repr=False)


class Retriever:
    """Retriever over a :class:`index.NewsIndex`.

    Args:
        index: the opened index.
        config: search settings (default :class:`RetrievalConfig`).
        candidates: shortcut overriding ``config.candidates``.
        per_article: shortcut overriding ``config.per_article``.
        dense_weight: shortcut overriding ``config.dense_weight``.
    """

    def __init__(
        self,
        index: NewsIndex,
        config: RetrievalConfig | None = None,
        *,
        candidates: int | None = None,
        per_article: int | None = None,
        dense_weight: float | None = None,
    ) -> None:
        config = config or RetrievalConfig()
        changes = {
            name: value
            for name, value in (
                ("candidates", candidates),
                ("per_article", per_article),
                ("dense_weight", dense_weight),
            )
            if value is not None
        }
        self.index = index
        self.config = replace(config, **changes) if changes else config
        self._tables = TableCache(index.store, index.settings.memory_table_chunks)

    def sources(self) -> list[str]:
        """Outlets of the indexed articles."""
        return self.index.sources()

    def newest_date(self) -> date | None:
        """Publication date of the newest indexed article ("today" for dates without a year)."""
        return self.index.newest_date()

    def plan(self, question: str, as_of: date | None = None) -> QuestionPlan:
        """``question`` read once against the indexed outlets and the reference date: ``as_of``,
        else the newest article's date (:func:`qa.question.plan.plan_question`);
        :meth:`retrieve` takes it in place of the question."""
        snapshot = self.index.snapshot()
        reference = reference_day(parse_as_of(as_of), snapshot.newest)
        return plan_question(question, list(snapshot.sources), reference.day)

    def _table(self, snapshot: IndexSnapshot) -> ChunkTable | None:
        """The in-memory chunk table of the snapshot's generation (None for a big store). The
        lexical index's live rows give its size: counting the store's chunk records takes
        seconds at a million chunks, at the first question after every commit."""
        return self._tables.get(snapshot.generation, snapshot.bm25.live_count)

    def warm(self) -> None:
        """Load what the first search would (chunk table, BM25, catalogue), so it is not slow."""
        snapshot = self.index.snapshot()
        self._table(snapshot)
        _ = snapshot.bm25, snapshot.catalogue  # loaded on first use

    def retrieve(
        self,
        question: str | QuestionPlan,
        k: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        auto_filters: bool = True,
        as_of: date | None = None,
        per_article: int | None = None,
    ) -> RetrievalResult:
        """Find the ``k`` passages that best answer ``question``.

        Args:
            question: the question, or its plan (:meth:`plan`, made with the same ``as_of``)
                when already made.
            k: number of passages.
            since: earliest publication date (inclusive).
            until: latest publication date (inclusive).
            sources: restrict to these outlets.
            auto_filters: apply a period the question itself states ("published in October
                2023", "reported last week") when ``since`` and ``until`` are not given.
            as_of: search only articles published on or before this day, and resolve the
                question's relative dates against it (a date, a datetime or "YYYY-MM-DD";
                default: the newest article's date, which keeps nothing out). It caps
                ``until`` and the question's period (:mod:`qa.as_of`).
            per_article: at most this many passages of one article (default:
                ``config.per_article``; a timeline wants more articles, fewer passages each).

        Returns:
            A :class:`RetrievalResult`; ``passages`` is empty when nothing matches.

        Raises:
            TypeError, QuestionError: ``as_of`` is not a date (:func:`qa.as_of.parse_as_of`).
        """
        cfg = self.config if per_article is None else replace(self.config, per_article=per_article)
        as_of_day = parse_as_of(as_of)
        # One generation for every search of this question, whatever an ingestion publishes.
        snapshot = self.index.snapshot()
        outlets = list(snapshot.sources)
        reference = reference_day(as_of_day, snapshot.newest)
        plan = (
            question
            if isinstance(question, QuestionPlan)
            else plan_question(question, outlets, reference.day)
        )
        question = plan.question
        from_question = False
        if auto_filters and since is None and until is None and (plan.since or plan.until):
            since, until, from_question = plan.since, plan.until, True
        until = cap_until(until, reference)
        chosen = tuple(sources) if sources else None
        filters = Filters(since=since, until=until, sources=chosen, from_question=from_question)
        search = _Search(self.index, snapshot, self._table(snapshot))

        main = self._whole_question(search, question, plan, filters)
        clauses: tuple[Clause, ...] = ()
        lists: list[Ranked] = [main]
        if cfg.decompose and cfg.lexical:
            clauses = plan.parts(cfg.inherit_outlets)
            extra: list[str] = []
            if clauses and cfg.feedback_terms and plan.asks_for_name:
                texts = search.texts([chunk_id for chunk_id, _ in main[: cfg.feedback_docs]])
                extra = expansion_terms(question, texts, cfg.feedback_terms, skip=outlets)
            lists += [self._clause(search, clause, extra, filters) for clause in clauses]

        search.fetch({chunk_id for ranked in lists for chunk_id, _ in ranked[: 4 * k]})
        copies = CopyFolder(search.chunk_or_none)
        group_of, repeats = (
            (copies.group_of, copies.repeats) if cfg.fold_copies else (search.article_of, None)
        )
        if cfg.fusion == "rrf":
            weights = [1.0] + [cfg.clause_weight] * (len(lists) - 1)
            fused = rrf([(w, [c for c, _ in ranked]) for w, ranked in zip(weights, lists)])
            top = capped(fused, k, group_of, cfg.per_article, repeats)
        else:
            turns = [cfg.main_turns if len(lists) > 1 else 0] + [0] * (len(lists) - 1)
            sort = bool(cfg.sentence_sort and clauses and search.table is not None)
            # The sort always covers the same first places, so the first k of a longer result
            # stay the result for k.
            n = max(k, SORT_WINDOW) if sort else k
            ids = [c for c, _ in interleave(lists, n, group_of, cfg.per_article, turns, repeats)]
            if sort:
                # The clauses' own words, without the feedback names: a name shared by every
                # passage would only shift all the keys (bench/README.md, "Measured and left out").
                words = [" ".join(_clause_words(c, _scope(c, filters))) for c in clauses]
                terms = [set(t) for t in tokenize(words)]
                head = sort_by_sentence(ids[:SORT_WINDOW], terms, search.table, cfg.sentence_sort)
                ids = (head + ids[SORT_WINDOW:])[:k]
            # Scores of different lists are not comparable; agreement across lists is.
            agreement = dict(rrf([(1.0, [c for c, _ in ranked]) for ranked in lists]))
            top = [(chunk_id, agreement.get(chunk_id, 0.0)) for chunk_id in ids]
        passages = [
            to_passage(search.chunk(chunk_id), score, copies.also_in(chunk_id))
            for chunk_id, score in top
        ]
        pool = tuple(dict.fromkeys(chunk_id for ranked in lists for chunk_id, _ in ranked))
        return RetrievalResult(passages, filters, plan, clauses, pool, reference, snapshot)

    def search_words(
        self,
        text: str,
        k: int,
        filters: Filters | None = None,
        snapshot: IndexSnapshot | None = None,
    ) -> list[Passage]:
        """The ``k`` passages that BM25 ranks best for ``text``, within ``filters``: one lexical
        search, no plan, no fusion (about as fast as retrieval's cheapest list). The
        cross-check (:mod:`qa.answer.crosscheck`) looks up a cited sentence's other reports
        with it.

        Args:
            text: the words to search by (a sentence).
            k: number of passages.
            filters: date and outlet restrictions (default: none).
            snapshot: the generation to read (a question's :attr:`RetrievalResult.snapshot`, so
                that one question reads one generation); default: the newest.

        Returns:
            The passages, best first.
        """
        snapshot = snapshot or self.index.snapshot()
        search = _Search(self.index, snapshot, self._table(snapshot))
        hits = search.lexical(text, k, filters or Filters())
        search.fetch({chunk_id for chunk_id, _ in hits})
        return [
            to_passage(search.chunk(chunk_id), score)
            for chunk_id, score in hits
            if search.article_of(chunk_id) is not None
        ]

    def article_passages(
        self, article_ids: Sequence[str], limit: int | None = None
    ) -> list[Passage]:
        """The passages of the given articles, article by article in text order (a timeline
        reads its story's main articles whole: their later sections share few words with the
        question; and every article's opening, which reports its news).

        Args:
            article_ids: the articles (unknown or uncommitted ones are skipped).
            limit: at most this many passages of each article, its first ones (None: all).

        Returns:
            The passages, score 0.
        """
        if not article_ids:
            return []
        snapshot = self.index.snapshot()
        table = self._table(snapshot)
        if table is not None:
            chunks = [
                table.chunks[row] for a in article_ids for row in table.article_rows.get(a, ())
            ]
        else:
            store = self.index.store
            committed = store.committed(article_ids)
            found = store.chunks_of([a for a in article_ids if a in committed])
            order = {a: n for n, a in enumerate(article_ids)}
            chunks = sorted(found, key=lambda c: (order[c.article_id], c.index))
        if limit is not None:
            seen: dict[str, int] = {}
            limited = []
            for chunk in chunks:
                seen[chunk.article_id] = seen.get(chunk.article_id, 0) + 1
                if seen[chunk.article_id] <= limit:
                    limited.append(chunk)
            chunks = limited
        return [to_passage(chunk, 0.0) for chunk in chunks]

    def _whole_question(
        self, search: _Search, question: str, plan: QuestionPlan, filters: Filters
    ) -> Ranked:
        cfg = self.config
        lists: list[tuple[float, list[str]]] = []
        vector = self.index.embedder.embed([question])[0] if cfg.dense else None
        if vector is not None:
            lists.append((cfg.dense_weight, search.dense(vector, cfg.candidates, filters)))
        if cfg.lexical:
            lists.append((1.0, [c for c, _ in search.lexical(question, cfg.candidates, filters)]))
        chosen = filters.sources
        outlets = [o for o in plan.outlets if not chosen or o in chosen]
        # One sub-query per named outlet, so each outlet's evidence reaches the fusion; pointless
        # when the search is already restricted to one outlet.
        if cfg.outlet_queries and outlets and not (chosen and len(chosen) == 1):
            per = max(10, cfg.candidates // 2)
            for outlet in outlets:
                sub = replace(filters, sources=(outlet,))
                if cfg.lexical:
                    lists.append(
                        (cfg.outlet_weight, [c for c, _ in search.lexical(question, per, sub)])
                    )
                if vector is not None:
                    lists.append(
                        (cfg.outlet_weight * cfg.dense_weight, search.dense(vector, per, sub))
                    )
        return rrf(lists)

    def _clause(
        self, search: _Search, clause: Clause, extra: Sequence[str], filters: Filters
    ) -> Ranked:
        cfg = self.config
        scope = _scope(clause, filters)
        text = " ".join([*_clause_words(clause, scope), *extra])
        hits: Ranked = []
        if cfg.date_focus and clause.dates and scope:
            # "the TechCrunch report published on October 7": that outlet's articles of that day
            # (±1 for time zones), if the day lies inside the user's own range.
            low = max(min(clause.dates) - timedelta(days=1), filters.since or date.min)
            high = min(max(clause.dates) + timedelta(days=1), filters.until or date.max)
            if low <= high:
                hits = search.lexical(
                    text, cfg.clause_candidates, Filters(since=low, until=high, sources=scope)
                )
        if not hits:
            hits = search.lexical(text, cfg.clause_candidates, replace(filters, sources=scope))
        if search.table is None or not cfg.focus:
            return hits
        return refocus(hits, tokenize([text])[0], search.table, cfg.focus)


def _scope(clause: Clause, filters: Filters) -> tuple[str, ...] | None:
    """The outlets a clause searches: those it names within the user's, else the user's."""
    chosen = filters.sources
    return tuple(o for o in clause.outlets if not chosen or o in chosen) or chosen


def _clause_words(clause: Clause, scope: tuple[str, ...] | None) -> list[str]:
    """The words a clause is searched by, within ``scope``."""
    # Within an outlet its name says nothing ("Sports Writers Blog" would match "sports").
    return content_words(clause.topic if scope and len(scope) == 1 else clause.text)


class _Search:
    """The searches of one retrieval, against the chunk table or, without one, the store."""

    #: Nearest neighbours read once per question on the store path, shared by its dense lists.
    DENSE_POOL = 200

    def __init__(self, index: NewsIndex, snapshot: IndexSnapshot, table: ChunkTable | None) -> None:
        self.index = index
        self.snapshot = snapshot
        self.table = table
        self._chunks: dict[str, StoredChunk] = {}
        self._dense_cache: dict[bytes, tuple[int, list[DenseHit]]] = {}
        # The shard of each chunk BM25 found, so fetch() reads it from there alone.
        self._shards: dict[str, int] = {}

    def lexical(self, text: str, n: int, filters: Filters) -> Ranked:
        hits = self.snapshot.search_lexical(text, n, filters)
        if self.table is None:
            self._shards.update((h.chunk_id, h.shard) for h in hits if h.shard is not None)
        return [(h.chunk_id, h.score) for h in hits]

    def dense(self, vector: np.ndarray, n: int, filters: Filters) -> list[str]:
        if self.table is not None:
            return [chunk_id for chunk_id, _ in self.table.dense(vector, n, filters)]
        # A filtered Chroma query first selects the id of every record the filter matches, a cost
        # that grows with the store (bench/README.md, "Scale"). So one unfiltered
        # query for the store's nearest neighbours serves all of a question's dense lists, each
        # filtered here; the BM25 lists, filtered exactly, find what lies beyond them.
        hits = self._nearest(vector, max(n, self.DENSE_POOL))
        if filters.active:
            hits = [h for h in hits if filters.allows(h.chunk.published, h.chunk.source)]
        return [h.chunk.id for h in hits[:n]]

    def _nearest(self, vector: np.ndarray, n: int) -> list[DenseHit]:
        key = np.asarray(vector, dtype=np.float32).tobytes()
        cached = self._dense_cache.get(key)
        if cached is None or cached[0] < n:
            hits = self.index.store.dense_query(vector, n)
            cached = self._dense_cache[key] = (n, hits)
            # Keep the chunks: fetch() then needs no second read for these.
            self._chunks.update((h.chunk.id, h.chunk) for h in hits)
        return cached[1]

    def fetch(self, chunk_ids: set[str]) -> None:
        """Make sure the chunks are at hand (one store read for those not in the table)."""
        if self.table is not None:
            return
        missing = [c for c in chunk_ids if c not in self._chunks]
        # A chunk is visible only once its article record is written (see index.store).
        for chunk in self.index.store.get_committed_chunks(missing, self._shards):
            self._chunks[chunk.id] = chunk

    def chunk_or_none(self, chunk_id: str) -> StoredChunk | None:
        """The chunk of an id, or None when it is not at hand (not fetched, or not committed)."""
        if self.table is not None:
            row = self.table.row_of.get(chunk_id)
            if row is not None:
                return self.table.chunks[row]
        return self._chunks.get(chunk_id)

    def chunk(self, chunk_id: str) -> StoredChunk:
        if self.table is not None:
            row = self.table.row_of.get(chunk_id)
            if row is not None:
                return self.table.chunks[row]
        return self._chunks[chunk_id]

    def article_of(self, chunk_id: str) -> str | None:
        if self.table is not None:
            row = self.table.row_of.get(chunk_id)
            return self.table.chunks[row].article_id if row is not None else None
        chunk = self._chunks.get(chunk_id)
        return chunk.article_id if chunk else None

    def texts(self, chunk_ids: Sequence[str]) -> list[str]:
        """Headline and text of each chunk (for feedback terms)."""
        self.fetch(set(chunk_ids))
        out = []
        for chunk_id in chunk_ids:
            if self.article_of(chunk_id) is not None:
                chunk = self.chunk(chunk_id)
                out.append(f"{chunk.title}\n{chunk.text}")
        return out


def to_passage(chunk: StoredChunk, score: float, also_in: tuple[Copy, ...] = ()) -> Passage:
    """A :class:`Passage` from a stored chunk (``also_in``: copies folded into it)."""
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
        story_id=chunk.story,
        also_in=also_in,
    )
