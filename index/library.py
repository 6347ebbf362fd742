"""NewsIndex: one object that owns the store, the BM25 side and the embedder of an index.

``qa`` and the app open an index through :func:`open_index`; the CLI uses the same object, so a
command-line add and an app upload go through one code path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .article import Article
from .embedding import Embedder, make_embedder
from .ingest import Ingestor, IngestReport, Progress
from .lexical import LexicalIndex
from .settings import Settings
from .snapshot import IndexSnapshot
from .store import ArticleInfo, Store
from .uploads import UploadProgress, UploadReport, add_uploads


@dataclass(frozen=True)
class IndexStats:
    """Corpus statistics."""

    articles: int
    chunks: int
    sources: int
    first: date | None
    last: date | None
    embed_model: str
    location: str


class NewsIndex:
    """An opened newsqa index.

    Args:
        settings: configuration.
        embedder: the embedding model; built from settings when omitted (tests pass fakes).
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(
            settings.embed_model,
            batch_size=settings.embed_batch_size,
            threads=settings.embed_threads,
            api_key=settings.embed_api_key,
            base_url=settings.embed_base_url,
        )
        self.store = Store(settings, self.embedder.model_id)
        self.lexical = LexicalIndex(self.store, Path(settings.data_dir))
        self._ingestor = Ingestor(
            settings, self.store, self.embedder, articles=lambda: self.lexical.catalogue().articles
        )

    def add(
        self,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None = None,
        prune: bool = False,
    ) -> IngestReport:
        """Index files and folders (see :meth:`index.ingest.Ingestor.add_paths`)."""
        return self._ingestor.add_paths(paths, progress=progress, prune=prune)

    def add_articles(
        self, articles: Sequence[Article], progress: Progress | None = None
    ) -> IngestReport:
        """Index articles built in code."""
        return self._ingestor.add_articles(articles, progress=progress)

    def add_uploads(
        self,
        files: Sequence[str | os.PathLike[str]],
        progress: UploadProgress | None = None,
        *,
        folder: Path | None = None,
        max_file_mb: float | None = None,
    ) -> UploadReport:
        """Check, keep (under ``DATA_DIR/uploads``) and index uploaded files, one result each.

        See :func:`index.uploads.add_uploads`; ``folder`` and ``max_file_mb`` default to the
        settings'.
        """
        return add_uploads(self, files, progress, folder=folder, max_file_mb=max_file_mb)

    def remove(self, article_id: str) -> bool:
        """Remove one article; False when it was not indexed."""
        return self.store.remove_article(article_id)

    def prune(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Remove articles read from files under ``paths`` that no longer exist.

        Returns:
            The number of articles removed.
        """
        return self._ingestor.prune([Path(p) for p in paths], keep=set())

    def articles(self) -> list[ArticleInfo]:
        """All indexed articles, newest first (the catalogue saved with the BM25 index)."""
        return list(self.lexical.catalogue().articles)

    def sources(self) -> list[str]:
        """Distinct outlets of the indexed articles, sorted."""
        return list(self.lexical.catalogue().sources)

    def newest_date(self) -> date | None:
        """Publication date of the newest indexed article."""
        return self.lexical.catalogue().newest

    def snapshot(self) -> IndexSnapshot:
        """The index at the store's current generation, read once (a question's searches all
        go through one snapshot, so they see the same content)."""
        return IndexSnapshot(self.store.generation(), self.lexical)

    @property
    def location(self) -> str:
        """Where the index lives (a folder, or the Chroma server's url), for messages."""
        return self.store.location

    def count_articles(self) -> int:
        """Number of indexed articles."""
        return self.store.count_articles()

    def get_article(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        """An article's metadata and full text, or None when it is not indexed."""
        return self.store.get_article(article_id)

    def is_empty(self) -> bool:
        """True when no article is indexed."""
        return self.count_articles() == 0

    def stats(self) -> IndexStats:
        """Counts and date span of the index."""
        infos = self.lexical.catalogue().articles
        dates = [a.published for a in infos if a.published]
        return IndexStats(
            articles=len(infos),
            chunks=sum(a.chunks for a in infos),
            sources=len({a.source for a in infos if a.source}),
            first=min(dates) if dates else None,
            last=max(dates) if dates else None,
            embed_model=self.embedder.model_id,
            location=self.store.location,
        )


def open_index(settings: Settings | None = None, embedder: Embedder | None = None) -> NewsIndex:
    """Open (creating when needed) the index the settings point at.

    Raises:
        IndexMismatchError: the stored index was built with another model or chunking.
        ModelError: the embedding model cannot be loaded.
        StoreError: the store cannot be opened.
    """
    return NewsIndex(settings or Settings.from_env(), embedder)
