"""Question parts: a multi-hop question split into clauses, each about roughly one article.

MultiHop-style questions chain statements from several articles ("Does the TechCrunch article
say X, while the Verge article reports Y?"). Each clause is answered by a different sentence, so
the extractive answerer picks the best sentence per clause, and the calibration pairs clauses
with the passages that hold their facts. The split is deliberately simple: at ", while",
"; ", ", and", ", but", "whereas"; pieces shorter than five words are dropped.
"""

from __future__ import annotations

import re

_SPLIT = re.compile(
    r",\s*(?:while|whereas|and|but|with)\s+|;\s*|\s+while\s+|\s+whereas\s+|,\s+and\s+",
    re.IGNORECASE,
)


def question_parts(question: str, min_words: int = 5) -> list[str]:
    """The clauses of ``question`` with at least ``min_words`` words (may be empty)."""
    return [c.strip(" ?,") for c in _SPLIT.split(question) if len(c.split()) >= min_words]
