"""The reader's sentence vectors remembered across questions (qa.answer.vector_cache)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.errors import ConfigError
from qa import Answerer, QASettings
from qa.answer.vector_cache import CachedEmbedder, cached
from tests.fakes import FakeEmbedder


class _Recording(FakeEmbedder):
    """A fake embedder that records which texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def embed(self, texts):
        with self._lock:
            self.texts.extend(texts)
        return super().embed(texts)


def test_remembered_vectors_equal_the_models_and_only_new_texts_are_embedded():
    model = _Recording()
    cache = CachedEmbedder(model, capacity=10)
    first = cache.embed(["the port strike began", "talks failed", "the port strike began"])
    assert model.texts == ["the port strike began", "talks failed"]  # each new text once
    second = cache.embed(["talks failed", "the strike ended"])
    assert model.texts[2:] == ["the strike ended"]
    expected = FakeEmbedder().embed(["the port strike began", "talks failed", "the strike ended"])
    np.testing.assert_array_equal(first, expected[[0, 1, 0]])
    np.testing.assert_array_equal(second, expected[[1, 2]])
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (1, 3, 3)  # "talks failed" the 2nd time


def test_the_least_recently_used_vectors_go_first_when_full():
    model = _Recording()
    cache = CachedEmbedder(model, capacity=2)
    cache.embed(["one text", "two text"])
    cache.embed(["one text"])  # used again: "two text" is now the oldest
    cache.embed(["three text"])
    assert cache.stats().size == 2
    model.texts.clear()
    cache.embed(["one text", "two text", "three text"])
    assert model.texts == ["two text"]


def test_concurrent_questions_get_their_own_rows():
    cache = CachedEmbedder(FakeEmbedder(), capacity=50)
    words = [f"word{n} story{n % 7}" for n in range(120)]
    expected = FakeEmbedder().embed(words)

    def ask(offset: int) -> bool:
        picked = [(offset * 7 + i) % len(words) for i in range(40)]
        return np.array_equal(cache.embed([words[i] for i in picked]), expected[picked])

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(ask, range(64)))
    assert cache.stats().size <= 50


def test_a_cache_of_zero_is_the_model_itself_and_a_negative_one_is_refused():
    model = FakeEmbedder()
    assert cached(model, 0) is model
    with pytest.raises(ValueError):
        CachedEmbedder(model, 0)
    with pytest.raises(ConfigError, match="NEWSQA_SENTENCE_CACHE"):
        QASettings.from_env({"NEWSQA_SENTENCE_CACHE": "-1"}).validate()


def test_the_answerer_reads_sentences_through_the_cache(sample_index):
    question = "What does the article say happened?"
    answerer = Answerer(sample_index, settings=QASettings(sentence_cache=1000))
    first = answerer.ask(question)
    embedded = answerer.extractive.embedder.stats().misses
    assert embedded > 0
    again = answerer.ask(question)
    stats = answerer.extractive.embedder.stats()
    assert stats.misses == embedded and stats.hits > 0  # the same passages: nothing new
    assert again.text == first.text
    assert [c.passage.chunk_id for c in again.citations] == [
        c.passage.chunk_id for c in first.citations
    ]
    uncached = Answerer(sample_index, settings=QASettings(sentence_cache=0)).ask(question)
    assert uncached.text == first.text
