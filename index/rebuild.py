"""Rebuild an index from the files it was built from (after a model or chunking change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .ingest import IngestReport, Progress
from .lexical import saved_folder
from .settings import Settings
from .store import Store
from .writelock import write_lock


def rebuild(settings: Settings, progress: Progress | None = None) -> IngestReport:
    """Drop the collections and index again every file the old index recorded.

    Articles that were added from code (no source file) cannot be re-read and are reported.

    Returns:
        The report of the new ingestion.
    """
    from .library import open_index

    lock = write_lock(settings.data_dir) if not settings.chroma_url else None
    if lock is not None:
        lock.acquire()
    try:
        paths, lost = _drop(settings)
    finally:
        if lock is not None:
            lock.release()
    index = open_index(settings)
    report = index.add(sorted(paths), progress=progress)
    report.errors.extend(f"{id_}: source file gone, article dropped" for id_ in lost)
    report.failed += len(lost)
    return report


def _drop(settings: Settings) -> tuple[set[str], list[str]]:
    """Delete the collections and the BM25 side; return the recorded paths that still exist
    and the ids of articles that cannot be re-read."""
    paths: set[str] = set()
    lost: list[str] = []
    for info in Store.drop(settings):
        if info.path and Path(info.path).exists():
            paths.add(info.path)
        else:
            lost.append(info.id)
    shutil.rmtree(saved_folder(settings.data_dir, settings.collection), ignore_errors=True)
    return paths, lost
