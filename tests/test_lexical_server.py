"""Server mode (a real ``chroma run``): a second machine (its own data folder) catches up with a
write by fetching only the articles the change log names; one too far behind, or with a
damaged index, rebuilds and says so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index import Settings, open_index
from index.store.changelog import ChangeLog
from tests.fixtures.chroma_server import running_chroma
from tests.fixtures.news import news_records
from tests.test_lexical_incremental import (
    _articles,
    assert_same_bm25,
    clean_build,
)


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with running_chroma(tmp_path_factory.mktemp("chroma-lexical") / "db") as url:
        yield url


def _machine(tmp_path: Path, name: str, url: str, collection: str, embedder):
    settings = Settings(data_dir=tmp_path / name, chroma_url=url, collection=collection)
    return open_index(settings, embedder=embedder)


def _two_machines(tmp_path: Path, url: str, collection: str, embedder, articles, name="second"):
    """A writer that indexed ``articles``, and a second machine (data folder ``name``) holding
    that generation's BM25."""
    first = _machine(tmp_path, "first", url, collection, embedder)
    first.add_articles(articles)
    second = _machine(tmp_path, name, url, collection, embedder)
    second.lexical.ensure_current()
    return first, second


def test_a_second_machine_fetches_only_the_change(tmp_path, chroma_url, real_embedder, caplog):
    articles = _articles(news_records()[:12])
    first = _machine(tmp_path, "first", chroma_url, "catchup", real_embedder)
    first.add_articles(articles[:10])
    second = _machine(tmp_path, "second", chroma_url, "catchup", real_embedder)
    assert second.lexical.search("harbour", 1)
    assert second.lexical.origin == "built"  # nothing saved on this machine yet

    first.add_articles([articles[10]])
    assert first.remove(articles[4].id)

    def no_full_read(*args, **kwargs):
        raise AssertionError("the second machine read the whole store")

    second.store.committed_chunks = no_full_read  # type: ignore[method-assign]
    second.store.list_articles = no_full_read  # type: ignore[method-assign]
    started = time.perf_counter()
    got = second.lexical.ensure_current()
    seconds = time.perf_counter() - started
    update = second.lexical.last_update
    assert (update.origin, update.articles) == ("updated", 2), update
    assert update.rows == len(first.store.chunks_of([articles[10].id]))
    assert seconds < 5, f"catching up took {seconds:.1f} s"
    assert_same_bm25(got, first.lexical.ensure_current(), [None])
    assert {a.id for a in got.catalogue.articles} == {
        a.id for a in articles[:11] if a.id != articles[4].id
    }
    assert "rebuilding" not in caplog.text


def test_a_question_s_first_read_after_a_write_catches_up_instead_of_listing(
    tmp_path, chroma_url, real_embedder, monkeypatch
):
    """A question reads the outlets (the catalogue) before it searches: on a second machine
    that read must catch up from the change log too, not list every article (10 s at 100,000
    articles on a cold disk); a machine too far behind lists them rather than wait for a
    rebuild."""
    monkeypatch.setattr(ChangeLog, "keep", 2)
    articles = _articles(news_records()[20:32])
    first, second = _two_machines(tmp_path, chroma_url, "outlets", real_embedder, articles[:6])
    first.add_articles([articles[6]])

    listed = []
    real_list = second.store.list_articles
    second.store.list_articles = lambda: listed.append(1) or real_list()  # type: ignore[method-assign]
    catalogue = second.lexical.catalogue()
    assert not listed
    assert second.lexical.last_update.origin == "updated"
    assert second.lexical.generation == first.store.generation()
    assert articles[6].id in {a.id for a in catalogue.articles}

    for article in articles[7:12]:  # past what the trimmed log keeps
        first.add_articles([article])
    catalogue = second.lexical.catalogue()
    assert listed  # listed, not rebuilt, for the outlets
    assert second.lexical.last_update.origin == "updated"
    assert {a.id for a in catalogue.articles} == {a.id for a in articles}


def test_a_machine_behind_the_trimmed_log_or_damaged_rebuilds(
    tmp_path, chroma_url, real_embedder, caplog, monkeypatch
):
    monkeypatch.setattr(ChangeLog, "keep", 2)
    articles = _articles(news_records()[12:20])
    first, behind = _two_machines(
        tmp_path, chroma_url, "behind", real_embedder, articles[:3], name="behind"
    )
    for article in articles[3:8]:
        first.add_articles([article])
    assert first.store.chroma.changes.count() <= 3  # trimmed

    with caplog.at_level("INFO", logger="index.lexical"):
        got = behind.lexical.ensure_current()
    assert behind.lexical.origin == "built"
    assert "rebuilding the lexical index: the store's change log does not reach back" in (
        caplog.text
    )
    assert_same_bm25(got, clean_build(first).ensure_current(), [None])

    # A damaged segment on this machine: rebuilt, said, not fatal.
    folder = Path(behind.settings.data_dir) / "bm25" / "behind"
    for segment in folder.glob("*.seg"):
        segment.write_bytes(b"damaged")
    caplog.clear()
    fresh = _machine(tmp_path, "behind", chroma_url, "behind", real_embedder)
    with caplog.at_level("INFO", logger="index.lexical"):
        assert fresh.lexical.search("harbour", 1) is not None
    assert fresh.lexical.origin == "built"
    assert "rebuilding the lexical index: the saved index is damaged" in caplog.text
