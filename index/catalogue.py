"""The article catalogue of one store generation: every committed article's metadata.

Listing articles from Chroma pages through every article record, which is slow for a large
store (bench/README.md, "Scale"). The app needs the list at start (outlets for the filter, the
newest date as "today" for dates without a year, the library table), so the writer that builds
the BM25 index of a generation, which reads the same records anyway, saves the list beside it
(:mod:`index.lexical`) and readers load it in a fraction of a second.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

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

    def save(self, path: Path) -> None:
        """Write the catalogue as JSON (dates as ISO strings)."""
        rows = []
        for info in self.articles:
            row = asdict(info)
            row["published"] = info.published.isoformat() if info.published else None
            rows.append(row)
        path.write_text(json.dumps(rows, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        """Read a catalogue :meth:`save` wrote.

        Raises:
            OSError, ValueError, KeyError, TypeError: missing or malformed file.
        """
        rows = json.loads(path.read_text())
        infos = []
        for row in rows:
            published = row.pop("published")
            infos.append(
                ArticleInfo(**row, published=date.fromisoformat(published) if published else None)
            )
        return cls(tuple(infos))
