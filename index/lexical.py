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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .catalogue import Catalogue
from .dates import UNKNOWN_ORDINAL, from_ordinal
from .store import Filters, Store
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


class LexicalIndex:
    """BM25 over all committed chunks, with per-chunk date and outlet arrays for filtering.

    Args:
        store: the store the chunks come from.
        root: the data folder (the index lives under ``root/bm25/<collection>``).
    """

    #: How many generation folders to keep (a reader may still be loading the previous one).
    KEEP = 2

    def __init__(self, store: Store, root: Path) -> None:
        self._store = store
        self._dir = Path(root) / "bm25" / store.settings.collection
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._retriever = None
        self.chunk_ids: list[str] = []
        self._published = np.zeros(0, dtype=np.int64)
        # Outlets as small integers per chunk: a filter's mask over a million chunks then takes
        # about a millisecond (comparing strings took about 20 ms, once per sub-query).
        self._outlets = _Outlets.of([])
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
        return self._generation

    def ensure_current(self) -> None:
        """Load or rebuild the index if the store changed since it was built."""
        generation = self._store.generation()
        if generation == self._generation:
            return
        with self._lock:
            if generation == self._generation:
                return
            if not self._load(generation):
                self._build(generation)

    def catalogue(self) -> Catalogue:
        """The committed articles of the store's current generation.

        Read from the generation's saved folder when there is one; else from the store (a
        folder saved by an older version, or none yet: listing must not wait for a BM25 build).
        """
        generation = self._store.generation()
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

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25, restricted by ``filters``."""
        self.ensure_current()
        retriever, chunk_ids = self._retriever, self.chunk_ids
        if retriever is None or not chunk_ids:
            return []
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        scores = retriever.get_scores(tokens)
        if filters is not None and filters.active:
            scores = np.where(self._mask(filters), scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _mask(self, filters: Filters) -> np.ndarray:
        from .dates import to_ordinal

        mask = np.ones(len(self.chunk_ids), dtype=bool)
        if filters.since:
            mask &= self._published >= to_ordinal(filters.since)
        if filters.until:
            mask &= (self._published <= to_ordinal(filters.until)) & (
                self._published > UNKNOWN_ORDINAL
            )
        if filters.sources:
            mask &= self._outlets.mask(filters.sources)
        return mask

    def _build(self, generation: int) -> None:
        from .bm25build import PagedBM25Builder

        started = time.perf_counter()
        builder = PagedBM25Builder()
        ids: list[str] = []
        published: list[int] = []
        sources: list[str] = []
        articles = self._store.list_articles()
        committed = {a.id for a in articles}
        for page_ids, docs, metas, _ in self._store.iter_chunks():
            texts = []
            for id_, doc, meta in zip(page_ids, docs, metas):
                if not meta or meta.get("article_id") not in committed:
                    continue  # a half-written article is never searchable
                ids.append(id_)
                header = chunk_header(
                    meta.get("title", ""),
                    meta.get("source", ""),
                    from_ordinal(meta.get("published")),
                )
                texts.append(f"{header}\n{doc or ''}")
                published.append(int(meta.get("published", UNKNOWN_ORDINAL)))
                sources.append(str(meta.get("source", "")))
            # Page by page: neither the texts nor their tokens are ever all in memory at once.
            builder.add_page(tokenize(texts))
        self._retriever = builder.finish()
        self.chunk_ids = ids
        self._published = np.asarray(published, dtype=np.int64)
        self._outlets = _Outlets.of(sources)
        self._catalogue, self._catalogue_generation = Catalogue(tuple(articles)), generation
        self._generation = generation
        self.origin = "built"
        self._save(generation)
        self.build_seconds = time.perf_counter() - started

    def _folder(self, generation: int) -> Path:
        return self._dir / f"g{generation}"

    def _save(self, generation: int) -> None:
        final = self._folder(generation)
        if final.exists():
            return  # another process saved this generation already
        tmp = self._dir / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir(parents=True)
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25"), show_progress=False)
            np.save(tmp / "published.npy", self._published)
            if self._catalogue is not None:
                self._catalogue.save(tmp / "articles.json")
            (tmp / "rows.json").write_text(
                json.dumps(
                    {
                        "generation": generation,
                        "ids": self.chunk_ids,
                        "sources": self._outlets.names(),
                    }
                )
            )
            try:
                tmp.rename(final)
            except OSError:
                shutil.rmtree(
                    tmp, ignore_errors=True
                )  # lost the race to another process: same content
            self._prune(keep=generation)
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

    def _load(self, generation: int) -> bool:
        bm25s = load_bm25s()

        folder = self._folder(generation)
        try:
            rows = json.loads((folder / "rows.json").read_text())
            if rows.get("generation") != generation:
                return False
            retriever = None
            if rows["ids"]:
                # Memory-mapped: start-up does not copy the matrix, the page cache shares it.
                retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
            published = np.load(folder / "published.npy")
        except (OSError, ValueError, KeyError) as exc:
            log.debug("BM25 index for generation %s not loaded (%s); rebuilding", generation, exc)
            return False
        self._retriever = retriever
        self.chunk_ids = list(rows["ids"])
        self._outlets = _Outlets.of(rows["sources"])
        self._published = published
        self._generation = generation
        self.origin = "loaded"
        return True


@dataclass(frozen=True)
class _Outlets:
    """Each chunk's outlet as a code into a list of distinct outlet names."""

    codes: np.ndarray
    code_of: dict[str, int]

    @classmethod
    def of(cls, per_chunk: list[str]) -> _Outlets:
        code_of: dict[str, int] = {}
        codes = np.fromiter(
            (code_of.setdefault(name, len(code_of)) for name in per_chunk),
            dtype=np.int32,
            count=len(per_chunk),
        )
        return cls(codes, code_of)

    def mask(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """Chunks whose outlet is one of ``names``."""
        wanted = [self.code_of[name] for name in names if name in self.code_of]
        return np.isin(self.codes, wanted)

    def names(self) -> list[str]:
        """The outlet of each chunk, in chunk order."""
        by_code = list(self.code_of)
        return [by_code[code] for code in self.codes.tolist()]
