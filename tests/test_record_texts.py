"""Chunk texts and sketch signatures live in record metadata, not in Chroma documents (Chroma
indexes documents for a full-text search newsqa never uses); records written the old way, with
the text as the document, still read the same."""

from __future__ import annotations

from datetime import date

import pytest

from index import Article, open_index
from index.sketch import sketch_text
from index.store.records import TEXT_FIELD
from tests.fakes import FakeEmbedder


def _articles() -> list[Article]:
    topics = ["harbour ferry strike", "refinery fire inquiry", "glacier retreat survey"]
    return [
        Article(
            id=f"https://texts.example/{n}",
            title=f"The {topic}",
            text=" ".join(
                f"Sentence {k} of the {topic} report says the {topic} went on for {k} days."
                for k in range(40)
            ),
            source="Text Times",
            url=f"https://texts.example/{n}",
            published=date(2024, 5, 1 + n),
        )
        for n, topic in enumerate(topics)
    ]


def _rewrite_as_documents(collection) -> int:
    """Move each record's text from its metadata to its document, as before texts moved."""
    got = collection.get(include=["embeddings", "metadatas"])
    metas = [dict(m) for m in got["metadatas"]]
    documents = [m.pop(TEXT_FIELD) for m in metas]
    collection.delete(ids=got["ids"])
    collection.add(
        ids=got["ids"], embeddings=got["embeddings"], documents=documents, metadatas=metas
    )
    return len(documents)


def _expected(articles: list[Article], chunks) -> dict[str, str]:
    by_id = {a.id: a for a in articles}
    return {c.id: by_id[c.article_id].text[c.start : c.end] for c in chunks}


@pytest.fixture
def index(settings):
    index = open_index(settings, embedder=FakeEmbedder())
    assert index.add_articles(_articles()).added == 3
    return index


def test_new_records_keep_their_texts_in_metadata_and_read_them_back(index):
    articles = _articles()
    store = index.store
    shard = store.chroma.shard(0)
    raw = shard.get(include=["documents", "metadatas"])
    assert len(raw["ids"]) > len(articles)  # several chunks per article
    assert all(doc is None for doc in raw["documents"])
    chunks = store.chunks_of([a.id for a in articles])
    assert len(chunks) == len(raw["ids"])
    expected = _expected(articles, chunks)
    assert {c.id: c.text for c in chunks} == expected
    assert {i: m[TEXT_FIELD] for i, m in zip(raw["ids"], raw["metadatas"])} == expected
    assert {c.id: c.text for c in store.get_chunks(list(expected))} == expected

    sketches = store.chroma.sketches.get(include=["documents", "metadatas"])
    assert sketches["ids"] and all(doc is None for doc in sketches["documents"])
    found = store.sketches_sharing([sketch_text(articles[0].text)])
    assert articles[0].id in {r.article_id for r in found}
    # Article texts stay documents: every listing reads article metadata whole.
    _, text = store.get_article(articles[1].id)
    assert text == articles[1].text
    record = store.chroma.articles.get(ids=[articles[1].id], include=["metadatas"])
    assert TEXT_FIELD not in record["metadatas"][0]


def test_records_written_with_their_text_as_the_document_still_read(index):
    articles = _articles()
    store = index.store
    embedder = FakeEmbedder()
    before = {c.id: c.text for c in store.chunks_of([a.id for a in articles])}
    hits_before = store.dense_query(embedder.embed([articles[2].title])[0], 5)

    assert _rewrite_as_documents(store.chroma.shard(0)) == len(before)
    assert _rewrite_as_documents(store.chroma.sketches) == len(articles)

    assert {c.id: c.text for c in store.chunks_of([a.id for a in articles])} == before
    assert {c.id: c.text for c in store.get_chunks(list(before))} == before
    hits = store.dense_query(embedder.embed([articles[2].title])[0], 5)
    assert [(h.chunk.id, h.chunk.text) for h in hits] == [
        (h.chunk.id, h.chunk.text) for h in hits_before
    ]
    assert all(h.chunk.text for h in hits)
    found = store.sketches_sharing([sketch_text(articles[0].text)])
    assert articles[0].id in {r.article_id for r in found}
    rebuilt = {c.id: c.text for page, _ in store.committed_chunks() for c in page}
    assert rebuilt == before

    # A later write adds new-style records beside them; both kinds are found.
    new = Article(
        id="https://texts.example/new",
        title="The tunnel budget vote",
        text="The tunnel budget vote was held on Friday. " * 20,
        source="Text Times",
        url="https://texts.example/new",
        published=date(2024, 5, 9),
    )
    assert index.add_articles([new]).added == 1
    both = store.chunks_of([articles[0].id, new.id])
    assert {c.article_id for c in both} == {articles[0].id, new.id}
    assert all(c.text for c in both)
