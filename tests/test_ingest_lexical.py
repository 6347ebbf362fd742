"""The BM25 side is built once by the writer, saved per generation, and loaded by readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Article, open_index
from index.lexical import LexicalIndex
from tests.fakes import FakeEmbedder

TEXT = "The ferry company added a night crossing to Santander after record summer demand. "


PORTS = ["Bilbao", "Cork", "Roscoff", "Plymouth", "Gijon"]


def _article(n: int) -> Article:
    return Article(
        id=f"https://ferry.example/{n}",
        title=f"Ferry news {n}",
        text=TEXT * 4 + f"The route to {PORTS[n]} opens.",
    )


def _folders(settings) -> list[str]:
    return sorted(
        p.name for p in (Path(settings.data_dir) / "bm25" / settings.collection).iterdir()
    )


def test_a_new_reader_loads_the_saved_index_instead_of_building(settings, monkeypatch):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(n) for n in range(3)])
    assert writer.lexical.origin == "built"
    assert _folders(settings) == [f"g{writer.store.generation()}"]

    def no_building(*args, **kwargs):
        raise AssertionError("a reader rebuilt the BM25 index")

    # Every BM25 build goes through LexicalIndex._build (bm25s's own BM25.index is never used).
    monkeypatch.setattr(LexicalIndex, "_build", no_building)
    reader = open_index(settings, embedder=FakeEmbedder())
    hits = reader.lexical.search("route to Roscoff", 3)
    assert reader.lexical.origin == "loaded"
    assert (
        hits
        and reader.store.get_chunks([hits[0].chunk_id])[0].article_id == "https://ferry.example/2"
    )


def test_old_generations_are_removed_and_the_last_two_kept(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    generations = []
    for n in range(4):
        index.add_articles([_article(n)])
        generations.append(index.store.generation())
    assert _folders(settings) == sorted(f"g{g}" for g in generations[-2:])


def test_a_damaged_saved_index_is_rebuilt_not_fatal(settings):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(1)])
    folder = (
        Path(settings.data_dir) / "bm25" / settings.collection / f"g{writer.store.generation()}"
    )
    (folder / "rows.json").write_text('{"generation": ')
    reader = open_index(settings, embedder=FakeEmbedder())
    assert reader.lexical.search("route to Cork", 1)
    assert reader.lexical.origin == "built"


def test_an_index_with_no_change_keeps_its_generation(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([_article(1)])
    before = index.store.generation()
    assert not index.remove("https://ferry.example/never-added")
    index.add_articles([_article(1)])
    assert index.store.generation() == before
    assert index.remove("https://ferry.example/1")
    assert index.store.generation() != before
    assert index.lexical.search("route to Cork", 1) == []


@pytest.mark.parametrize("count", [0, 1])
def test_empty_and_tiny_indexes_search_without_error(settings, count):
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([_article(n) for n in range(count)])
    assert len(index.lexical.search("ferry crossing", 5)) == count


def test_paged_build_scores_equal_bm25s_own_build():
    import json

    import bm25s
    import numpy as np

    from index.bm25build import PagedBM25Builder
    from index.lexical import tokenize
    from tests.conftest import NEWS_CORPUS

    records = [json.loads(line) for line in NEWS_CORPUS.read_text().splitlines() if line.strip()]
    texts = [
        f"{r['title']}\n{r['body'][k * 700 : (k + 1) * 1400]}" for r in records for k in range(3)
    ]
    assert len(texts) > 64  # several pages of 64
    tokens = tokenize(texts)
    reference = bm25s.BM25()
    reference.index(tokens, show_progress=False)
    builder = PagedBM25Builder()
    for start in range(0, len(tokens), 64):
        builder.add_page(tokens[start : start + 64])
    paged = builder.finish()
    assert paged.scores["num_docs"] == reference.scores["num_docs"] == len(texts)
    assert set(paged.vocab_dict) == set(reference.vocab_dict)
    for query in (
        "Sam Altman OpenAI board",
        "Cyber Monday deals on Amazon",
        "trial jury verdict",
        "football",
    ):
        q = tokenize([query])[0]
        assert np.allclose(paged.get_scores(q), reference.get_scores(q), atol=1e-5), query


def test_a_reader_lists_articles_from_the_saved_catalogue_not_the_store(settings, monkeypatch):
    from datetime import date

    from index.store import Store

    writer = open_index(settings, embedder=FakeEmbedder())
    dated = [
        Article(
            id=f"https://ferry.example/d{n}",
            title=f"Timetable {n}",
            text=TEXT * 3,
            source=outlet,
            published=date(2023, 10, 1 + n),
        )
        for n, outlet in enumerate(["Harbour Post", "Quay Daily", "Harbour Post"])
    ]
    writer.add_articles([*dated, _article(0)])
    expected = writer.store.list_articles()

    def no_listing(self):
        raise AssertionError("a reader paged through the store's article records")

    monkeypatch.setattr(Store, "list_articles", no_listing)
    reader = open_index(settings, embedder=FakeEmbedder())
    assert reader.articles() == expected
    assert reader.sources() == ["Harbour Post", "Quay Daily"]
    assert reader.newest_date() == date(2023, 10, 3)
    assert reader.stats().articles == 4


def test_the_catalogue_follows_a_removal_in_another_process(settings):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(n) for n in range(3)])
    reader = open_index(settings, embedder=FakeEmbedder())
    assert len(reader.articles()) == 3
    writer.remove("https://ferry.example/1")
    assert {a.id for a in reader.articles()} == {
        "https://ferry.example/0",
        "https://ferry.example/2",
    }


def test_listing_articles_without_a_saved_folder_reads_the_store_and_builds_nothing(
    settings, monkeypatch
):
    import shutil

    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(n) for n in range(3)])
    shutil.rmtree(Path(settings.data_dir) / "bm25")

    def no_building(*args, **kwargs):
        raise AssertionError("listing articles built the BM25 index")

    # Every BM25 build goes through LexicalIndex._build (bm25s's own BM25.index is never used).
    monkeypatch.setattr(LexicalIndex, "_build", no_building)
    reader = open_index(settings, embedder=FakeEmbedder())
    assert {a.id for a in reader.articles()} == {f"https://ferry.example/{n}" for n in range(3)}
