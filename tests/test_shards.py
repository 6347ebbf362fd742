"""Vector shards (index.store.shards): new chunks go to the newest shard, search spans them all,
and a reader reloads only the shards a write changed."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from index import Article, open_index
from index.dates import UNKNOWN_ORDINAL, to_ordinal
from index.store.shards import ShardMap, ShardState
from tests.fakes import FakeEmbedder

WORDS = (
    "harbour ferry strike tunnel budget election river bridge vaccine drought wildfire "
    "orchestra museum airport refinery stadium railway glacier satellite festival"
).split()


def _article(n: int, day: date | None = date(2024, 3, 1)) -> Article:
    topic = f"{WORDS[n % len(WORDS)]} {WORDS[(n * 7 + 3) % len(WORDS)]}"
    text = (
        f"The {topic} story number {n} began on a quiet morning. "
        f"Officials said the {topic} matter would be reviewed within weeks. "
    ) * 3
    return Article(
        id=f"https://shards.example/{n}",
        title=f"Report {n} on the {topic}",
        text=text,
        source="Shard Times",
        url=f"https://shards.example/{n}",
        published=day,
    )


@pytest.fixture
def small_shards(settings):
    """Settings whose shards hold 2 chunks: each one-chunk article pair fills one."""
    return settings.with_(shard_chunks=2)


def test_map_round_trip_and_the_map_of_an_index_from_before_shards():
    shard_map = ShardMap((ShardState(0, 5, 738000, 738100, 3), ShardState(1, 2, 738200, 738201)))
    assert ShardMap.decode(shard_map.encode()) == shard_map
    legacy = ShardMap.decode(None)
    assert not legacy.known and legacy.numbers() == [0]
    assert not ShardMap.decode("[[1, 0, 0, 0, 0]]").known  # numbers must run 0, 1, ...


def test_a_full_newest_shard_gives_way_to_a_new_one():
    shard_map = ShardMap((ShardState(0, 9),))
    assert shard_map.for_writing(10) is shard_map
    grown = ShardMap((ShardState(0, 10),)).for_writing(10)
    assert grown.numbers() == [0, 1] and grown.newest.chunks == 0


def test_written_widens_the_days_and_moves_the_version_on():
    state = ShardState(0).written(3, 0, [UNKNOWN_ORDINAL, 738010, 738001])
    assert (state.chunks, state.first_day, state.last_day, state.version) == (3, 738001, 738010, 1)
    state = state.written(0, 2, [738020])
    assert (state.chunks, state.last_day, state.version) == (1, 738020, 2)


def test_only_shards_of_nearby_days_are_near():
    old = ShardState(0, 5, to_ordinal(date(2023, 1, 1)), to_ordinal(date(2023, 12, 31)))
    new = ShardState(1, 5, to_ordinal(date(2024, 3, 1)), to_ordinal(date(2024, 3, 9)))
    shard_map = ShardMap((old, new))
    day = to_ordinal(date(2024, 3, 10))
    assert shard_map.near(day, day, 1) == [1]
    assert shard_map.near(day - 80, day, 1) == [0, 1]  # reaches back to 2023-12-21
    assert ShardState(2).near(day, day, 1)  # days unknown: always searched


def test_chunks_spread_over_shards_and_search_reaches_them_all(small_shards):
    index = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(6):  # one write session each
        assert index.add_articles([_article(n)]).added == 1
    shard_map = index.store.shard_map()
    assert len(shard_map.shards) >= 3
    assert sum(s.chunks for s in shard_map.shards) == index.store.count_chunks()
    homes = {a.id: a.shard for a in index.store.article_infos([_article(n).id for n in range(6)])}
    assert len(set(homes.values())) >= 3
    embedder = FakeEmbedder()
    for n in range(6):
        article = _article(n)
        hits = index.store.dense_query(embedder.embed([article.title])[0], 3)
        assert article.id in {h.chunk.article_id for h in hits}
        # Each hit names the shard its article's chunks are in.
        assert all(h.shard == homes[h.chunk.article_id] for h in hits)
        chunks = index.store.chunks_of([article.id])
        assert chunks and all(c.article_id == article.id for c in chunks)


def test_bm25_hits_name_their_shard_and_a_read_by_hint_asks_that_shard_alone(small_shards):
    index = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(6):
        index.add_articles([_article(n)])
    homes = {a.id: a.shard for a in index.store.article_infos([_article(n).id for n in range(6)])}
    assert len(set(homes.values())) >= 3
    store = index.store
    asked: list[int] = []
    shard = store.chroma.shard
    store.chroma.shard = lambda number: asked.append(number) or shard(number)
    for n in range(6):
        article = _article(n)
        hit = index.lexical.search(article.title, 1)[0]
        assert hit.shard == homes[article.id]
        (chunk,) = store.get_chunks([hit.chunk_id])
        assert chunk.article_id == article.id
        asked.clear()
        assert store.get_chunks([hit.chunk_id], {hit.chunk_id: hit.shard}) == [chunk]
        assert asked == [hit.shard]
        # A wrong hint, or one naming no shard, costs a read of every shard, not the chunk.
        wrong = next(s for s in store.shard_map().numbers() if s != hit.shard)
        assert store.get_chunks([hit.chunk_id], {hit.chunk_id: wrong}) == [chunk]
        assert store.get_committed_chunks([hit.chunk_id], {hit.chunk_id: 99}) == [chunk]


def test_search_over_shards_ranks_as_one_exact_search_would(small_shards):
    index = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(8):
        index.add_articles([_article(n)])
    assert len(index.store.shard_map().shards) >= 4
    pages = list(index.store.committed_chunks(vectors=True))
    chunks = [c for page, _ in pages for c in page]
    vectors = np.array([v for _, rows in pages for v in rows or []])
    query = FakeEmbedder().embed(["harbour ferry budget story"])[0]
    similarity = dict(zip((c.id for c in chunks), (float(v @ query) for v in vectors)))
    exact = sorted(similarity.values(), reverse=True)[:5]
    text_of = {c.id: c.text for c in chunks}
    # Each hit with its own score and text, and the scores those of the exact top 5 (ties
    # between articles with the same words may come in either order).
    hits = index.store.dense_query(query, 5)
    assert [h.score for h in hits] == pytest.approx(exact, abs=1e-5)
    assert all(h.score == pytest.approx(similarity[h.chunk.id], abs=1e-5) for h in hits)
    assert all(h.chunk.text == text_of[h.chunk.id] != "" for h in hits)
    # Story grouping's search: the same neighbours, without their texts.
    neighbours = index.store.nearest_chunks(query.reshape(1, -1), 5)[0]
    assert [h.score for h in neighbours] == pytest.approx(exact, abs=1e-5)
    assert all(h.chunk.text == "" and h.chunk.article_id for h in neighbours)
    # Their first chunks' vectors, read in the shards the hits name.
    leads = index.store.first_chunk_vectors({h.chunk.article_id: h.shard for h in neighbours})
    first = {c.article_id: v for c, v in zip(chunks, vectors) if c.index == 0}
    assert leads.keys() == {h.chunk.article_id for h in neighbours}
    assert all(np.allclose(leads[a], first[a], atol=1e-6) for a in leads)
    # An article asked for in a shard that does not hold it is left out.
    hit = neighbours[0]
    wrong = next(n for n in index.store.shard_map().numbers() if n != hit.shard)
    assert index.store.first_chunk_vectors({hit.chunk.article_id: wrong}) == {}


def test_updates_move_an_article_to_the_newest_shard_and_removals_leave_nothing(small_shards):
    index = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(5):
        index.add_articles([_article(n)])
    first = _article(0)
    assert index.store.article_infos([first.id])[0].shard == 0
    changed = Article(**{**first.__dict__, "text": first.text + " A late correction was added."})
    assert index.add_articles([changed]).updated == 1
    info = index.store.article_infos([first.id])[0]
    assert info.shard == index.store.shard_map().newest.number != 0
    ids_by_article = index.store.chunk_ids_by_article()
    assert len(ids_by_article[first.id]) == info.chunks  # none left behind in shard 0

    assert index.store.remove_articles([first.id, _article(3).id]) == 2
    left = index.store.chunk_ids_by_article()
    assert first.id not in left and _article(3).id not in left
    assert sum(s.chunks for s in index.store.shard_map().shards) == index.store.count_chunks()
    report = index.store.check_reach()
    assert report.checked == index.store.count_chunks() and report.ok


def test_a_reader_reloads_only_the_shards_a_write_changed(small_shards):
    writer = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(3):  # shard 0 full, shard 1 half
        writer.add_articles([_article(n)])
    reader = open_index(small_shards, embedder=FakeEmbedder())
    embedder = FakeEmbedder()
    for n in range(3):  # the reader loads every shard
        assert reader.store.dense_query(embedder.embed([_article(n).title])[0], 2)
    loaded = dict(reader.store.chroma._shards)

    new = _article(9)
    writer.add_articles([new])
    newest = writer.store.shard_map().newest.number
    assert newest == 1 and set(loaded) == {0, 1}
    reader.store.generation()

    kept = {n for n in loaded if reader.store.chroma._shards[n] is loaded[n]}
    assert kept == set(loaded) - {newest}
    hits = reader.store.dense_query(embedder.embed([new.title])[0], 2)
    assert new.id in {h.chunk.article_id for h in hits}


def test_story_grouping_searches_only_shards_of_nearby_days(small_shards, monkeypatch):
    index = open_index(small_shards, embedder=FakeEmbedder())
    for n in range(4):
        index.add_articles([_article(n, date(2023, 5, 1 + n))])
    old_shards = set(index.store.shard_map().numbers())
    asked: list[int] = []
    real = index.store.chroma.shard

    def shard(number):
        asked.append(number)
        return real(number)

    monkeypatch.setattr(index.store.chroma, "shard", shard)
    index.add_articles([_article(7, date(2024, 3, 1))])
    assert not asked or not set(asked) & (old_shards - {index.store.shard_map().newest.number})


def test_an_index_from_before_shards_is_read_and_its_map_filled_in_by_the_next_write(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([_article(n) for n in range(3)])
    # As an index written before shards: no map in the store's metadata.
    meta = index.store.chroma.metadata()
    meta.pop("shards")
    index.store.chroma.set_metadata(meta)
    old = open_index(settings, embedder=FakeEmbedder())
    assert not old.store.shard_map().known
    hits = old.store.dense_query(FakeEmbedder().embed([_article(1).title])[0], 2)
    assert _article(1).id in {h.chunk.article_id for h in hits}

    old.add_articles([_article(5)])
    shard_map = old.store.shard_map()
    assert shard_map.known and shard_map.numbers() == [0]
    assert shard_map.newest.chunks == old.store.count_chunks()
    assert shard_map.newest.first_day == to_ordinal(date(2024, 3, 1))
    assert np.all([i.shard == 0 for i in old.store.list_articles()])
