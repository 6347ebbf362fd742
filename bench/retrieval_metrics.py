"""Retrieval metrics of MultiHop-RAG, exactly as its README defines them.

A gold fact is *found* when it is contained in a retrieved passage's text, both with all
whitespace removed. Per question, over the top ``k`` passages:

* Hits@k: 1 when at least one fact is found;
* MRR@10: 1/rank of the first passage holding a fact (0 when none in the top 10);
* evidence recall@k: facts found / facts;
* full evidence@k: 1 when every fact is found.

The top 4 are the first 4 of the top 10: the retriever ranks greedily, so its first 4 do not
depend on ``k``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def squash(text: str) -> str:
    """``text`` with all whitespace removed (str.split knows every Unicode space)."""
    return "".join(text.split())


@dataclass(frozen=True)
class QuestionScore:
    """Metrics of one question.

    Attributes:
        hits4: at least one fact in the top 4.
        hits10: at least one fact in the top 10.
        rr10: reciprocal rank of the first passage holding a fact (0 when none in the top 10).
        recall4: share of the facts found in the top 4.
        recall10: share of the facts found in the top 10.
        full10: every fact found in the top 10.
    """

    hits4: float
    hits10: float
    rr10: float
    recall4: float
    recall10: float
    full10: float


def score_question(passages: Sequence[str], facts: Sequence[str]) -> QuestionScore:
    """Score one question's ranked passages against its gold facts.

    Args:
        passages: passage texts, best first (at least the top 10 when there are that many).
        facts: the gold facts (duplicates count as separate facts, as in the dataset).

    Returns:
        The :class:`QuestionScore`.

    Raises:
        ValueError: ``facts`` is empty (null questions have no evidence to find).
    """
    if not facts:
        raise ValueError("a question without evidence cannot be scored for retrieval")
    squashed = [squash(p) for p in passages[:10]]
    gold = [squash(f) for f in facts]

    def first_rank(fact: str) -> int | None:
        for rank, passage in enumerate(squashed, 1):
            if fact in passage:
                return rank
        return None

    ranks = [first_rank(f) for f in gold]
    found4 = [r is not None and r <= 4 for r in ranks]
    found10 = [r is not None for r in ranks]
    best = min((r for r in ranks if r is not None), default=None)
    return QuestionScore(
        hits4=float(any(found4)),
        hits10=float(any(found10)),
        rr10=1.0 / best if best else 0.0,
        recall4=sum(found4) / len(gold),
        recall10=sum(found10) / len(gold),
        full10=float(all(found10)),
    )


@dataclass(frozen=True)
class Summary:
    """Means of the per-question metrics over a group of questions, plus latency.

    Attributes:
        questions: number of questions in the group.
        hits4, hits10, mrr10, recall4, recall10, full10: means of :class:`QuestionScore`.
        latency_median_ms: median retrieval time.
        latency_p95_ms: 95th percentile of retrieval time.
    """

    questions: int
    hits4: float
    hits10: float
    mrr10: float
    recall4: float
    recall10: float
    full10: float
    latency_median_ms: float
    latency_p95_ms: float


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between order statistics."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(scores: Iterable[QuestionScore], latencies_ms: Iterable[float]) -> Summary:
    """Average question scores and summarise latencies.

    Args:
        scores: one score per question.
        latencies_ms: retrieval time per question, in milliseconds.

    Returns:
        The :class:`Summary` (zeros for an empty group).
    """
    rows = list(scores)
    times = list(latencies_ms)
    n = len(rows)

    def mean(name: str) -> float:
        return sum(getattr(r, name) for r in rows) / n if n else 0.0

    return Summary(
        questions=n,
        hits4=mean("hits4"),
        hits10=mean("hits10"),
        mrr10=mean("rr10"),
        recall4=mean("recall4"),
        recall10=mean("recall10"),
        full10=mean("full10"),
        latency_median_ms=statistics.median(times) if times else 0.0,
        latency_p95_ms=percentile(times, 95),
    )
