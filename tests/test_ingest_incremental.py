"""Incremental ingestion: unchanged articles cost nothing, changed ones re-embed only
what changed."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import Article, open_index
from index.chunking import chunk_article
from index.embedding import passage_text, vector_key
from tests.fakes import FakeEmbedder

PARAGRAPH = (
    "The regional transport board met on Thursday to review the timetable for the northern "
    "line extension. Engineers presented three options for the tunnel under the river, each "
    "with a different cost and schedule. Board members asked for more detail on the risks of "
    "the cheapest option before any vote. "
)


def _article(n: int, paragraphs: int = 8, title: str | None = None) -> Article:
    text = "\n\n".join(f"Part {k} of story {n}. " + PARAGRAPH * 2 for k in range(paragraphs))
    return Article(
        id=f"https://news.example/{n}",
        title=title or f"Story {n}",
        text=text,
        source="Example News",
        url=f"https://news.example/{n}",
    )


def _vectors(index) -> dict[str, np.ndarray]:
    out = {}
    for chunks, vectors in index.store.committed_chunks(vectors=True):
        for chunk, vec in zip(chunks, vectors):
            out[chunk.id] = vec
    return out


def test_unchanged_articles_are_not_chunked_or_embedded_again(settings):
    embedder = FakeEmbedder()
    index = open_index(settings, embedder=embedder)
    first = index.add_articles([_article(n) for n in range(3)])
    assert first.added == 3 and first.chunks_embedded > 0
    calls = list(embedder.calls)
    generation = index.store.generation()

    again = index.add_articles([_article(n) for n in range(3)])

    assert (again.added, again.updated, again.unchanged, again.chunks_embedded) == (0, 0, 3, 0)
    assert embedder.calls == calls
    assert index.store.generation() == generation  # nothing changed: readers keep their caches


def test_changed_article_re_embeds_only_its_changed_chunks(settings):
    embedder = FakeEmbedder()
    index = open_index(settings, embedder=embedder)
    old = _article(1, paragraphs=10)
    index.add_articles([old, _article(2)])
    before = _vectors(index)
    old_keys = {vector_key(passage_text(old.title, c.text)) for c in chunk_article(old)}

    # Rewrite the last paragraph only.
    new = replace(
        old,
        text=old.text.rsplit("\n\n", 1)[0]
        + "\n\nA late correction changed the final paragraph entirely.",
    )
    new_chunks = chunk_article(new)
    changed = [c for c in new_chunks if vector_key(passage_text(new.title, c.text)) not in old_keys]
    assert 0 < len(changed) < len(new_chunks)
    embedded_before = sum(embedder.calls)

    report = index.add_articles([new, _article(2)])

    assert (report.updated, report.unchanged) == (1, 1)
    assert report.chunks_embedded == len(changed)
    assert report.chunks_reused == len(new_chunks) - len(changed)
    assert sum(embedder.calls) - embedded_before == len(changed)
    after = _vectors(index)
    unchanged_ids = {c.id for c in new_chunks} - {c.id for c in changed}
    for chunk_id in unchanged_ids:
        assert np.array_equal(after[chunk_id], before[chunk_id])
    stored = index.store.get_chunks([c.id for c in new_chunks])
    assert [c.text for c in stored] == [c.text for c in new_chunks]
    assert index.store.count_chunks() == len(new_chunks) + len(chunk_article(_article(2)))


def test_new_headline_re_embeds_every_chunk(settings):
    # Each chunk is embedded with its headline, so a new headline makes every stored vector stale.
    embedder = FakeEmbedder()
    index = open_index(settings, embedder=embedder)
    old = _article(1)
    index.add_articles([old])
    report = index.add_articles([replace(old, title="Tunnel plan delayed")])
    assert report.updated == 1
    assert report.chunks_reused == 0
    assert report.chunks_embedded == len(chunk_article(old))


def test_shrunk_article_leaves_no_stale_chunks(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    long = _article(1, paragraphs=12)
    index.add_articles([long])
    short = replace(long, text=long.text[:600])
    index.add_articles([short])
    ids = {c.id for c in chunk_article(short)}
    assert set(index.store.chunk_ids_by_article()[long.id]) == ids
    assert index.store.count_chunks() == len(ids)
    assert index.stats().chunks == len(ids)


def test_prune_removes_articles_whose_files_are_gone(settings, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(3):
        (folder / f"s{n}.txt").write_text(f"title: Story {n}\n\n{PARAGRAPH}")
    index = open_index(settings, embedder=FakeEmbedder())
    assert index.add([folder]).added == 3
    (folder / "s1.txt").unlink()

    without = index.add([folder])  # no --prune: nothing removed
    assert without.removed == 0 and index.store.count_articles() == 3

    pruned = index.add([folder], prune=True)
    assert pruned.removed == 1
    assert sorted(a.title for a in index.articles()) == ["Story 0", "Story 2"]
    assert index.store.count_chunks() == sum(a.chunks for a in index.articles())


def test_many_articles_are_removed_in_one_write_with_their_chunks(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([_article(n, paragraphs=2) for n in range(6)])
    commits: list[int] = []
    index.store.add_commit_hook(commits.append)
    gone = [f"https://news.example/{n}" for n in (1, 3, 4)]
    assert index.store.remove_articles([*gone, gone[0], "https://news.example/missing"]) == 3
    assert len(commits) == 1  # one write session, one generation
    assert index.store.generation() == commits[0]
    assert sorted(a.title for a in index.articles()) == ["Story 0", "Story 2", "Story 5"]
    left = {c.article_id for chunks, _ in index.store.committed_chunks() for c in chunks}
    assert left == {f"https://news.example/{n}" for n in (0, 2, 5)}
    assert index.store.remove_articles(gone) == 0
    assert len(commits) == 1  # nothing removed: nothing published


def test_article_hashes_of_given_ids_only(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    articles = [_article(n, paragraphs=1) for n in range(4)]
    index.add_articles(articles)
    every = index.store.article_hashes()
    assert set(every) == {a.id for a in articles}
    asked = [articles[2].id, "https://news.example/never", articles[0].id, articles[2].id]
    assert index.store.article_hashes(asked) == {
        articles[0].id: every[articles[0].id],
        articles[2].id: every[articles[2].id],
    }
    assert index.store.article_hashes([]) == {}


def test_prune_removes_records_dropped_from_a_multi_article_file(settings, tmp_path):
    feed = tmp_path / "feed.json"
    records = [
        {"title": f"Item {n}", "body": PARAGRAPH, "url": f"https://feed.example/{n}"}
        for n in range(4)
    ]
    feed.write_text(json.dumps(records))
    index = open_index(settings, embedder=FakeEmbedder())
    index.add([feed])
    feed.write_text(json.dumps(records[:2]))
    report = index.add([feed], prune=True)
    assert report.removed == 2
    assert {a.id for a in index.articles()} == {"https://feed.example/0", "https://feed.example/1"}


def test_prune_leaves_files_outside_the_given_folders_alone(settings, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "x.txt").write_text(f"title: In {folder.name}\n\n{PARAGRAPH}")
    index = open_index(settings, embedder=FakeEmbedder())
    index.add([a, b])
    (b / "x.txt").unlink()
    assert index.add([a], prune=True).removed == 0
    assert index.prune([b]) == 1


def test_odd_file_names_survive_prune(settings, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "line\nbreak.txt").write_text(PARAGRAPH)
    Path(os.fsdecode(bytes(folder) + b"/latin-\xe9.txt")).write_text(
        PARAGRAPH.replace("Thursday", "Friday")
    )
    index = open_index(settings, embedder=FakeEmbedder())
    assert index.add([folder]).added == 2
    assert index.prune([folder]) == 0
    assert index.store.count_articles() == 2


class _FailingEmbedder(FakeEmbedder):
    """Fails on its ``fail_on``-th call, after answering the ones before."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on

    def embed(self, texts):
        if len(self.calls) + 1 == self.fail_on:
            self.calls.append(len(texts))
            raise RuntimeError("embedder lost")
        return super().embed(texts)


def test_groups_embedded_ahead_commit_in_order_and_stop_at_an_embedder_error(settings):
    # Groups of one article each: the next group is embedded while one is written.
    grouped = settings.with_(ingest_group=1)
    articles = [_article(n, paragraphs=1) for n in range(5)]
    index = open_index(grouped, embedder=FakeEmbedder())
    report = index.add_articles(articles)
    assert report.added == 5
    assert _vectors(index).keys() == {c.id for a in articles for c in chunk_article(a)}

    failing = open_index(
        grouped.with_(data_dir=settings.data_dir.parent / "failing"), embedder=_FailingEmbedder(3)
    )
    try:
        failing.add_articles(articles)
    except RuntimeError as exc:
        assert "embedder lost" in str(exc)
    else:
        raise AssertionError("the embedder's error was swallowed")
    # The two groups embedded before the failure are committed, in order; nothing after.
    kept = {a.id for a in failing.articles()}
    assert kept == {articles[0].id, articles[1].id}
