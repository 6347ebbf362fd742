"""Sentence vectors remembered across questions.

The extractive reader embeds every sentence of the passages a question retrieves (about 70 a
question on the benchmark), and that is most of an answer's CPU time: in the running app three
quarters of it went to the embedder (bench/README.md, "Many users"). Questions of one session
(follow-ups) and of many users following one story read the same passages again, and a
sentence's vector depends only on its text and the model, so a vector computed once stays
right: :class:`CachedEmbedder` keeps the most recently used ones, up to a bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedding import Embedder

__all__ = ["CacheStats", "CachedEmbedder", "cached"]


@dataclass(frozen=True)
class CacheStats:
    """How a :class:`CachedEmbedder` has done so far.

    Attributes:
        hits: texts whose vector was remembered.
        misses: texts that were embedded.
        size: vectors held now.
        capacity: vectors held at most.
    """

    hits: int
    misses: int
    size: int
    capacity: int


class CachedEmbedder:
    """``embedder`` with the vectors of the last ``capacity`` texts it embedded remembered.

    Safe to share between threads (the app answers questions concurrently): lookups and
    updates hold a lock, the embedding itself runs outside it. Two questions that miss the
    same text at once may both embed it; the vectors are equal, so that costs time only.

    Args:
        embedder: the model (the index's).
        capacity: vectors held at most (384 float32 for MiniLM: 20,000 take about 31 MB);
            the least recently used go first.
    """

    def __init__(self, embedder: Embedder, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.embedder = embedder
        self.capacity = capacity
        self.model_id = embedder.model_id
        self.dim = embedder.dim
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text, as ``embedder.embed`` gives them; only the texts
        not remembered are embedded (once each, in one call)."""
        texts = list(texts)
        if not texts:
            return self.embedder.embed(texts)
        with self._lock:
            found = {}
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            self._hits += sum(t in found for t in texts)
            self._misses += len(missing)
        if missing:
            new = self.embedder.embed(missing)
            with self._lock:
                for text, vector in zip(missing, new):
                    self._vectors[text] = vector
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
            found.update(zip(missing, new))
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def stats(self) -> CacheStats:
        """Hits, misses and size so far."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._vectors), self.capacity)


def cached(embedder: Embedder, capacity: int) -> Embedder:
    """``embedder`` behind a :class:`CachedEmbedder` of ``capacity`` vectors; itself when
    ``capacity`` is 0 (the cache turned off)."""
    return CachedEmbedder(embedder, capacity) if capacity > 0 else embedder
