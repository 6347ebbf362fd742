"""An in-memory table of every chunk: text, metadata, vector and sentence terms.

Retrieval runs several searches per question (one per clause, outlet and date of the question)
and re-ranks candidates by their best sentence (:mod:`qa.retrieval.focus`), which needs each chunk's
sentences as index terms and the terms' IDF. Holding the chunks in memory makes each of these a
lookup instead of a store round trip; dense search becomes an exact masked matrix-vector
product. The table is read once from the store (mostly tokenising the chunks for the IDF; a
chunk's sentences are split and tokenised when a question first reads them; bench/README.md,
"Figures quoted by the code", has the times) and re-read when the store's generation moves on
(an ingest or a delete); :meth:`qa.retrieval.retriever.Retriever.warm` does it ahead of the
first question.

Above ``NEWSQA_MEMORY_TABLE_CHUNKS`` chunks (default :data:`MAX_CHUNKS`) the table is not built
and the retriever searches through Chroma and the BM25 index directly, without sentence focus:
memory grows with the corpus (text, vector and terms of every chunk) and so does the load
(bench/results/scale-100000.md: the app's memory and its first question at 100k chunks).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.dates import to_ordinal
from index.filters import Filters, Outlets
from index.store import Store, StoredChunk
from index.text import sentence_spans, tokenize

MAX_CHUNKS = 30_000


@dataclass(frozen=True)
class ChunkTable:
    """All committed chunks of a store, row-aligned.

    Attributes:
        chunks: the chunks (text and metadata).
        row_of: chunk id to row.
        vectors: unit vectors, one row per chunk (float32).
        published: publication day number per row (``UNKNOWN_ORDINAL`` when unknown).
        outlets: outlet per row.
        article_rows: rows of each article, in article order.
        generation: the store generation the table was read at.
        sentence_terms: per row, the index terms of each of its sentences
            (:class:`SentenceTerms`, split and tokenised on first use).
        idf: inverse document frequency of each term over the chunks.
    """

    chunks: tuple[StoredChunk, ...]
    row_of: dict[str, int]
    vectors: np.ndarray
    published: np.ndarray
    outlets: Outlets
    article_rows: dict[str, tuple[int, ...]]
    generation: int
    sentence_terms: SentenceTerms = field(default_factory=lambda: SentenceTerms(()))
    idf: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.chunks)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Rows allowed by ``filters`` (None when everything is allowed)."""
        if filters is None or not filters.active:
            return None
        return filters.mask(self.published, self.outlets)

    def dense(
        self, vector: np.ndarray, n: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
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


def load_table(
    store: Store,
    max_chunks: int | None = None,
    generation: int | None = None,
    count: int | None = None,
) -> ChunkTable | None:
    """Read every committed chunk of ``store`` into a :class:`ChunkTable`.

    Args:
        store: the store.
        max_chunks: the most chunks to hold (default :data:`MAX_CHUNKS`).
        generation: the store generation the caller read (read here when not given).
        count: the generation's committed chunks, when the caller knows them (the lexical
            index counts them); else the store counts its chunk records, which takes seconds
            at a million chunks (Chroma's ``count`` reads them all).

    Returns:
        The table, or None when the store holds more than ``max_chunks`` chunks.
    """
    if generation is None:
        generation = store.generation()
    if count is None:
        count = store.count_chunks()
    if count > (MAX_CHUNKS if max_chunks is None else max_chunks):
        return None
    chunks: list[StoredChunk] = []
    vectors: list[np.ndarray] = []
    for page, page_vectors in store.committed_chunks(vectors=True):
        chunks.extend(page)
        vectors.extend(page_vectors or ())
    chunks_sorted = sorted(
        range(len(chunks)), key=lambda i: (chunks[i].article_id, chunks[i].index)
    )
    chunks = [chunks[i] for i in chunks_sorted]
    matrix = (
        np.vstack([vectors[i] for i in chunks_sorted]) if chunks else np.zeros((0, 1), np.float32)
    )
    article_rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        article_rows.setdefault(chunk.article_id, []).append(row)
    texts = [c.text for c in chunks]
    sentence_terms, idf = SentenceTerms(texts), _idf(texts)
    return ChunkTable(
        sentence_terms=sentence_terms,
        idf=idf,
        chunks=tuple(chunks),
        row_of={c.id: i for i, c in enumerate(chunks)},
        vectors=matrix,
        published=np.asarray([to_ordinal(c.published) for c in chunks], dtype=np.int64),
        outlets=Outlets.of(c.source for c in chunks),
        article_rows={k: tuple(v) for k, v in article_rows.items()},
        generation=generation,
    )


class SentenceTerms:
    """The index terms of each sentence of each chunk, by row, worked out on first use and kept.

    Sentences are :func:`index.text.sentence_spans`, the extractive answer's and the chunker's
    own, so sentence focus scores the sentences an answer quotes. Punkt is slow next to a regex:
    splitting every chunk when the table loads would add seconds to each load (bench/README.md,
    "Figures quoted by the code"), while a question reads the sentences of a few dozen
    candidates.

    Args:
        texts: the chunk texts, one per row.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._terms: dict[int, tuple[frozenset[str], ...]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, row: int) -> tuple[frozenset[str], ...]:
        """The term set of each sentence of chunk ``row``, in text order."""
        terms = self._terms.get(row)
        if terms is None:
            self.prepare((row,))
            terms = self._terms[row]
        return terms

    def prepare(self, rows: Iterable[int]) -> None:
        """Split and tokenise the chunks of ``rows`` not done yet, in one batch."""
        todo = [row for row in dict.fromkeys(rows) if row not in self._terms]
        if not todo:
            return
        bounds: list[tuple[int, int]] = []
        sentences: list[str] = []
        for row in todo:
            text = self._texts[row]
            spans = sentence_spans(text)
            bounds.append((len(sentences), len(sentences) + len(spans)))
            sentences.extend(text[start:end] for start, end in spans)
        tokens = tokenize(sentences) if sentences else []
        # Plain dict stores: two threads may work out the same row, with the same result.
        for row, (a, b) in zip(todo, bounds):
            self._terms[row] = tuple(frozenset(t) for t in tokens[a:b])


def _idf(texts: list[str]) -> dict[str, float]:
    """Inverse document frequency of each index term over the texts (BM25's formula).

    A sentence boundary never falls inside a word, so the terms of a chunk are those of its
    sentences together.
    """
    df: dict[str, int] = {}
    for terms in tokenize(texts) if texts else []:
        for term in set(terms):
            df[term] = df.get(term, 0) + 1
    n = max(1, len(texts))
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


class TableCache:
    """Holds the tables of the newest store generations, reloading after index changes.

    Two are kept: questions run concurrently, so one that started before a commit can still
    be reading the old generation while the next reads the new one; holding one table would
    reload both in turn, a couple of seconds each, until the older question ends.
    """

    #: How many generations' tables are held.
    KEEP = 2

    def __init__(self, store: Store, max_chunks: int | None = None) -> None:
        self._store = store
        self._max_chunks = max_chunks
        self._lock = threading.Lock()
        # generation -> its table; replaced whole, so a reader never sees it half changed.
        self._held: dict[int, ChunkTable | None] = {}

    def get(self, generation: int, count: int | None = None) -> ChunkTable | None:
        """The table for a store generation (None for a store too big to hold).

        Args:
            generation: the generation the caller read (one read per question: see
                :meth:`index.NewsIndex.snapshot`).
            count: its committed chunks when known (see :func:`load_table`).
        """
        held = self._held
        if generation in held:
            return held[generation]
        with self._lock:
            held = self._held
            if generation not in held:
                table = load_table(self._store, self._max_chunks, generation, count)
                newest = sorted([*held, generation], reverse=True)[: self.KEEP]
                held = {g: table if g == generation else held[g] for g in newest}
                self._held = held
                if generation not in held:  # older than both held: used once, not kept
                    return table
            return held[generation]
