"""The lexical index follows writes incrementally (a segment per write, tombstones, merges) and
always equals a clean build of the store: same BM25 scores and ranking, same filters, the same
catalogue; readers only ever see whole generations; the disk stays bounded."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

import index.merging as merging
from index import Article, Filters, open_index
from index.bm25 import LexicalGeneration
from index.lexical import LexicalIndex
from tests.fakes import FakeEmbedder
from tests.fixtures.news import news_records

QUERIES = (
    "Port Ellis dredging contract",
    "harbour authority channel ships",
    "court ruling appeal",
    "election results vote",
    "storm flooding rail",
)


def _articles(records: list[dict]) -> list[Article]:
    return [
        Article(
            id=r["url"],
            title=r["title"],
            text=r["body"],
            source=r["source"],
            published=date.fromisoformat(r["published_at"][:10]),
            url=r["url"],
        )
        for r in records
    ]


def clean_build(index) -> LexicalIndex:
    """A lexical index built from scratch over ``index``'s store, in a folder of its own."""
    root = Path(index.settings.data_dir) / "clean-build"
    clean = LexicalIndex(index.store, root)
    index.store.remove_commit_hook(clean.prepare)
    clean.rebuild(index.store.generation(), "reference for a test")
    return clean


def assert_same_bm25(got, want, filters: list[Filters | None]) -> None:
    """Same scores (1e-5) and the same ranking for every query and filter."""
    assert sorted(got.live_chunk_ids()) == sorted(want.live_chunk_ids())
    for query in QUERIES:
        for f in filters:
            a = got.search(query, got.rows, f)
            b = want.search(query, want.rows, f)
            context = f"{query!r} {f}"
            assert {h.chunk_id: h.score for h in a} == pytest.approx(
                {h.chunk_id: h.score for h in b}, rel=1e-5
            ), context
            # Ranking: the same order, up to ties (equal scores may come in another row order).
            assert [round(h.score, 4) for h in a] == [round(h.score, 4) for h in b], context


def test_adds_removes_re_adds_and_merges_equal_a_clean_build(settings, real_embedder, monkeypatch):
    monkeypatch.setattr(merging, "FACTOR", 3)  # merges after a few writes, not after hundreds
    articles = _articles(news_records()[:24])
    index = open_index(settings, embedder=real_embedder)
    index.add_articles(articles[:10])
    index.add_articles(articles[10:15])
    assert index.lexical.origin == "updated"
    assert index.remove(articles[3].id)
    assert index.remove(articles[7].id)
    changed = Article(**{**vars(articles[2]), "text": articles[2].text + " A ferry strike."})
    changed.extra.clear()
    index.add_articles([articles[15], changed, articles[3]])  # new, updated, re-added
    index.add_articles(articles[16:20])
    assert index.remove(articles[12].id)
    index.add_articles(articles[20:24])
    assert index.remove(articles[20].id)
    index.add_articles([articles[7]])
    merged = index.lexical.last_update.merged
    assert index.lexical.origin == "updated"

    got = index.lexical.ensure_current()
    assert len(got.states) <= 3, "small segments were merged"
    assert merged or len(got.states) < 8
    want = clean_build(index).ensure_current()
    outlet = articles[5].source
    filters = [
        None,
        Filters(sources=(outlet,)),
        Filters(since=date(2023, 11, 1), until=date(2024, 1, 31)),
        Filters(since=date(2023, 10, 1), sources=(outlet, articles[9].source)),
    ]
    assert_same_bm25(got, want, filters)
    assert got.search("ferry strike", 1)[0].chunk_id.startswith(
        index.store.chunks_of([changed.id])[0].id.rsplit("-", 1)[0]
    )
    assert list(got.catalogue.articles) == index.store.list_articles()

    # A fresh reader loads the saved generation and agrees too.
    reader = open_index(settings, embedder=real_embedder)
    assert_same_bm25(reader.lexical.ensure_current(), want, filters[:2])
    assert reader.lexical.origin == "loaded"


def _synthetic(n: int, version: int = 0) -> Article:
    words = ["harbour", "ferry", "council", "budget", "storm", "court", "rail", "school", "vote"]
    body = " ".join(f"{words[(n + k) % len(words)]} story{n} item{k % 7}." for k in range(120))
    return Article(
        id=f"https://bounded.example/{n}",
        title=f"Report {n} version {version}",
        text=body,
        source=["Quay Daily", "Harbour Post"][n % 2],
        published=date(2023, 1 + n % 12, 1 + n % 28),
    )


def test_disk_stays_bounded_over_many_small_sessions(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([_synthetic(n) for n in range(150)])
    one = index.lexical.disk_bytes()
    for session in range(40):
        # One article changed per session: the corpus keeps its size, each write adds a segment
        # and a tombstone.
        index.add_articles([_synthetic(session % 150, version=session + 1)])
    after = index.lexical.disk_bytes()
    generation = index.lexical.ensure_current()
    assert len(generation.states) <= merging.FACTOR + 1
    print(f"lexical index on disk: {one:,} bytes after one write, {after:,} after 40 more")
    assert after <= 1.5 * one, f"{after:,} bytes after 40 writes, {one:,} after one"
    assert_same_bm25(generation, clean_build(index).ensure_current(), [None])


def test_readers_only_ever_see_whole_generations(settings):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_synthetic(n) for n in range(20)])
    expected = {writer.store.generation(): sorted(writer.lexical.ensure_current().live_chunk_ids())}
    reader = open_index(settings, embedder=FakeEmbedder())
    seen: dict[int, list[str]] = {}
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                generation = reader.lexical.at(reader.store.generation())
                seen.setdefault(generation.generation, sorted(generation.live_chunk_ids()))
                stop.wait(0.02)  # two cores: leave the writer room
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for n in range(9):
            if n % 3 == 2:
                writer.remove(_synthetic(n).id)
            else:
                writer.add_articles([_synthetic(20 + n), _synthetic(n, version=1)])
            current = writer.lexical.ensure_current()
            expected[current.generation] = sorted(current.live_chunk_ids())
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert len(seen) >= 2, "the reader saw the index change"
    for generation, chunk_ids in seen.items():
        assert chunk_ids == expected[generation], f"generation {generation} differs"


def test_an_older_versions_saved_index_is_rebuilt_once_in_the_new_format(settings, caplog):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_synthetic(n) for n in range(4)])
    folder = Path(settings.data_dir) / "bm25" / settings.collection
    for entry in folder.iterdir():
        entry.unlink()
    # What an older version saved: one whole bm25s folder per generation.
    old = folder / f"g{writer.store.generation()}"
    (old / "bm25").mkdir(parents=True)
    (old / "rows.json").write_text('{"generation": 1, "ids": [], "sources": []}')
    reader = open_index(settings, embedder=FakeEmbedder())
    with caplog.at_level("INFO", logger="index.lexical"):
        assert reader.lexical.search("story2 harbour", 1)
    assert reader.lexical.origin == "built"
    assert "rebuilding the lexical index: the saved index is in an older version's format" in (
        caplog.text
    )
    assert not old.exists()
    again = open_index(settings, embedder=FakeEmbedder())
    assert again.lexical.search("story2 harbour", 1)
    assert again.lexical.origin == "loaded"


def test_a_catalogue_extended_by_a_write_equals_one_listed_afresh(settings):
    writer = open_index(settings, embedder=FakeEmbedder())
    reader = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_synthetic(n) for n in range(30)])
    held = reader.lexical.catalogue()  # the reader holds this generation's catalogue
    # New articles, with days and titles among the held ones' (ties keep the older first).
    writer.add_articles([_synthetic(n, version=1) for n in range(30, 36)])
    twin = _synthetic(3)
    writer.add_articles([replace(twin, id="https://bounded.example/twin")])
    # The reader skipped a generation: the one it loads still only appends segments.
    assert reader.lexical.ensure_current()._extends is not None
    for index in (writer, reader):
        generation = index.lexical.ensure_current()
        extended = index.lexical.catalogue()
        afresh = LexicalGeneration(generation.generation, generation.states).catalogue
        assert extended.articles == afresh.articles
        assert extended.sources == tuple(sorted({a.source for a in afresh.articles}))
        assert extended.newest == max(a.published for a in afresh.articles)
    assert len(reader.lexical.catalogue().articles) == len(held.articles) + 7
    # An update deletes from a held segment: listed afresh, and still the same.
    writer.add_articles([_synthetic(5, version=2)])
    generation = reader.lexical.ensure_current()
    assert generation._extends is None
    assert reader.lexical.catalogue().articles == (
        LexicalGeneration(generation.generation, generation.states).catalogue.articles
    )
