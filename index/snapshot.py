"""One consistent view of an index for one question.

A question reads the index several times: the outlets and newest date for its analysis, one
BM25 search per clause and outlet, the chunk table. Each of these used to ask the store for its
generation (a metadata read, which in the embedded store may also re-open the client), and an
ingestion finishing half-way through a question could make its searches see different
generations. A :class:`IndexSnapshot` reads the generation once; everything it gives is of that
generation.

The BM25 index and the catalogue are fetched on first use: a dense-only search never loads BM25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .catalogue import Catalogue
from .filters import Filters
from .lexical import LexicalGeneration, LexicalHit, LexicalIndex


@dataclass(frozen=True)
class IndexSnapshot:
    """The index at one store generation.

    Attributes:
        generation: the store generation everything here reflects.
    """

    generation: int
    _lexical: LexicalIndex = field(repr=False, compare=False)

    @cached_property
    def bm25(self) -> LexicalGeneration:
        """The BM25 index of this generation."""
        return self._lexical.at(self.generation)

    @cached_property
    def catalogue(self) -> Catalogue:
        """The committed articles of this generation."""
        return self._lexical.catalogue_at(self.generation)

    @property
    def sources(self) -> tuple[str, ...]:
        """Distinct outlets of the indexed articles, sorted."""
        return self.catalogue.sources

    @property
    def newest(self) -> date | None:
        """Publication date of the newest indexed article ("today" for dates without a year)."""
        return self.catalogue.newest

    def search_lexical(
        self, query: str, n: int, filters: Filters | None = None
    ) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25, restricted by ``filters``."""
        return self.bm25.search(query, n, filters)
