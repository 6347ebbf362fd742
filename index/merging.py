"""Merging segments: fewer, larger segments, and deleted rows dropped for good.

Every write adds a small segment (:mod:`index.segments`), so without merging a live index would
end up with thousands of them: slower queries (a lookup per term per segment) and disk that grows
with every generation, since a deleted or replaced article's rows stay in their segment as a
tombstone. The policy is a logarithmic one, as in Lucene's: a segment's tier is the power of
:data:`FACTOR` its live rows reach above :data:`FLOOR`; when a tier holds :data:`FACTOR` segments
they are merged into one, which lands a tier up. Each row is thus rewritten about log(N) times
over its life, a write session pays for merging in proportion to what it added (amortised), and
an index holds at most about ``FACTOR - 1`` segments per tier. A segment whose rows are mostly
deleted (:data:`PURGE`) is rewritten on its own.

A merge reads only its inputs and writes a new segment; the manifest that replaces the inputs with
it is written after (:mod:`index.manifest`), so readers holding the old generation are never
disturbed and a merge killed half-way leaves only an unreferenced file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .segments import Segment, SegmentData, finish_postings

#: Segments of a tier merged together.
FACTOR = 8
#: Live rows below which every segment counts as the smallest tier.
FLOOR = 1024
#: Share of deleted rows (or articles) that makes a segment worth rewriting on its own.
PURGE = 0.3


@dataclass(frozen=True)
class SegmentState:
    """A segment as a generation holds it: its file and the articles deleted from it."""

    segment: Segment
    deleted: frozenset[int]

    @property
    def dead_rows(self) -> np.ndarray:
        """Per row: True when its article is deleted."""
        dead = np.zeros(self.segment.articles, dtype=bool)
        if self.deleted:
            dead[np.fromiter(self.deleted, dtype=np.int64)] = True
        return dead[self.segment.article_row]

    @property
    def live_rows(self) -> int:
        """Rows whose article is not deleted."""
        return self.segment.rows - int(self.dead_rows.sum()) if self.deleted else self.segment.rows

    @property
    def empty(self) -> bool:
        """True when nothing in it is live (no row, no article)."""
        return len(self.deleted) >= self.segment.articles


def tier(live_rows: int) -> int:
    """The merge tier of a segment with ``live_rows`` live rows."""
    if live_rows < FLOOR * FACTOR:
        return 0
    return int(math.log(live_rows / FLOOR, FACTOR))


def plan(states: Sequence[SegmentState]) -> list[list[int]]:
    """Which segments to merge now: groups of positions in ``states`` (each group becomes one).

    Segments with nothing live are left to the caller to drop.
    """
    tiers: dict[int, list[int]] = {}
    purge: list[int] = []
    for i, state in enumerate(states):
        if state.empty:
            continue
        live = state.live_rows
        tiers.setdefault(tier(live), []).append(i)
        rows, articles = state.segment.rows, state.segment.articles
        dead_rows = 1 - live / rows if rows else 0.0
        dead_articles = len(state.deleted) / articles if articles else 0.0
        if max(dead_rows, dead_articles) >= PURGE:
            purge.append(i)
    groups = [members for members in tiers.values() if len(members) >= FACTOR]
    grouped = {i for g in groups for i in g}
    groups += [[i] for i in purge if i not in grouped]
    return sorted(groups)


def merge(states: Sequence[SegmentState]) -> SegmentData:
    """One segment holding the live rows and articles of ``states``, in their order."""
    vocab: dict[str, int] = {}
    hashes: list[np.ndarray] = []
    term_maps: list[np.ndarray] = []
    tokens, docs, tfs = [], [], []
    doc_len, published, outlet, article_row = [], [], [], []
    chunk_ids: list[str] = []
    infos: list[list] = []
    outlet_of: dict[str, int] = {}
    rows = 0
    for state in states:
        seg = state.segment
        dead_articles = np.zeros(seg.articles, dtype=bool)
        if state.deleted:
            dead_articles[np.fromiter(state.deleted, dtype=np.int64)] = True
        live = ~dead_articles[seg.article_row]
        row_map = np.full(seg.rows, -1, dtype=np.int64)
        n_live = int(live.sum())
        row_map[live] = np.arange(rows, rows + n_live)
        live_articles = np.flatnonzero(~dead_articles)
        article_map = np.full(seg.articles, -1, dtype=np.int64)
        article_map[live_articles] = np.arange(len(infos), len(infos) + len(live_articles))
        info_rows = seg.info_rows
        infos.extend(info_rows[i] for i in live_articles.tolist())

        terms = seg.terms()
        term_map = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int64, count=len(terms)
        )
        term_maps.append(term_map)
        hashes.append(np.asarray(seg.term_hash))
        term_of = np.repeat(np.arange(len(terms), dtype=np.int64), np.diff(seg.post_off))
        keep = live[seg.post_doc]
        tokens.append(term_map[term_of[keep]])
        docs.append(row_map[seg.post_doc[keep]])
        tfs.append(np.asarray(seg.post_tf[keep], dtype=np.int64))

        codes = np.asarray(
            [outlet_of.setdefault(name, len(outlet_of)) for name in seg.outlets] or [0],
            dtype=np.int32,
        )
        doc_len.append(np.asarray(seg.doc_len[live]))
        published.append(np.asarray(seg.published[live]))
        outlet.append(codes[seg.outlet[live]])
        article_row.append(article_map[seg.article_row[live]].astype(np.int32))
        all_ids = seg.chunk_ids()
        chunk_ids.extend(all_ids[i] for i in np.flatnonzero(live).tolist())
        rows += n_live

    terms = list(vocab)
    merged_hashes = np.zeros(len(terms), dtype=np.uint64)
    for term_map, seg_hashes in zip(term_maps, hashes):
        merged_hashes[term_map] = seg_hashes
    empty = np.zeros(0, dtype=np.int64)
    postings = finish_postings(
        terms,
        merged_hashes,
        np.concatenate(tokens) if tokens else empty,
        np.concatenate(docs) if docs else empty,
        np.concatenate(tfs) if tfs else empty,
    )

    def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return SegmentData(
        *postings,
        doc_len=joined(doc_len, np.int32),
        published=joined(published, np.int32),
        outlet=joined(outlet, np.int32),
        article_row=joined(article_row, np.int32),
        chunk_ids=chunk_ids,
        article_ids=[row[0] for row in infos],
        infos=infos,
        outlets=list(outlet_of),
    )
