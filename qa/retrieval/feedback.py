"""Pseudo-relevance feedback: names the first results agree on, added to the sub-queries.

"Which company, known for its dominance in the e-reader space ..., faced a stock decline ..."
never names the company, yet every article of its evidence does. The first passages a search
finds for the whole question mostly share that name ("Amazon"), so names that recur across
several of them and are absent from the question are added to each clause's query: a clause
that alone is too vague for BM25 ("offers a life-changing opportunity for sellers") becomes
specific ("... sellers Amazon"). This is classic query expansion from the top-ranked documents
(Rocchio; RM3), restricted to proper names, which are what multi-article news questions leave
out. Only a question that asks for a name gets them
(:attr:`qa.question.plan.QuestionPlan.asks_for_name`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from index.text import NOT_NAMES

# Capitalised words and runs of them ("Sam Bankman-Fried", "FTX", "Federal Reserve").
_NAME = re.compile(r"\b[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*)*")


def _names(text: str) -> list[str]:
    """Capitalised words of ``text`` that may be names, in order of first appearance."""
    out: dict[str, None] = {}
    for match in _NAME.finditer(text):
        words = [w.strip(".’'") for w in match.group(0).split()]
        words = [w for w in words if w and w.lower() not in NOT_NAMES]
        for word in words:
            if len(word) > 1 and not word.isdigit():
                out.setdefault(word)
    return list(out)


def expansion_terms(
    question: str,
    passages: Sequence[str],
    max_terms: int = 2,
    min_share: float = 0.3,
    skip: Iterable[str] = (),
) -> list[str]:
    """Proper names shared by the top passages and missing from the question.

    Args:
        question: the question.
        passages: texts of the top-ranked passages, best first.
        max_terms: at most this many names.
        min_share: a name must occur in at least this share of the passages (and in two).
        skip: words never to add (e.g. outlet names, which the filters already handle).

    Returns:
        Names, most widespread first (ties: earliest in the ranking, then in the passage).
    """
    if not passages:
        return []
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    banned = asked | {w.lower() for s in skip for w in re.findall(r"[\w'’-]+", s)}
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    for rank, text in enumerate(passages):
        for position, name in enumerate(_names(text)):
            if name.lower() in banned:
                continue
            counts[name] += 1
            first_seen.setdefault(name, (rank, position))
    needed = max(2, round(min_share * len(passages)))
    ranked = sorted(
        (n for n, c in counts.items() if c >= needed), key=lambda n: (-counts[n], first_seen[n])
    )
    return ranked[:max_terms]
