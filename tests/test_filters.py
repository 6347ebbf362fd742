"""Date and outlet filters: explicit, from the question, and reported on the Answer.

A small real index (real Chroma on disk, the hashed bag-of-words fake embedder): six articles
about the same harbour bridge, from three outlets and four dates, one undated. Every search is
run twice: against the in-memory chunk table and through Chroma and BM25 directly (the path a
large index takes).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from index import Article, Filters, open_index
from qa import Answerer
from qa.retrieval.chunk_table import load_table
from qa.retrieval.retriever import Retriever

BODY = "The harbour bridge repairs {what}. {rest}"
# Each article in its own words after the first sentence: copies of one text would be shown once.
REST = [
    "Engineers from the city council inspected the steel cables and the deck joints, and traffic "
    "was diverted to the ferry route.",
    "Cars and cyclists can cross again; the council thanked residents for their patience during "
    "months of diversions.",
    "The overrun came from corroded anchor bolts found under the deck, a councillor told the "
    "budget committee.",
    "Crews will return to the deck joints once the storms pass, the contractor said in a short "
    "statement.",
    "Inspectors checked the new cables and the lighting before signing off the work on Tuesday.",
    "Riders said the new cycle lane across the bridge is wider and smoother than the old one.",
]

ARTICLES = [
    (
        "https://planet.example/a",
        "Daily Planet",
        date(2023, 10, 2),
        "began with a closure of two lanes",
    ),
    ("https://planet.example/b", "Daily Planet", date(2023, 11, 28), "ended a week early"),
    ("https://gazette.example/c", "Gotham Gazette", date(2023, 10, 20), "cost more than planned"),
    ("https://gazette.example/d", "Gotham Gazette", date(2023, 11, 5), "were paused by rain"),
    ("https://wire.example/e", "Metro Wire", date(2023, 11, 14), "passed a safety review"),
    ("https://wire.example/f", "Metro Wire", None, "were praised by cyclists"),
]
QUESTION = "What happened with the harbour bridge repairs?"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from index import Settings
    from tests.fakes import FakeEmbedder

    settings = Settings(data_dir=tmp_path_factory.mktemp("filters") / "data")
    opened = open_index(settings, embedder=FakeEmbedder())
    report = opened.add_articles(
        [
            Article(
                id=url,
                title=f"Harbour bridge repairs {what}",
                text=BODY.format(what=what, rest=rest),
                source=source,
                published=published,
                url=url,
            )
            for (url, source, published, what), rest in zip(ARTICLES, REST, strict=True)
        ]
    )
    assert report.ok and report.added == len(ARTICLES)
    return opened


@pytest.fixture(params=["table", "store"])
def retriever(request, index, monkeypatch):
    if request.param == "store":
        # Too big to hold in memory: search through Chroma and the BM25 index.
        monkeypatch.setattr(index, "settings", replace(index.settings, memory_table_chunks=0))
    return Retriever(index)


def _articles(result) -> set[str]:
    return {p.article_id for p in result.passages}


def test_without_filters_every_article_can_be_found(retriever):
    result = retriever.retrieve(QUESTION, k=10)
    assert _articles(result) == {url for url, *_ in ARTICLES}
    assert not result.filters.active


def test_since_and_until_keep_only_articles_of_the_range(retriever):
    result = retriever.retrieve(QUESTION, k=10, since=date(2023, 10, 15), until=date(2023, 11, 10))
    assert _articles(result) == {"https://gazette.example/c", "https://gazette.example/d"}
    assert all(date(2023, 10, 15) <= p.published <= date(2023, 11, 10) for p in result.passages)
    assert result.filters.since == date(2023, 10, 15) and result.filters.until == date(2023, 11, 10)
    assert not result.filters.from_question


def test_an_open_range_excludes_undated_articles(retriever):
    since = retriever.retrieve(QUESTION, k=10, since=date(2023, 11, 1))
    assert _articles(since) == {
        "https://planet.example/b",
        "https://gazette.example/d",
        "https://wire.example/e",
    }
    until = retriever.retrieve(QUESTION, k=10, until=date(2023, 10, 31))
    assert _articles(until) == {"https://planet.example/a", "https://gazette.example/c"}


def test_sources_keep_only_those_outlets(retriever):
    result = retriever.retrieve(QUESTION, k=10, sources=["Metro Wire"])
    assert _articles(result) == {"https://wire.example/e", "https://wire.example/f"}
    assert result.filters.sources == ("Metro Wire",)
    both = retriever.retrieve(
        QUESTION, k=10, sources=["Daily Planet", "Metro Wire"], since=date(2023, 11, 1)
    )
    assert _articles(both) == {"https://planet.example/b", "https://wire.example/e"}


def test_a_period_stated_in_the_question_is_applied_and_reported(retriever):
    result = retriever.retrieve(
        "What did articles published in November 2023 say about the harbour bridge repairs?"
    )
    assert result.filters.from_question
    assert (result.filters.since, result.filters.until) == (date(2023, 11, 1), date(2023, 11, 30))
    assert _articles(result) == {
        "https://planet.example/b",
        "https://gazette.example/d",
        "https://wire.example/e",
    }
    assert "Nov 2023" in result.filters.describe()


def test_auto_filters_can_be_turned_off_and_explicit_dates_win(retriever):
    question = "What did articles published in November 2023 say about the harbour bridge repairs?"
    off = retriever.retrieve(question, k=10, auto_filters=False)
    assert not off.filters.active and len(_articles(off)) == len(ARTICLES)
    explicit = retriever.retrieve(question, k=10, since=date(2023, 10, 1), until=date(2023, 10, 31))
    assert not explicit.filters.from_question
    assert _articles(explicit) == {"https://planet.example/a", "https://gazette.example/c"}


def test_an_event_date_in_the_question_does_not_filter(retriever):
    result = retriever.retrieve(
        "Why were the harbour bridge repairs paused by rain on November 5?", k=10
    )
    assert not result.filters.active
    assert len(_articles(result)) == len(ARTICLES)


def test_a_filter_that_matches_nothing_gives_no_passages(retriever):
    result = retriever.retrieve(QUESTION, since=date(2024, 1, 1))
    assert result.passages == []
    assert retriever.retrieve(QUESTION, sources=["No Such Outlet"]).passages == []


def test_the_answer_reports_the_filters_it_ran_under(index):
    answerer = Answerer(index)
    answer = answerer.ask(QUESTION, sources=["Gotham Gazette"], since=date(2023, 10, 1))
    assert answer.filters.sources == ("Gotham Gazette",)
    assert answer.filters.since == date(2023, 10, 1)
    assert all(c.passage.source == "Gotham Gazette" for c in answer.citations)
    auto = answerer.ask(
        "What did articles published in October 2023 say about the harbour bridge repairs?"
    )
    assert auto.filters.from_question
    assert all(c.passage.published.month == 10 for c in auto.citations)
    assert [p.article_id for p in answerer.retrieve(QUESTION, sources=["Metro Wire"])]


FILTERS = [
    Filters(),
    Filters(since=date(2023, 11, 1)),
    Filters(until=date(2023, 10, 31)),
    Filters(since=date(2023, 10, 20), until=date(2023, 11, 14)),
    Filters(since=date(2023, 10, 2), until=date(2023, 10, 2)),
    Filters(sources=("Metro Wire",)),
    Filters(since=date(2023, 11, 1), sources=("Daily Planet", "Metro Wire")),
    Filters(until=date(2023, 12, 31), sources=("Metro Wire",)),
    Filters(sources=("No Such Outlet",)),
    Filters(since=date(2024, 1, 1), from_question=True),
]


def _expected(filters: Filters) -> set[str]:
    """The articles a filter keeps, by its definition (an undated one is in no date range)."""
    kept = set()
    for url, source, published, _ in ARTICLES:
        if (filters.since or filters.until) and published is None:
            continue
        if filters.since and published < filters.since:
            continue
        if filters.until and published > filters.until:
            continue
        if filters.sources and source not in filters.sources:
            continue
        kept.add(url)
    return kept


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_every_backend_keeps_the_same_chunks(index, filters):
    # Chroma's where clause (dense search through the store), the per-chunk check (the store path
    # filters a shared nearest-neighbour list itself), and the numpy mask over the BM25 rows and
    # over the in-memory chunk table: one definition, four uses, and the searches built on them.
    chroma = index.store.chroma.chunks
    every = chroma.get(include=[])["ids"]
    by_where = set(chroma.get(where=filters.where(), include=[])["ids"])
    chunks = index.store.get_chunks(every)
    by_allows = {c.id for c in chunks if filters.allows(c.published, c.source)}

    bm25 = index.lexical.ensure_current()
    rows = np.flatnonzero(filters.mask(bm25.published, bm25.outlets))
    by_bm25_mask = {bm25.chunk_ids[i] for i in rows}
    by_bm25_search = {h.chunk_id for h in bm25.search(QUESTION, 100, filters)}

    table = load_table(index.store)
    allowed = table.mask(filters)
    by_table_mask = {c.id for row, c in enumerate(table.chunks) if allowed is None or allowed[row]}
    vector = index.embedder.embed([QUESTION])[0]
    by_table_dense = {chunk_id for chunk_id, _ in table.dense(vector, 100, filters)}
    by_store_dense = {h.chunk.id for h in index.store.dense_query(vector, 100, filters)}

    assert by_where == by_allows == by_bm25_mask == by_bm25_search == by_table_mask
    assert by_table_dense == by_store_dense == by_where
    article_of = {c.id: c.article_id for c in chunks}
    assert {article_of[c] for c in by_where} == _expected(filters)
