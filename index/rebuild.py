"""Rebuild an index from the files it was built from (after a model or chunking change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .ingest import IngestReport, Progress
from .settings import Settings
from .store import _open_client
from .writelock import FileLock


def rebuild(settings: Settings, progress: Progress | None = None) -> IngestReport:
    """Drop the collections and index again every file the old index recorded.

    Articles that were added from code (no source file) cannot be re-read and are reported.

    Returns:
        The report of the new ingestion.
    """
    from .library import open_index

    lock = (
        FileLock(Path(settings.data_dir) / "newsqa-write.lock") if not settings.chroma_url else None
    )
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
    client = _open_client(settings)
    paths: set[str] = set()
    lost: list[str] = []
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    articles_name = f"{settings.collection}_articles"
    if articles_name in names:
        got = client.get_collection(articles_name, embedding_function=None).get(
            include=["metadatas"]
        )
        for id_, meta in zip(got["ids"], got["metadatas"]):
            path = str((meta or {}).get("path", ""))
            if path and Path(path).exists():
                paths.add(path)
            else:
                lost.append(id_)
    for name in (f"{settings.collection}_chunks", articles_name):
        if name in names:
            client.delete_collection(name)
    shutil.rmtree(Path(settings.data_dir) / "bm25" / settings.collection, ignore_errors=True)
    return paths, lost
