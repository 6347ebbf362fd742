"""Ingestion: files to committed articles in the store, incrementally and safely.

A run (1) removes orphan chunks an interrupted run left, (2) loads every file and compares each
article's content hash with the stored one, (3) chunks and embeds only new and changed articles,
re-using the stored vector of any chunk whose text did not change, and (4) commits each article
as soon as its vectors are ready. Chunks of several articles are embedded together, so the model
always sees full batches. Bad files are reported one line each and never stop the others.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .article import Article
from .chunking import Chunk, chunk_article
from .embedding import Embedder
from .loaders import LoadLimits, iter_files, load_file
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)

#: Called as progress(kind, done, total) with kind "files" or "chunks".
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingestion run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    orphans_removed: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    article_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return self.failed == 0

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        line = (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )
        if self.removed:
            line += f", {self.removed} removed"
        rate = self.chunks_embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0
        line += f" ({self.chunks_embedded} chunks embedded"
        if self.chunks_reused:
            line += f", {self.chunks_reused} reused"
        line += f", {self.seconds:.1f} s"
        if self.chunks_embedded:
            line += f", {rate:.1f} chunks/s in the embedder"
        return line + ")"


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    vectors: np.ndarray
    todo: list[int]  # positions in chunks still to embed
    is_update: bool


class Ingestor:
    """Adds files to a store. One instance per run (or reuse: it holds no run state)."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.limits = LoadLimits(
            max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
            max_article_chars=settings.max_article_chars,
        )

    def add_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None = None,
        prune: bool = False,
    ) -> IngestReport:
        """Index every supported file under ``paths``.

        Args:
            paths: files and folders (folders are walked recursively).
            progress: optional callback for progress bars.
            prune: also remove indexed articles whose source file under ``paths`` is gone.

        Returns:
            The report; failures are in ``errors``, one line each.
        """
        started = time.perf_counter()
        report = IngestReport()
        paths = [Path(p) for p in paths]
        files = list(iter_files(paths))
        articles: list[Article] = []
        seen: dict[str, Path] = {}
        for n, (path, error) in enumerate(files, 1):
            if error:
                report.failed += 1
                report.errors.append(f"{path}: {error}")
            else:
                result = load_file(path, self.limits)
                if result.error:
                    report.failed += 1
                    report.errors.append(f"{path}: {result.error}")
                report.warnings.extend(f"{path}: {p}" for p in result.problems)
                for article in result.articles:
                    if article.id in seen:
                        report.warnings.append(
                            f"{path}: duplicate of article {article.id!r} already read from {seen[article.id]} (skipped)"
                        )
                        continue
                    seen[article.id] = path
                    articles.append(article)
            if progress:
                progress("files", n, len(files))
        self._ingest(articles, report, progress)
        if prune:
            report.removed += self.prune(paths, keep=set(seen))
        report.seconds = time.perf_counter() - started
        return report

    def add_articles(self, articles: Sequence[Article], progress: Progress | None = None) -> IngestReport:
        """Index articles built in code (same rules as files)."""
        started = time.perf_counter()
        report = IngestReport()
        self._ingest(list(articles), report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def prune(self, roots: Sequence[Path], keep: set[str]) -> int:
        """Remove articles loaded from files under ``roots`` whose file is gone or no longer holds them."""
        absolute = [Path(os.path.abspath(r)) for r in roots]
        removed = 0
        for info in self.store.list_articles():
            if not info.path or info.id in keep:
                continue
            source = Path(os.path.abspath(info.path))
            if any(source == r or r in source.parents for r in absolute) and not source.exists():
                self.store.remove_article(info.id)
                removed += 1
        if removed:
            self.store.bump_generation()
        return removed

    def _ingest(self, articles: list[Article], report: IngestReport, progress: Progress | None) -> None:
        report.orphans_removed = self.store.remove_orphans()
        stored = self.store.article_hashes()
        pending: list[_Pending] = []
        for article in articles:
            report.article_ids.append(article.id)
            old = stored.get(article.id)
            if old == article.content_hash:
                report.unchanged += 1
                continue
            chunks = chunk_article(article, self.settings.chunk_tokens, self.settings.chunk_overlap)
            vectors = np.zeros((len(chunks), self.embedder.dim or 1), dtype=np.float32)
            todo = list(range(len(chunks)))
            if old is not None:
                cache = self.store.cached_vectors(article.id)
                todo = []
                for i, chunk in enumerate(chunks):
                    if chunk.content_hash in cache and cache[chunk.content_hash].shape[0] == vectors.shape[1]:
                        vectors[i] = cache[chunk.content_hash]
                        report.chunks_reused += 1
                    else:
                        todo.append(i)
            pending.append(_Pending(article, chunks, vectors, todo, old is not None))
        total = sum(len(p.todo) for p in pending)
        done = 0
        if progress:
            progress("chunks", 0, total)
        # Embed across article boundaries in groups of whole articles, commit each group.
        group: list[_Pending] = []
        group_size = 0
        target = max(self.embedder_batch * 8, 64)
        changed = False
        for item in pending:
            group.append(item)
            group_size += len(item.todo)
            if group_size >= target:
                done = self._flush(group, report, progress, done, total)
                changed = True
                group, group_size = [], 0
        if group:
            self._flush(group, report, progress, done, total)
            changed = True
        if changed or report.orphans_removed:
            self.store.bump_generation()

    @property
    def embedder_batch(self) -> int:
        return int(getattr(self.embedder, "batch_size", 8))

    def _flush(self, group: list[_Pending], report: IngestReport, progress: Progress | None, done: int, total: int) -> int:
        texts = [self._embed_text(item.article, item.chunks[i]) for item in group for i in item.todo]
        t0 = time.perf_counter()
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        report.embed_seconds += time.perf_counter() - t0
        row = 0
        for item in group:
            if item.vectors.shape[1] != vectors.shape[1] and len(texts):
                item.vectors = np.zeros((len(item.chunks), vectors.shape[1]), dtype=np.float32)
            for i in item.todo:
                item.vectors[i] = vectors[row]
                row += 1
            self.store.put_article(item.article, item.chunks, item.vectors)
            report.chunks_embedded += len(item.todo)
            if item.is_update:
                report.updated += 1
            else:
                report.added += 1
        done += len(texts)
        if progress:
            progress("chunks", done, total)
        return done

    @staticmethod
    def _embed_text(article: Article, chunk: Chunk) -> str:
        # The headline gives the dense side the topic of a chunk that never names it.
        return f"{article.title}\n{chunk.text}"
