"""Chunking: sentence-aligned, within the token budget, verbatim offsets, overlap."""

from __future__ import annotations

import itertools

from index import Article, chunk_article
from index.loaders import load_file
from index.text import count_tokens, sentence_spans
from tests.conftest import NEWS_CORPUS, SAMPLE_CORPUS


def _article(text: str) -> Article:
    return Article(id="a", title="T", text=text)


def test_chunks_are_verbatim_slices_within_budget():
    articles = load_file(NEWS_CORPUS).articles
    assert len(articles) >= 30  # the file is read: an empty list would check nothing
    for article in articles:
        chunks = chunk_article(article, 256, 32)
        assert chunks, article.id
        for chunk in chunks:
            assert chunk.text == article.text[chunk.start : chunk.end]
            assert count_tokens(chunk.text) <= 256
            assert chunk.tokens == count_tokens(chunk.text)


def test_chunks_cover_every_sentence_in_order():
    (article,) = load_file(SAMPLE_CORPUS / "000_7e68630bb1f8edc4.txt").articles
    chunks = chunk_article(article, 128, 16)
    assert len(chunks) > 3
    assert chunks[0].start == 0
    assert chunks[-1].end == len(article.text.rstrip())
    for prev, nxt in itertools.pairwise(chunks):
        # Overlapping, or adjacent with only whitespace between: nothing skipped.
        assert nxt.start <= prev.end or not article.text[prev.end : nxt.start].strip()
        assert nxt.start > prev.start
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)


def test_overlap_repeats_trailing_sentence():
    text = " ".join(
        f"Sentence number {i} tells a short and simple story about item {i}." for i in range(60)
    )
    no_overlap = chunk_article(_article(text), 64, 0)
    with_overlap = chunk_article(_article(text), 64, 20)
    assert all(b.start >= a.end for a, b in itertools.pairwise(no_overlap))
    assert any(b.start < a.end for a, b in itertools.pairwise(with_overlap))


def test_overlong_sentence_is_cut_at_token_boundaries():
    text = "word " * 2000  # one "sentence" far over budget
    chunks = chunk_article(_article(text.strip()), 256, 0)
    assert len(chunks) >= 7
    assert all(c.tokens <= 256 for c in chunks)
    assert "".join(text.strip()[c.start : c.end] for c in chunks).replace(" ", "") == text.replace(
        " ", ""
    )


def test_chunk_ids_are_stable():
    article = _article("One sentence here. Another sentence there. " * 50)
    assert [c.id for c in chunk_article(article)] == [c.id for c in chunk_article(article)]


def test_chunks_start_and_end_on_the_sentence_splitter_boundaries():
    text = (
        "Sales rose on Nov. 27, said Mr. Smith of Acme Inc. in a note. "
        'He added: "The quarter was strong." Analysts agreed.\n'
        "A new paragraph starts here. It has two sentences."
    )
    starts = {s for s, _ in sentence_spans(text)}
    ends = {e for _, e in sentence_spans(text)}
    for chunk in chunk_article(_article(text), 30, 0):
        assert chunk.start in starts and chunk.end in ends
