"""The article catalogue of one store generation: every committed article's metadata.

Listing articles from Chroma pages through every article record, which is slow for a large
store (bench/README.md, "Scale"). The app needs the list at start (outlets for the filter, the
newest date as "today" for dates without a year, the library table), so each lexical segment
stores the catalogue rows of its articles (:mod:`index.segments`) and a generation's catalogue is
the live rows of its segments (:attr:`index.bm25.LexicalGeneration.catalogue`): a write re-reads
only the articles it changed, and a reader opens only the segments it does not hold yet.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from .store import ArticleInfo


@dataclass(frozen=True)
class Catalogue:
    """Committed articles of one generation, newest first, and what is derived from them."""

    articles: tuple[ArticleInfo, ...]

    # Computed once: the retriever asks for both on every question.
    @cached_property
    def sources(self) -> tuple[str, ...]:
        """Distinct outlets, sorted."""
        return tuple(sorted({a.source for a in self.articles if a.source}))

    @cached_property
    def newest(self) -> date | None:
        """Publication date of the newest dated article."""
        return max((a.published for a in self.articles if a.published), default=None)

    def extended(self, added: Sequence[ArticleInfo]) -> Catalogue:
        """This catalogue with ``added`` (articles it does not hold) in their places, newest
        first, and its outlets and newest date carried over: a write's new segment costs a
        merge, not a sort of every article again (0.2 s at 100,000 articles, on each reader's
        first question after a write).

        Equal keys keep this catalogue's articles first, as :func:`order` does for segments in
        order.
        """
        if not added:
            return self
        merged = Catalogue(
            tuple(heapq.merge(self.articles, order(added), key=sort_key, reverse=True))
        )
        # Carried over, not recounted (cached_property reads the instance's dictionary).
        merged.__dict__["sources"] = tuple(
            sorted(set(self.sources) | {a.source for a in added if a.source})
        )
        merged.__dict__["newest"] = max(
            (d for d in (self.newest, *(a.published for a in added)) if d), default=None
        )
        return merged


def sort_key(info: ArticleInfo) -> tuple[date, str]:
    """A catalogue's order, newest first when reversed: publication day, then title."""
    return (info.published or date.min, info.title)


def order(infos: Sequence[ArticleInfo]) -> list[ArticleInfo]:
    """``infos`` in catalogue order (newest first; equal keys keep their order)."""
    return sorted(infos, key=sort_key, reverse=True)
