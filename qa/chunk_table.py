"""An in-memory table of every chunk: vectors, metadata and text, for fast filtered search.

Retrieval runs many small searches per question (one per clause, outlet and date of the
question). Against Chroma each costs a round trip and a filtered HNSW walk; against a numpy
matrix, a masked matrix-vector product takes about a millisecond for 10k chunks, and exact search
has no recall loss. The table is loaded once from the store and reloaded when the store's
generation moves on (an ingest or a delete).

Above :data:`MAX_CHUNKS` chunks the table is not built (memory grows with the corpus, about
1.5 kB of vector and text per chunk) and the retriever searches through Chroma instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from index.dates import UNKNOWN_ORDINAL, to_ordinal
from index.store import Filters, Store, StoredChunk, stored_chunk

MAX_CHUNKS = 100_000


@dataclass(frozen=True)
class ChunkTable:
    """All committed chunks of a store, row-aligned.

    Attributes:
        chunks: the chunks (text and metadata).
        row_of: chunk id to row.
        vectors: unit vectors, one row per chunk (float32).
        published: publication day number per row (``UNKNOWN_ORDINAL`` when unknown).
        sources: outlet per row.
        article_rows: rows of each article, in article order.
        generation: the store generation the table was read at.
    """

    chunks: tuple[StoredChunk, ...]
    row_of: dict[str, int]
    vectors: np.ndarray
    published: np.ndarray
    sources: np.ndarray
    article_rows: dict[str, tuple[int, ...]]
    generation: int

    def __len__(self) -> int:
        return len(self.chunks)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Rows allowed by ``filters`` (None when everything is allowed)."""
        if filters is None or not filters.active:
            return None
        keep = np.ones(len(self.chunks), dtype=bool)
        if filters.since or filters.until:
            # An undated article falls outside every date range, as in the store and BM25.
            keep &= self.published > UNKNOWN_ORDINAL
        if filters.since:
            keep &= self.published >= to_ordinal(filters.since)
        if filters.until:
            keep &= self.published <= to_ordinal(filters.until)
        if filters.sources:
            keep &= np.isin(self.sources, list(filters.sources))
        return keep

    def dense(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Top ``n`` chunks by cosine similarity to a unit ``vector``, as (chunk id, score)."""
        if not len(self.chunks):
            return []
        scores = self.vectors @ np.asarray(vector, dtype=np.float32)
        allowed = self.mask(filters)
        if allowed is not None:
            if not allowed.any():
                return []
            scores = np.where(allowed, scores, -np.inf)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunks[i].id, float(scores[i])) for i in top if np.isfinite(scores[i])]


def load_table(store: Store) -> ChunkTable | None:
    """Read every committed chunk of ``store`` into a :class:`ChunkTable`.

    Returns:
        The table, or None when the store holds more than :data:`MAX_CHUNKS` chunks.
    """
    generation = store.generation()
    if store.count_chunks() > MAX_CHUNKS:
        return None
    committed = set(store.article_hashes())
    chunks: list[StoredChunk] = []
    vectors: list[np.ndarray] = []
    for ids, docs, metas, embeddings in store.iter_chunks(include_vectors=True):
        for i, (id_, doc, meta) in enumerate(zip(ids, docs, metas)):
            if meta.get("article_id") not in committed:
                continue  # a half-written article is never searchable
            chunks.append(stored_chunk(id_, doc, meta))
            vectors.append(np.asarray(embeddings[i], dtype=np.float32))
    chunks_sorted = sorted(range(len(chunks)), key=lambda i: (chunks[i].article_id, chunks[i].index))
    chunks = [chunks[i] for i in chunks_sorted]
    matrix = np.vstack([vectors[i] for i in chunks_sorted]) if chunks else np.zeros((0, 1), np.float32)
    article_rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        article_rows.setdefault(chunk.article_id, []).append(row)
    return ChunkTable(
        chunks=tuple(chunks),
        row_of={c.id: i for i, c in enumerate(chunks)},
        vectors=matrix,
        published=np.asarray([to_ordinal(c.published) for c in chunks], dtype=np.int64),
        sources=np.asarray([c.source for c in chunks], dtype=object),
        article_rows={k: tuple(v) for k, v in article_rows.items()},
        generation=generation,
    )


class TableCache:
    """Holds the current :class:`ChunkTable` of a store, reloading it after index changes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._table: ChunkTable | None = None
        self._generation: int | None = None

    def get(self) -> ChunkTable | None:
        """The table for the store's current generation (None for a store too big to hold)."""
        generation = self._store.generation()
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    self._table = load_table(self._store)
                    self._generation = generation
        return self._table

