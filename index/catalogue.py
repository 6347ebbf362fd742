"""The article catalogue of one store generation: every committed article's metadata.

Listing articles from Chroma pages through every article record, which is slow for a large
store (bench/README.md, "Scale"). The app needs the list at start (outlets for the filter, the
newest date as "today" for dates without a year, the library table), so each lexical segment
stores the catalogue rows of its articles (:mod:`index.segments`) and a generation's catalogue is
the live rows of its segments (:attr:`index.bm25.LexicalGeneration.catalogue`): a write re-reads
only the articles it changed, and a reader opens only the segments it does not hold yet.
"""

from __future__ import annotations

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
