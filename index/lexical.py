"""The BM25 side of hybrid retrieval (bm25s over the index terms of :func:`index.text.tokenize`).

Each chunk is indexed with its article's title, outlet and date in front of the text: questions
name outlets ("according to TechCrunch") and headlines carry the topic words a body may only
imply.

The index is built from the chunks in Chroma, so it can never drift from the vector side, and saved
under ``DATA_DIR/bm25/<collection>/g<generation>/``: one folder per store generation, written
under a temporary name and renamed into place (with the generation's article catalogue,
:mod:`index.catalogue`), so a reader never sees half a folder and two
processes never write into the same one. A writer builds and saves the index for the generation it
is about to publish before publishing it (a commit hook of the store), so an app start, or an app
that sees an ingestion finish, loads the saved index instead of rebuilding it. The two newest
folders are kept; older ones are removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import Catalogue
from .dates import to_ordinal
from .filters import Filters, Outlets
from .store import Store
from .text import load_bm25s, tokenize

log = logging.getLogger(__name__)


def chunk_header(title: str, source: str, published: date | None) -> str:
    """The metadata line put in front of a chunk for lexical (and dense) indexing."""
    parts = [title]
    if source:
        parts.append(source)
    if published:
        parts.append(f"{published.isoformat()} {published.strftime('%B %-d, %Y')}")
    return " | ".join(p for p in parts if p)


@dataclass(frozen=True)
class LexicalHit:
    """A BM25 result: row in the index and score."""

    chunk_id: str
    score: float


@dataclass(frozen=True, eq=False)
class LexicalGeneration:
    """The BM25 index of one store generation, with each row's chunk id, date and outlet.

    Never changed once made: a question searches one of these throughout, whatever an ingestion
    publishes meanwhile.

    Attributes:
        generation: the store generation it reflects.
        retriever: the ``bm25s.BM25`` index (None when there are no chunks).
        chunk_ids: the chunk of each row.
        published: each row's day number (``UNKNOWN_ORDINAL`` when undated).
        outlets: each row's outlet.
    """

    generation: int
    retriever: Any
    chunk_ids: Sequence[str]
    published: np.ndarray
    outlets: Outlets

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25, restricted by ``filters``."""
        retriever, chunk_ids = self.retriever, self.chunk_ids
        if retriever is None or not chunk_ids:
            return []
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        scores = retriever.get_scores(tokens)
        if filters is not None and filters.active:
            scores = np.where(filters.mask(self.published, self.outlets), scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]


class LexicalIndex:
    """BM25 over all committed chunks of a store, one :class:`LexicalGeneration` at a time.

    Args:
        store: the store the chunks come from.
        root: the data folder (the index lives under ``root/bm25/<collection>``).
    """

    #: How many generation folders to keep (a reader may still be loading the previous one).
    KEEP = 2

    def __init__(self, store: Store, root: Path) -> None:
        self._store = store
        self._dir = saved_folder(root, store.settings.collection)
        self._lock = threading.Lock()
        self._current: LexicalGeneration | None = None
        self._catalogue: Catalogue | None = None
        self._catalogue_generation: int | None = None
        #: How the current index was obtained: "loaded", "built" or "" before the first use.
        self.origin = ""
        #: Seconds the last build took (reading the chunks, tokenizing, indexing, saving).
        self.build_seconds = 0.0
        add_hook = getattr(store, "add_commit_hook", None)
        if add_hook is not None:
            add_hook(self.prepare)

    @property
    def generation(self) -> int | None:
        """The store generation the in-memory index reflects (None before the first use)."""
        current = self._current
        return current.generation if current is not None else None

    def at(self, generation: int) -> LexicalGeneration:
        """The index of ``generation``: held, loaded from its saved folder, or built.

        Args:
            generation: a generation the store reported (:meth:`index.store.Store.generation`).
        """
        current = self._current
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._current
            if current is None or current.generation != generation:
                current = self._load(generation) or self._build(generation)
            return current

    def ensure_current(self) -> LexicalGeneration:
        """The index of the store's current generation, loaded or rebuilt if it changed."""
        return self.at(self._store.generation())

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25 at the store's current generation.

        A question's several searches go through one :meth:`at` instead (see
        :meth:`index.NewsIndex.snapshot`).
        """
        return self.ensure_current().search(query, n, filters)

    def catalogue(self) -> Catalogue:
        """The committed articles of the store's current generation (see :meth:`catalogue_at`)."""
        return self.catalogue_at(self._store.generation())

    def catalogue_at(self, generation: int) -> Catalogue:
        """The committed articles of ``generation``.

        Read from the generation's saved folder when there is one; else from the store (a
        folder saved by an older version, or none yet: listing must not wait for a BM25 build).
        """
        with self._lock:
            if self._catalogue is None or self._catalogue_generation != generation:
                try:
                    catalogue = Catalogue.load(self._folder(generation) / "articles.json")
                except (OSError, ValueError, KeyError, TypeError):
                    catalogue = Catalogue(tuple(self._store.list_articles()))
                self._catalogue, self._catalogue_generation = catalogue, generation
            return self._catalogue

    def prepare(self, generation: int) -> None:
        """Build and save the index for a generation about to be published (the commit hook).

        Args:
            generation: the number the store will publish once this returns.
        """
        with self._lock:
            self._build(generation)

    def _build(self, generation: int) -> LexicalGeneration:
        from .bm25build import PagedBM25Builder

        started = time.perf_counter()
        builder = PagedBM25Builder()
        ids: list[str] = []
        published: list[int] = []
        sources: list[str] = []
        articles = self._store.list_articles()
        committed = {a.id for a in articles}
        for chunks, _ in self._store.committed_chunks(articles=committed):
            texts = []
            for chunk in chunks:
                ids.append(chunk.id)
                header = chunk_header(chunk.title, chunk.source, chunk.published)
                texts.append(f"{header}\n{chunk.text}")
                published.append(to_ordinal(chunk.published))
                sources.append(chunk.source)
            # Page by page: neither the texts nor their tokens are ever all in memory at once.
            builder.add_page(tokenize(texts))
        built = LexicalGeneration(
            generation=generation,
            retriever=builder.finish(),
            chunk_ids=ids,
            published=np.asarray(published, dtype=np.int64),
            outlets=Outlets.of(sources),
        )
        catalogue = Catalogue(tuple(articles))
        self._current = built
        self._catalogue, self._catalogue_generation = catalogue, generation
        self.origin = "built"
        self._save(built, catalogue)
        self.build_seconds = time.perf_counter() - started
        return built

    def _folder(self, generation: int) -> Path:
        return self._dir / f"g{generation}"

    def _save(self, built: LexicalGeneration, catalogue: Catalogue) -> None:
        final = self._folder(built.generation)
        if final.exists():
            return  # another process saved this generation already
        tmp = self._dir / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir(parents=True)
            if built.retriever is not None:
                built.retriever.save(str(tmp / "bm25"), show_progress=False)
            np.save(tmp / "published.npy", built.published)
            catalogue.save(tmp / "articles.json")
            (tmp / "rows.json").write_text(
                json.dumps(
                    {
                        "generation": built.generation,
                        "ids": list(built.chunk_ids),
                        "sources": built.outlets.names(),
                    }
                )
            )
            try:
                tmp.rename(final)
            except OSError:
                # Lost the race to another process, which saved the same content.
                shutil.rmtree(tmp, ignore_errors=True)
            self._prune(keep=built.generation)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            log.warning("could not save the BM25 index to %s: %s", final, exc)

    def _prune(self, keep: int) -> None:
        """Remove old generation folders and temporary folders of dead writers."""
        folders = []
        for entry in self._dir.iterdir():
            if entry.name.startswith("g") and entry.name[1:].isdigit():
                folders.append((int(entry.name[1:]), entry))
            elif entry.name.startswith(".tmp-") and time.time() - entry.stat().st_mtime > 3600:
                shutil.rmtree(entry, ignore_errors=True)
        folders.sort(reverse=True)
        for number, entry in folders[self.KEEP :]:
            if number != keep:
                shutil.rmtree(entry, ignore_errors=True)

    def _load(self, generation: int) -> LexicalGeneration | None:
        bm25s = load_bm25s()

        folder = self._folder(generation)
        try:
            rows = json.loads((folder / "rows.json").read_text())
            if rows.get("generation") != generation:
                return None
            retriever = None
            if rows["ids"]:
                # Memory-mapped: start-up does not copy the matrix, the page cache shares it.
                retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
            published = np.load(folder / "published.npy")
        except (OSError, ValueError, KeyError) as exc:
            log.debug("BM25 index for generation %s not loaded (%s); rebuilding", generation, exc)
            return None
        loaded = LexicalGeneration(
            generation=generation,
            retriever=retriever,
            chunk_ids=list(rows["ids"]),
            published=published,
            outlets=Outlets.of(rows["sources"]),
        )
        self._current = loaded
        self.origin = "loaded"
        return loaded


def saved_folder(root: Path, collection: str) -> Path:
    """Where the BM25 indexes of a collection are saved, one folder per generation."""
    return Path(root) / "bm25" / collection
