"""Ingestion: files to committed articles in the store, incrementally and safely.

A run (1) reads every file (bad files and bad records give one line each and never stop the
others), (2) opens a write session on the store, which first removes what a killed run left
half-done, (3) compares each article's content hash with the stored one and skips unchanged
articles without chunking or embedding them, and (4) chunks, embeds and commits the new and
changed ones in groups of whole articles, re-using the stored vector of every chunk whose text did
not change. Commit order and recovery are described in :mod:`index.store`.

Why groups of about ``Settings.ingest_group`` chunks (256 by default): the model sees its batches
full (texts of several articles are embedded together, sorted by length inside the call so
batches pad little), each Chroma write call carries many records (a call costs tens of
milliseconds whatever its size), and a run killed at any moment loses at most one group of
embedding work. Identical chunk texts in a group (syndicated copies of a story) are embedded
once.

Before a group is written, its articles' copies and stories are found (:mod:`index.stories`:
a text sketch per article and two store queries per group, no model) and stored with them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .article import Article
from .chunking import Chunk, chunk_article
from .embedding import Embedder, passage_text, vector_key
from .loaders import LoadLimits, display_path, iter_files, load_file
from .settings import Settings
from .store import ArticleInfo, Store
from .stories import Grouper

log = logging.getLogger(__name__)

#: Called as progress(kind, done, total) with kind "files" or "chunks".
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingestion run did.

    Attributes:
        added: new articles committed.
        updated: changed articles re-committed.
        unchanged: articles whose content hash matched the store (no work done).
        failed: files that gave no article at all.
        skipped: records rejected inside files that otherwise loaded (bad or duplicate records).
        removed: articles removed by ``prune``.
        chunks_embedded: chunk texts sent to the embedder.
        chunks_reused: chunks whose stored vector was re-used.
        orphans_removed: chunks of a killed run removed before this one started.
        errors: one line per failed file (``path: reason``).
        warnings: one line per skipped record.
        notes: one line per article that went in with something worth checking (an implausible
            date, kept as the file gives it).
        seconds: wall time of the run.
        embed_seconds: time spent inside the embedder.
        article_ids: ids of all articles read (changed or not).
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    orphans_removed: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    article_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return self.failed == 0

    @property
    def clean(self) -> bool:
        """True when every file and every record went in."""
        return self.failed == 0 and self.skipped == 0

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        line = (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )
        if self.skipped:
            line += f", {self.skipped} records skipped"
        if self.removed:
            line += f", {self.removed} removed"
        rate = self.chunks_embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0
        line += f" ({self.chunks_embedded} chunks embedded"
        if self.chunks_reused:
            line += f", {self.chunks_reused} reused"
        if self.orphans_removed:
            line += f", {self.orphans_removed} left by an interrupted run removed"
        line += f", {self.seconds:.1f} s"
        if self.chunks_embedded:
            line += f", {rate:.1f} chunks/s in the embedder"
        return line + ")"


@dataclass
class BatchReport:
    """What one write session over several files did, file by file (:meth:`Ingestor.add_each`).

    Attributes:
        files: one report per file, in the order given; each counts only that file's articles
            (its ``embed_seconds`` is its share of the embedder's time, by chunks embedded).
        orphans_removed: chunks of a killed run removed before this session started.
        seconds: wall time of the whole session.
    """

    files: list[IngestReport]
    orphans_removed: int = 0
    seconds: float = 0.0


def _skip_repeated(report: IngestReport, shown: str, article_id: str, first: Path) -> None:
    """Count an article read a second time (from the file ``shown``) as a skipped record."""
    report.skipped += 1
    report.warnings.append(
        f"{shown}: article {article_id!r} already read from {display_path(first)} (skipped)"
    )


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    vectors: np.ndarray
    todo: list[int]  # positions in chunks still to embed
    is_update: bool
    report: IngestReport  # where this article's counts go


class Ingestor:
    """Adds files and articles to a store. It holds no run state, so one instance serves many runs.

    Args:
        settings: limits and chunking parameters.
        store: where articles go.
        embedder: the embedding model.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embedder,
        articles: Callable[[], Iterable[ArticleInfo]] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        # What prune reads to find the articles of the given files: the lexical index's
        # catalogue when the library gives it (listing the store's records took 10.9 s of a
        # 15 s removal at 100,000 articles, bench/results/live-1000000.md).
        self.articles = articles or store.list_articles
        self.embedder = embedder
        self.grouper = Grouper(store)
        self.limits = LoadLimits(
            max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
            max_article_chars=settings.max_article_chars,
        )

    def read_paths(
        self, paths: Sequence[Path], report: IngestReport, progress: Progress | None = None
    ) -> tuple[list[Article], dict[str, Path], set[str]]:
        """Load every supported file under ``paths``, recording failures in ``report``.

        Returns:
            The articles (first occurrence of each id), the file each id came from, and the
            (absolute display) paths of the files that loaded.
        """
        files = list(iter_files(paths))
        articles: list[Article] = []
        seen: dict[str, Path] = {}
        loaded: set[str] = set()
        for n, (path, error) in enumerate(files, 1):
            shown = display_path(path)
            result = None if error else load_file(path, self.limits)
            error = error or (result.error if result else None)
            if error:
                report.failed += 1
                report.errors.append(f"{shown}: {error}")
            else:
                loaded.add(display_path(os.path.abspath(path)))
            if result is not None:
                report.skipped += len(result.problems)
                report.warnings.extend(f"{shown}: {p}" for p in result.problems)
                report.notes.extend(f"{shown}: {n}" for n in result.notes)
                for article in result.articles:
                    if article.id in seen:
                        _skip_repeated(report, shown, article.id, seen[article.id])
                        continue
                    seen[article.id] = path
                    articles.append(article)
            if progress:
                progress("files", n, len(files))
        return articles, seen, loaded

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

        Raises:
            StoreError: the store cannot be written.
        """
        started = time.perf_counter()
        report = IngestReport()
        roots = [Path(p) for p in paths]
        articles, seen, loaded = self.read_paths(roots, report, progress)
        with self.store.writing():
            report.orphans_removed = self.store.recovered_orphans
            self._ingest([(article, report) for article in articles], progress)
            if prune:
                report.removed += self.prune(roots, keep=set(seen), loaded=loaded)
        report.seconds = time.perf_counter() - started
        return report

    def add_articles(
        self, articles: Sequence[Article], progress: Progress | None = None
    ) -> IngestReport:
        """Index articles built in code (same rules as files; a repeated id is skipped)."""
        started = time.perf_counter()
        report = IngestReport()
        unique: dict[str, Article] = {}
        for article in articles:
            if article.id in unique:
                report.skipped += 1
                report.warnings.append(f"article {article.id!r} given twice (second one skipped)")
                continue
            unique[article.id] = article
        with self.store.writing():
            report.orphans_removed = self.store.recovered_orphans
            self._ingest([(article, report) for article in unique.values()], progress)
        report.seconds = time.perf_counter() - started
        return report

    def add_each(
        self, files: Sequence[str | os.PathLike[str]], progress: Progress | None = None
    ) -> BatchReport:
        """Index several files in one write session, with one report per file.

        What :meth:`add_paths` does for all of them together (one session, so one generation
        and one lexical index update, and full embedding groups across files), except that
        each file is read on its own and its articles are counted in its own report: the
        app's upload box shows one result line per file. An article id already read from an
        earlier file of the batch is skipped with a warning, as :meth:`add_paths` does.

        Args:
            files: the files (a folder is walked, its articles counted as one file's).
            progress: optional callback: ("files", files read, files) then ("chunks", ...).

        Returns:
            The reports, one per file in the order given.

        Raises:
            StoreError: the store cannot be written.
        """
        started = time.perf_counter()
        batch = BatchReport([IngestReport() for _ in files])
        work: list[tuple[Article, IngestReport]] = []
        first_read: dict[str, Path] = {}
        for n, (path, report) in enumerate(zip(files, batch.files, strict=True), 1):
            articles, seen, _ = self.read_paths([Path(path)], report)
            for article in articles:
                if article.id in first_read:
                    shown = display_path(seen[article.id])
                    _skip_repeated(report, shown, article.id, first_read[article.id])
                    continue
                first_read[article.id] = seen[article.id]
                work.append((article, report))
            if progress:
                progress("files", n, len(files))
        if work:
            with self.store.writing():
                batch.orphans_removed = self.store.recovered_orphans
                self._ingest(work, progress)
        batch.seconds = time.perf_counter() - started
        for report in batch.files:
            report.seconds = batch.seconds
        return batch

    def prune(
        self, roots: Sequence[Path], keep: AbstractSet[str], loaded: AbstractSet[str] = frozenset()
    ) -> int:
        """Remove articles read from files under ``roots`` that are gone or no longer hold them.

        Args:
            roots: the files and folders that were scanned.
            keep: ids read in this run (never removed).
            loaded: files (absolute display paths) read in full in this run: an article recorded
                as coming from one of them but not in ``keep`` was removed from that file.

        Returns:
            The number of articles removed.
        """
        # Stored paths are absolute display forms (see loaders.display_path), so compare like
        # with like: the display forms of what exists now.
        present = {
            display_path(os.path.abspath(p)) for p, _ in iter_files(roots) if os.path.lexists(p)
        }
        prefixes = [display_path(os.path.abspath(r)) for r in roots]
        with self.store.writing():
            doomed = []
            for info in self.articles():
                if not info.path or info.id in keep:
                    continue
                inside = any(
                    info.path == r or info.path.startswith(r.rstrip("/") + "/") for r in prefixes
                )
                if inside and (info.path not in present or info.path in loaded):
                    doomed.append(info.id)
            return self.store.remove_articles(doomed) if doomed else 0

    def _ingest(self, work: list[tuple[Article, IngestReport]], progress: Progress | None) -> None:
        """Chunk, embed and commit ``work``: each article with the report its counts go to."""
        stored = self.store.article_hashes([article.id for article, _ in work])
        todo: list[tuple[Article, bool, IngestReport]] = []
        for article, report in work:
            report.article_ids.append(article.id)
            old = stored.get(article.id)
            if old == article.content_hash:
                report.unchanged += 1
            else:
                todo.append((article, old is not None, report))
        if not todo:
            if progress:
                progress("chunks", 0, 0)
            return
        # Embed the next group while this one is grouped into stories and written (and the
        # first while the rest are chunked): the embedder runs outside the interpreter lock,
        # so the other work overlaps it (bench/results/live-1000000.md). Commits stay in
        # order, one group at a time.
        ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-ahead")
        try:
            # Chunk everything before the first commit: the progress bar gets a true total.
            groups: list[list[_Pending]] = [[]]
            size = 0
            first = None
            for article, is_update, report in todo:
                if size >= self.settings.ingest_group:
                    if first is None:
                        first = ahead.submit(self._embed, groups[0])
                    groups.append([])
                    size = 0
                item = self._plan(article, is_update, report)
                groups[-1].append(item)
                size += len(item.todo)
            total = sum(len(item.todo) for group in groups for item in group)
            if progress:
                progress("chunks", 0, total)
            next_vectors = first or ahead.submit(self._embed, groups[0])
            done = 0
            for n, group in enumerate(groups):
                embedded = next_vectors.result()
                if n + 1 < len(groups):
                    next_vectors = ahead.submit(self._embed, groups[n + 1])
                done = self._commit(group, embedded, progress, done, total)
        finally:
            # On an error (or Ctrl-C) the group being embedded ahead is dropped, not waited for.
            ahead.shutdown(wait=False, cancel_futures=True)

    def _plan(self, article: Article, is_update: bool, report: IngestReport) -> _Pending:
        chunks = chunk_article(article, self.settings.chunk_tokens, self.settings.chunk_overlap)
        vectors = np.zeros((len(chunks), self.embedder.dim or 1), dtype=np.float32)
        todo = list(range(len(chunks)))
        if is_update:
            cache = self.store.cached_vectors(article.id)
            todo = []
            for i, chunk in enumerate(chunks):
                vector = cache.get(vector_key(passage_text(article.title, chunk.text)))
                if vector is not None and vector.shape[0] == vectors.shape[1]:
                    vectors[i] = vector
                    report.chunks_reused += 1
                else:
                    todo.append(i)
        return _Pending(article, chunks, vectors, todo, is_update, report)

    def _embed(self, group: list[_Pending]) -> tuple[list[str], np.ndarray, dict[str, int], float]:
        """The group's texts to embed, their vectors (one row per distinct text), the row of
        each text and the embedder's seconds."""
        texts = [
            passage_text(item.article.title, item.chunks[i].text)
            for item in group
            for i in item.todo
        ]
        unique = list(dict.fromkeys(texts))
        t0 = time.perf_counter()
        embedded = self.embedder.embed(unique) if unique else np.zeros((0, 1), dtype=np.float32)
        seconds = time.perf_counter() - t0
        return texts, embedded, {text: row for row, text in enumerate(unique)}, seconds

    def _commit(
        self,
        group: list[_Pending],
        embedded: tuple[list[str], np.ndarray, dict[str, int], float],
        progress: Progress | None,
        done: int,
        total: int,
    ) -> int:
        """Place the group's vectors, decide its stories and write it; returns chunks done."""
        texts, vectors, row_of, seconds = embedded
        position = 0
        for item in group:
            if texts and item.vectors.shape[1] != vectors.shape[1]:
                item.vectors = np.zeros((len(item.chunks), vectors.shape[1]), dtype=np.float32)
            for i in item.todo:
                item.vectors[i] = vectors[row_of[texts[position]]]
                position += 1
        entries = [(item.article, item.chunks, item.vectors) for item in group]
        self.store.put_articles(entries, self.grouper.assign(entries))
        for item in group:
            report = item.report
            report.chunks_embedded += len(item.todo)
            # Files of one batch share the group's embedder call: each gets its chunks' share.
            report.embed_seconds += seconds * len(item.todo) / len(texts) if texts else 0.0
            if item.is_update:
                report.updated += 1
            else:
                report.added += 1
        done += len(texts)
        if progress:
            progress("chunks", done, total)
        return done
