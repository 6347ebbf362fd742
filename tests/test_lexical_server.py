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


def test_a_machine_behind_the_trimmed_log_or_damaged_rebuilds(
    tmp_path, chroma_url, real_embedder, caplog, monkeypatch
):
    monkeypatch.setattr(ChangeLog, "keep", 2)
    articles = _articles(news_records()[12:20])
    first = _machine(tmp_path, "first", chroma_url, "behind", real_embedder)
    first.add_articles(articles[:3])
    behind = _machine(tmp_path, "behind", chroma_url, "behind", real_embedder)
    behind.lexical.ensure_current()
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
