"""Rebuild an index from what it was built from (after a model or chunking change): its files
read again, and the articles that came from no file (added from code, or by a feed) carried
over from the store, text and metadata as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

from .article import Article
from .ingest import IngestReport, Progress
from .lexical import saved_folder
from .settings import Settings
from .store import Store
from .store.records import ArticleInfo, unfiled_articles
from .writelock import write_lock


def rebuild(settings: Settings, progress: Progress | None = None) -> IngestReport:
    """Drop the collections and index again every file the old index recorded, and every
    article that came from no file (its stored text and metadata).

    Articles whose source file is gone are dropped and reported.

    Returns:
        The report of the new ingestion (both parts together).
    """
    from .library import open_index

    lock = write_lock(settings.data_dir) if not settings.chroma_url else None
    if lock is not None:
        lock.acquire()
    try:
        # Read before anything is dropped: after the drop, only files can give articles back.
        unfiled = [_article(info, text) for info, text in unfiled_articles(settings)]
        paths, lost = _drop(settings, {a.id for a in unfiled})
    finally:
        if lock is not None:
            lock.release()
    index = open_index(settings)
    report = index.add(sorted(paths), progress=progress)
    if unfiled:
        _merge(report, index.add_articles(unfiled, progress=progress))
    report.errors.extend(f"{id_}: source file gone, article dropped" for id_ in lost)
    report.failed += len(lost)
    return report


def _article(info: ArticleInfo, text: str) -> Article:
    return Article(
        id=info.id,
        title=info.title,
        text=text,
        source=info.source,
        published=info.published,
        url=info.url,
        author=info.author,
    )


def _merge(report: IngestReport, more: IngestReport) -> None:
    """Add ``more``'s counts and lines to ``report``."""
    for name in ("added", "updated", "unchanged", "failed", "skipped", "chunks_embedded"):
        setattr(report, name, getattr(report, name) + getattr(more, name))
    report.chunks_reused += more.chunks_reused
    report.errors.extend(more.errors)
    report.warnings.extend(more.warnings)
    report.notes.extend(more.notes)
    report.seconds += more.seconds
    report.embed_seconds += more.embed_seconds
    report.article_ids.extend(more.article_ids)


def _drop(settings: Settings, carried: set[str]) -> tuple[set[str], list[str]]:
    """Delete the collections and the BM25 side; return the recorded paths that still exist
    and the ids of articles that cannot be re-read (``carried`` ones are not lost)."""
    paths: set[str] = set()
    lost: list[str] = []
    for info in Store.drop(settings):
        if info.path and Path(info.path).exists():
            paths.add(info.path)
        elif info.id not in carried:
            lost.append(info.id)
    shutil.rmtree(saved_folder(settings.data_dir, settings.collection), ignore_errors=True)
    return paths, lost
