"""Sentence focus: prefer the passage with one sentence that matches, over diffuse matches.

A claim in a question ("Valve has units ready to ship the same day") is usually one sentence of
its article. BM25 over 256-token chunks rewards a chunk that mentions the question's words
anywhere, so in a long live blog every chunk of the right article looks alike. Rescoring each
candidate by its best single sentence (the summed IDF of the query terms that sentence holds)
and mixing that with the chunk's BM25 score picks the chunk that actually states the claim.

Sentences are those of :func:`index.text.sentence_spans`, the ones the extractive answer quotes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .chunk_table import ChunkTable

#: (chunk id, score), best first.
Ranked = list[tuple[str, float]]


def best_sentence(table: ChunkTable, row: int, terms: set[str]) -> float:
    """Summed IDF of ``terms`` in the best-matching sentence of chunk ``row``."""
    idf = table.idf
    best = 0.0
    for sentence in table.sentence_terms[row]:
        shared = terms & sentence
        if shared:
            best = max(best, sum(idf.get(t, 0.0) for t in shared))
    return best


def refocus(
    hits: Sequence[tuple[str, float]], terms: Sequence[str], table: ChunkTable, weight: float
) -> Ranked:
    """Re-rank BM25 hits by a mix of chunk score and best-sentence score.

    Args:
        hits: (chunk id, BM25 score), best first.
        terms: the query's index terms (as :func:`index.text.tokenize` makes them).
        table: the chunk table (sentence terms and IDF).
        weight: share of the sentence score in the mix (0 keeps the BM25 order).

    Returns:
        (chunk id, mixed score in 0..1), best first.
    """
    if not hits or weight <= 0 or not table.sentence_terms:
        top = hits[0][1] if hits else 1.0
        return [(c, s / top if top else 0.0) for c, s in hits]
    wanted = set(terms)
    rows = [table.row_of.get(chunk_id) for chunk_id, _ in hits]
    table.sentence_terms.prepare(row for row in rows if row is not None)
    sentence = [best_sentence(table, row, wanted) if row is not None else 0.0 for row in rows]
    top_chunk = max(s for _, s in hits) or 1.0
    top_sentence = max(sentence) or 1.0
    mixed = [
        (chunk_id, (1 - weight) * score / top_chunk + weight * s / top_sentence)
        for (chunk_id, score), s in zip(hits, sentence)
    ]
    mixed.sort(key=lambda item: -item[1])
    return mixed


def sort_by_sentence(
    ids: Sequence[str], term_sets: Sequence[set[str]], table: ChunkTable, rank_cost: float
) -> list[str]:
    """Re-sort a result list by each passage's best single-sentence match to any clause.

    The lists that fill a multi-part question's top ``k`` take turns, so the first place goes to
    the whole question's best passage whether or not a clause's own best passage states its
    claim more squarely. A passage with one sentence holding most of a clause's rare words
    usually is the evidence for that clause; the rank cost keeps the interleaved order as the
    tie-breaker, so a passage moves up only on a clearly better sentence.

    Args:
        ids: chunk ids, best first.
        term_sets: the index terms of each clause.
        table: the chunk table (sentence terms and IDF).
        rank_cost: summed IDF a passage must gain over the one above it to move up a place.

    Returns:
        The same ids, re-sorted (stable for equal keys).
    """

    table.sentence_terms.prepare(
        row for row in (table.row_of.get(chunk_id) for chunk_id in ids) if row is not None
    )

    def key(item: tuple[int, str]) -> float:
        rank, chunk_id = item
        row = table.row_of.get(chunk_id)
        best = (
            max((best_sentence(table, row, t) for t in term_sets), default=0.0)
            if row is not None
            else 0.0
        )
        return best - rank_cost * rank

    return [chunk_id for _, chunk_id in sorted(enumerate(ids), key=lambda item: -key(item))]
