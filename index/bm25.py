"""BM25 over the segments of one generation, scored at query time with global statistics.

The formula is bm25s's default, "lucene", with bm25s's parameters (k1 = 1.5, b = 0.75), and every
statistic is taken over the live rows of all segments together: N live chunks, a term's df counted
over live rows, the average length of live rows. So the scores do not depend on how the index is
cut into segments, nor on what was deleted and merged before: they equal those of one clean build
of the same chunks (``tests/test_lexical_segments.py`` checks both, and checks them against
bm25s's own build). Arithmetic is float32 in bm25s's order (idf computed in float64, rounded).

Per question the cost is the length of the query terms' postings (one lookup per term per
segment) plus a few passes over a float32 array of all rows; per generation, building the row
arrays (day numbers, outlets, the length normalisation, the deleted rows) is one pass over all
rows. Scoring at query time does per posting what bm25s did at build time (the length
normalisation and the division), so it costs more per posting than summing precomputed scores;
what keeps it close to bm25s (``bench/results/lexical-bm25s-200000.md``):

* scores are summed with ``np.add.at``, bm25s's own way, which numpy 2 runs about ten times
  faster than a fancy-indexed ``+=`` (the same float32 additions in the same order, so the
  same sums);
* deleted rows (tombstones) are not masked out of every row: a term's df subtracts the deleted
  rows among its postings (in segments with deletions only), and the deleted rows' sums are
  zeroed once per question;
* the top ``n`` is found among the rows scoring at least the ``n``-th best of a strided sample
  (every :data:`SAMPLE_STRIDE`-th row): that bound is exact (the true ``n``-th best cannot be
  lower) and leaves a few thousand candidates for ``argpartition`` instead of every row;
* a filter's row mask is kept per generation for the next searches with the same filter (a
  question's sub-queries share one);
* so are the last few queries' unfiltered scores: a question searches the same words several
  times with different filters (measured at a million chunks: 5.6 searches a question, 3.3
  term lookups for each distinct term), and a repeat costs one multiplication by the mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from threading import Lock

import numpy as np

from .catalogue import Catalogue, order
from .filters import Filters, Outlets
from .merging import SegmentState
from .segments import Segment, term_hash
from .text import tokenize

K1 = 1.5
B = 0.75
#: Every how many rows the top-``n`` bound is sampled (see the module docstring).
SAMPLE_STRIDE = 16
#: Filter masks kept per generation.
MASKS_KEPT = 8
#: Unfiltered score arrays kept per generation (one float32 per row each).
SCORES_KEPT = 4


@dataclass(frozen=True)
class LexicalHit:
    """A BM25 result: the chunk, its score, and the store shard its article is in (from the
    article's catalogue entry: reading the chunk asks that shard alone)."""

    chunk_id: str
    score: float
    shard: int | None = None


class LexicalGeneration:
    """The BM25 index of one store generation: its segments and their deleted articles.

    Never changed once made: a question searches one of these throughout, whatever an ingestion
    publishes meanwhile.

    Args:
        generation: the store generation it reflects.
        states: its segments, in order, each with the articles deleted from it.

    Attributes:
        generation: the store generation it reflects.
        states: the segments.
        published: each row's day number (``UNKNOWN_ORDINAL`` when undated).
        outlets: each row's outlet.
        live: each row's liveness (False: its article was deleted or replaced).
    """

    def __init__(
        self,
        generation: int,
        states: Sequence[SegmentState],
        previous: LexicalGeneration | None = None,
    ) -> None:
        self.generation = generation
        self.states = tuple(states)
        # The previous generation's catalogue, when this one only appends segments to it (a
        # write that added articles): the catalogue is then that one extended.
        self._extends: tuple[Catalogue, list[SegmentState]] | None = None
        if previous is not None and "catalogue" in previous.__dict__:
            held = len(previous.states)
            if self.states[:held] == previous.states:
                self._extends = (previous.catalogue, list(self.states[held:]))
        sizes = [s.segment.rows for s in self.states]
        self._starts = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self._starts[1:])
        self.rows = int(self._starts[-1])

        def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        self.live = joined(
            [~s.dead_rows if s.deleted else np.ones(s.segment.rows, bool) for s in self.states],
            bool,
        )
        self.live_count = int(self.live.sum())
        lengths = joined([s.segment.doc_len for s in self.states], np.float32)
        # As bm25s: the length normalisation in float32, over the live rows' mean.
        mean = lengths[self.live].mean() if self.live_count else np.float32(1.0)
        self._norm = (K1 * ((1 - B) + B * lengths / mean)).astype(np.float32)
        self.published = joined([s.segment.published for s in self.states], np.int64)
        code_of: dict[str, int] = {}
        codes = []
        for s in self.states:
            table = np.asarray(
                [code_of.setdefault(o, len(code_of)) for o in s.segment.outlets] or [0],
                dtype=np.int32,
            )
            codes.append(table[s.segment.outlet])
        self.outlets = Outlets(joined(codes, np.int32), code_of)
        # Deleted rows: which segments have any (only their postings need a liveness check
        # for df), and where they are (their sums are zeroed once per question).
        self._dead_rows = np.flatnonzero(~self.live)
        self._has_dead = [bool(s.deleted) for s in self.states]
        self._masks: dict[tuple, np.ndarray] = {}
        self._kept_lock = Lock()
        self._scores: dict[tuple[str, ...], np.ndarray] = {}

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` live chunks for ``query`` by BM25, restricted by ``filters``.

        Ties are ranked by row (the order of the segments), so a generation always answers the
        same question the same way.
        """
        if not self.live_count or n <= 0:
            return []
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        scores = self._kept_scores(tuple(tokens))
        if filters is not None and filters.active:
            scores = scores * self._mask(filters)
        rows, values = _top(scores, n)
        hits = []
        for row, value in zip(rows.tolist(), values.tolist()):
            segment, local = self._segment_row(row)
            shard = int(segment.article_shards[segment.article_row[local]])
            hits.append(LexicalHit(segment.chunk_id(local), value, shard))
        return hits

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Each row's BM25 score for the query terms (repeats count again, as in bm25s); rows
        of deleted articles score 0."""
        scores = np.zeros(self.rows, dtype=np.float32)
        done: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        for term in tokens:
            if term not in done:
                done[term] = self._contributions(term)
            for position, rows, values in done[term]:
                start, end = self._starts[position], self._starts[position + 1]
                # Rows are distinct within a term: one float32 addition per row, in term order.
                np.add.at(scores[start:end], rows, values)
        if self._dead_rows.size:
            scores[self._dead_rows] = 0.0
        return scores

    def _kept_scores(self, tokens: tuple[str, ...]) -> np.ndarray:
        """:meth:`scores`, read-only, kept for the next searches of the same tokens."""
        scores = self._scores.get(tokens)
        if scores is None:
            scores = self.scores(tokens)
            scores.flags.writeable = False
            if SCORES_KEPT <= 0:
                return scores
            with self._kept_lock:
                if len(self._scores) >= SCORES_KEPT:
                    # Oldest first (dicts keep insertion order).
                    del self._scores[next(iter(self._scores))]
                self._scores[tokens] = scores
        return scores

    def _contributions(self, term: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Per segment holding ``term``: (its position, local rows, each row's score share).

        Rows of deleted articles are included (their sums are zeroed after), but not counted
        in the term's df.
        """
        hashed = term_hash(term)
        found = []
        df = 0
        for position, state in enumerate(self.states):
            seg = state.segment
            span = seg.postings(term, hashed)
            if span is None:
                continue
            rows = seg.post_doc[span[0] : span[1]]
            df += len(rows) - self._dead_among(position, rows)
            found.append((position, rows, seg.post_tf[span[0] : span[1]]))
        if df == 0:
            return []
        n = self.live_count
        idf = np.float32(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
        out = []
        for position, rows, tf in found:
            norm = np.take(self._norm[self._starts[position] : self._starts[position + 1]], rows)
            tf = tf.astype(np.float32)
            # bm25s's float32 arithmetic, in its order: tf / (tf + norm), then times idf.
            norm += tf
            np.divide(tf, norm, out=tf)
            tf *= idf
            out.append((position, rows, tf))
        return out

    def _dead_among(self, position: int, rows: np.ndarray) -> int:
        """How many of ``rows`` (of segment ``position``) are deleted."""
        if not self._has_dead[position]:
            return 0
        start, end = self._starts[position], self._starts[position + 1]
        # A gather of the postings' liveness: measured faster than a binary search per deleted
        # row, even with only a few thousand of them.
        return len(rows) - int(np.count_nonzero(np.take(self.live[start:end], rows)))

    def _mask(self, filters: Filters) -> np.ndarray:
        """The rows ``filters`` keeps, as float32 ones and zeros (kept for the next searches)."""
        key = (filters.day_bounds(), filters.sources)
        mask = self._masks.get(key)
        if mask is None:
            mask = filters.mask(self.published, self.outlets).astype(np.float32)
            with self._kept_lock:
                if len(self._masks) >= MASKS_KEPT:
                    self._masks.clear()
                self._masks[key] = mask
        return mask

    def chunk_id(self, row: int) -> str:
        """The chunk id of a row (of all segments, in order)."""
        segment, local = self._segment_row(row)
        return segment.chunk_id(local)

    def _segment_row(self, row: int) -> tuple[Segment, int]:
        """The segment holding a row (of all segments, in order), and the row's place in it."""
        s = int(np.searchsorted(self._starts, row, "right")) - 1
        return self.states[s].segment, row - int(self._starts[s])

    @property
    def chunk_ids(self) -> Sequence[str]:
        """Each row's chunk id (rows of deleted articles included; see :attr:`live`), decoded
        only when read."""
        return _RowChunkIds(self)

    def live_chunk_ids(self) -> list[str]:
        """The chunk id of every live row, in row order."""
        out: list[str] = []
        for state in self.states:
            ids = state.segment.chunk_ids()
            if state.deleted:
                dead = state.dead_rows
                ids = [c for c, d in zip(ids, dead.tolist()) if not d]
            out.extend(ids)
        return out

    def locate(self, article_ids: Sequence[str]) -> dict[int, set[int]]:
        """Where the live copies of ``article_ids`` are: segment position to article indexes."""
        where: dict[int, set[int]] = {}
        for i, state in enumerate(self.states):
            index = state.segment.article_index
            for article_id in article_ids:
                n = index.get(article_id)
                if n is not None and n not in state.deleted:
                    where.setdefault(i, set()).add(n)
        return where

    @cached_property
    def catalogue(self) -> Catalogue:
        """The live articles, newest first (the order :meth:`index.store.Store.list_articles`
        gives)."""
        extends, states = self._extends or (None, list(self.states))
        self._extends = None  # not held past its use
        infos = []
        seen: set[str] = set()
        for state in states:
            for n, info in enumerate(state.segment.infos):
                # A rebuild may cut an article's chunks across two segments: list it once.
                if n not in state.deleted and info.id not in seen:
                    seen.add(info.id)
                    infos.append(info)
        if extends is not None:
            return extends.extended(infos)
        return Catalogue(tuple(order(infos)))


def _top(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the ``n`` highest positive scores and those scores, best first, ties by row.

    Only rows scoring at least the ``n``-th best of every :data:`SAMPLE_STRIDE`-th row are
    candidates: the ``n``-th best of all rows is at least that, so none of the top is lost.
    """
    sample = scores[::SAMPLE_STRIDE]
    bound = np.float32(0.0)
    if len(sample) > n and len(scores) > len(sample):
        bound = np.partition(sample, len(sample) - n)[len(sample) - n]
    rows = np.flatnonzero(scores >= bound) if bound > 0 else np.flatnonzero(scores)
    values = scores[rows]
    if len(rows) > n:
        kth = np.partition(values, len(values) - n)[len(values) - n]
        above = np.flatnonzero(values > kth)
        ties = np.flatnonzero(values == kth)[: n - len(above)]
        keep = np.sort(np.concatenate([above, ties]))
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))
    return rows[order], values[order]


class _RowChunkIds(Sequence[str]):
    """The chunk ids of a generation's rows, as a read-only sequence."""

    def __init__(self, generation: LexicalGeneration) -> None:
        self._generation = generation

    def __len__(self) -> int:
        return self._generation.rows

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return self._generation.chunk_id(int(row))
