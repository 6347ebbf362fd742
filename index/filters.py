"""Date and outlet filters: one definition, three backends.

A search can be restricted to a publication date range (inclusive) and to some outlets. The
restriction is applied in three places: Chroma's ``where`` clause (dense search through the
store), a per-chunk check (the store path filters a shared nearest-neighbour list itself) and a
numpy mask over per-row arrays (the BM25 index and the in-memory chunk table). All three are
derived from :meth:`Filters.day_bounds`, the inclusive range of day numbers
(:func:`index.dates.to_ordinal`) a filter keeps, so they cannot disagree on an edge: an undated
article is stored as :data:`index.dates.UNKNOWN_ORDINAL`, below every lower bound, and so falls
outside every date range, open-ended or not. ``tests/test_filters.py`` holds the three equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from .dates import UNKNOWN_ORDINAL, to_ordinal


@dataclass(frozen=True)
class Filters:
    """The date range (inclusive) and outlets a search keeps; None means no restriction.

    Attributes:
        since: earliest publication date (inclusive), or None.
        until: latest publication date (inclusive), or None.
        sources: outlets kept, or None for all.
        from_question: True when the question itself set the filter ("in October 2023");
            provenance only, it does not change what is kept.
    """

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] | None = None
    from_question: bool = False

    @property
    def active(self) -> bool:
        """True when anything is restricted."""
        return bool(self.since or self.until or self.sources)

    def describe(self) -> str:
        """Plain words, e.g. "articles from 1 Oct 2023 to 31 Oct 2023, The Verge"."""
        if not self.active:
            return "all articles"
        fmt = "%-d %b %Y"
        if self.since and self.until and self.since > self.until:
            # An as-of date before ``since`` (qa.as_of) leaves no day to search.
            parts = [f"no articles: {self.since.strftime(fmt)} is after {self.until.strftime(fmt)}"]
        elif self.since and self.until:
            parts = [f"articles from {self.since.strftime(fmt)} to {self.until.strftime(fmt)}"]
        elif self.since:
            parts = [f"articles from {self.since.strftime(fmt)} on"]
        elif self.until:
            parts = [f"articles up to {self.until.strftime(fmt)}"]
        else:
            parts = ["articles"]
        if self.sources:
            parts.append(", ".join(self.sources))
        return ", ".join(parts)

    def day_bounds(self) -> tuple[int, int | None] | None:
        """The inclusive range of day numbers kept: (low, high or None when open-ended).

        Returns:
            None when no date is restricted. Otherwise the lower bound is above
            :data:`~index.dates.UNKNOWN_ORDINAL` even when ``since`` is unset, so that undated
            articles are left out of every date range.
        """
        if not (self.since or self.until):
            return None
        low = to_ordinal(self.since) if self.since else UNKNOWN_ORDINAL + 1
        return low, to_ordinal(self.until) if self.until else None

    def allows(self, published: date | None, source: str) -> bool:
        """True when a chunk of this date and outlet is kept (what :meth:`where` selects)."""
        bounds = self.day_bounds()
        if bounds is not None:
            low, high = bounds
            day = to_ordinal(published)
            if day < low or (high is not None and day > high):
                return False
        return not self.sources or source in self.sources

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause selecting what :meth:`allows` keeps (None: everything)."""
        clauses: list[dict[str, Any]] = []
        bounds = self.day_bounds()
        if bounds is not None:
            low, high = bounds
            clauses.append({"published": {"$gte": low}})
            if high is not None:
                clauses.append({"published": {"$lte": high}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def mask(self, published: np.ndarray, outlets: Outlets) -> np.ndarray:
        """The rows kept, for row-aligned arrays (what :meth:`allows` keeps, row by row).

        Args:
            published: each row's day number (``UNKNOWN_ORDINAL`` when undated).
            outlets: each row's outlet.

        Returns:
            A boolean array, one entry per row.
        """
        keep = np.ones(len(published), dtype=bool)
        bounds = self.day_bounds()
        if bounds is not None:
            low, high = bounds
            keep &= published >= low
            if high is not None:
                keep &= published <= high
        if self.sources:
            keep &= outlets.among(self.sources)
        return keep


@dataclass(frozen=True)
class Outlets:
    """Each row's outlet as a small integer code into the distinct outlet names.

    A filter's mask compares integers, not strings: over a million rows, once per sub-query, that
    is an order of magnitude faster (bench/README.md, "Figures quoted by the code").

    Attributes:
        codes: one code per row.
        code_of: outlet name to code.
    """

    codes: np.ndarray
    code_of: dict[str, int]

    @classmethod
    def of(cls, per_row: Iterable[str]) -> Outlets:
        """Code a list of outlet names, one per row."""
        names = list(per_row)
        code_of: dict[str, int] = {}
        codes = np.fromiter(
            (code_of.setdefault(name, len(code_of)) for name in names),
            dtype=np.int32,
            count=len(names),
        )
        return cls(codes, code_of)

    def __len__(self) -> int:
        return len(self.codes)

    def among(self, names: Iterable[str]) -> np.ndarray:
        """Rows whose outlet is one of ``names``."""
        wanted = [self.code_of[name] for name in names if name in self.code_of]
        return np.isin(self.codes, wanted)

    def names(self) -> list[str]:
        """The outlet of each row, in row order."""
        by_code = list(self.code_of)
        return [by_code[code] for code in self.codes.tolist()]
