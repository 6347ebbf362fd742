"""Fusion of ranked lists into one, and the per-article cap.

Two ways are used:

* :func:`rrf`: reciprocal rank fusion (Cormack et al. 2009, k=60) of lists that answer the same
  query (dense and BM25 of the whole question, and of the question restricted to each outlet).
  It needs no score calibration between the lists.
* :func:`interleave`: lists that answer *different* parts of a question (one per clause) take
  turns, each contributing its best passage not yet taken. A multi-part question needs evidence
  for every part, and a sum of ranks would let the clause with the most distinctive words fill
  the whole top 10.

Both apply a cap on passages per article, so that several articles are represented, skip a
passage that repeats one already taken when told how to recognise one (copies of an article:
:mod:`qa.retrieval.copies`), and are greedy: the first ``k`` of a longer result are the result
for ``k``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

RRF_K = 60

#: (chunk id, score), best first.
Ranked = list[tuple[str, float]]


def rrf(lists: Sequence[tuple[float, Sequence[str]]]) -> Ranked:
    """Weighted reciprocal rank fusion.

    Args:
        lists: (weight, chunk ids best first) pairs.

    Returns:
        (chunk id, fused score), best first; ties keep first-seen order.
    """
    fused: dict[str, float] = {}
    for weight, ids in lists:
        for rank, chunk_id in enumerate(ids):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
    return sorted(fused.items(), key=lambda item: -item[1])


def interleave(
    lists: Sequence[Ranked],
    k: int,
    article_of: Callable[[str], str | None],
    per_article: int = 0,
    turns: Sequence[int] | None = None,
    repeats: Callable[[str, Sequence[str]], bool] | None = None,
) -> Ranked:
    """Take turns across ``lists``, each giving its best passage not yet taken.

    Args:
        lists: ranked lists, in turn order (the first list goes first in every round).
        k: how many passages to return.
        article_of: the article of a chunk id (None: the chunk is unknown and skipped); the cap
            counts passages by this key.
        per_article: at most this many passages per article (0: no cap).
        turns: per list, how many passages it may give at most (0: no limit).
        repeats: ``repeats(chunk_id, taken ids)`` is true for a passage that repeats one taken
            already; it is skipped (and its turn goes to the list's next passage).

    Returns:
        Up to ``k`` (chunk id, score) pairs, score from the list that contributed the passage.
    """
    limits = list(turns) if turns else [0] * len(lists)
    given = [0] * len(lists)
    cursors = [0] * len(lists)
    taken: set[str] = set()
    per: dict[str, int] = {}
    out: Ranked = []

    def can_give(i: int) -> bool:
        return cursors[i] < len(lists[i]) and not (limits[i] and given[i] >= limits[i])

    while len(out) < k and any(can_give(i) for i in range(len(lists))):
        for i, lst in enumerate(lists):
            if not can_give(i):
                continue
            while cursors[i] < len(lst):
                chunk_id, score = lst[cursors[i]]
                cursors[i] += 1
                article = article_of(chunk_id)
                if article is None or chunk_id in taken:
                    continue
                if repeats is not None and repeats(chunk_id, [c for c, _ in out]):
                    continue
                if per_article and per.get(article, 0) >= per_article:
                    continue
                per[article] = per.get(article, 0) + 1
                taken.add(chunk_id)
                out.append((chunk_id, score))
                given[i] += 1
                break
            if len(out) >= k:
                break
    return out


def capped(
    ranked: Ranked,
    k: int,
    article_of: Callable[[str], str | None],
    per_article: int = 0,
    repeats: Callable[[str, Sequence[str]], bool] | None = None,
) -> Ranked:
    """The first ``k`` of one ranked list, at most ``per_article`` per article (0: no cap),
    leaving out repeats (see :func:`interleave`)."""
    return interleave([ranked], k, article_of, per_article, repeats=repeats)
