"""The BM25 side is kept by the writer (a manifest per generation over shared segments) and loaded
by readers."""

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


def _manifests(settings) -> list[str]:
    folder = Path(settings.data_dir) / "bm25" / settings.collection
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".json")


def test_a_new_reader_loads_the_saved_index_instead_of_building(settings, monkeypatch):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(n) for n in range(3)])
    assert writer.lexical.origin == "built"  # nothing saved before: built from the store
    writer.add_articles([_article(3)])
    assert writer.lexical.origin == "updated"  # then only the change
    assert writer.lexical.last_update.articles == 1
    assert _manifests(settings)[-1] == f"m{writer.store.generation()}.json"

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
    assert _manifests(settings) == sorted(f"m{g}.json" for g in generations[-2:])


def test_a_damaged_saved_index_is_rebuilt_not_fatal(settings, caplog):
    writer = open_index(settings, embedder=FakeEmbedder())
    writer.add_articles([_article(1)])
    folder = Path(settings.data_dir) / "bm25" / settings.collection
    (folder / f"m{writer.store.generation()}.json").write_text('{"generation": ')
    reader = open_index(settings, embedder=FakeEmbedder())
    with caplog.at_level("WARNING", logger="index.lexical"):
        assert reader.lexical.search("route to Cork", 1)
    assert reader.lexical.origin == "built"
    assert "rebuilding the lexical index: the saved index is damaged" in caplog.text


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
