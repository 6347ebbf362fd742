"""The BM25 side of hybrid retrieval (bm25s, Snowball English stemming, English stop words).

Each chunk is indexed with its article's title, outlet and date in front of the text: questions
name outlets ("according to TechCrunch") and headlines carry the topic words a body may only
imply. The index is saved under ``DATA_DIR/bm25/<collection>/`` with the store generation it was
built from, and rebuilt from the chunks in Chroma whenever that generation has moved on, so it can
never drift from the vector side, and an app start loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .dates import UNKNOWN_ORDINAL, from_ordinal
from .store import Filters, Store

log = logging.getLogger(__name__)
_STEMMER = None


def _stemmer():
    global _STEMMER
    if _STEMMER is None:
        import Stemmer

        _STEMMER = Stemmer.Stemmer("english")
    return _STEMMER


def chunk_header(title: str, source: str, published: date | None) -> str:
    """The metadata line put in front of a chunk for lexical (and dense) indexing."""
    parts = [title]
    if source:
        parts.append(source)
    if published:
        parts.append(f"{published.isoformat()} {published.strftime('%B %-d, %Y')}")
    return " | ".join(p for p in parts if p)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed word tokens, as the BM25 index uses them."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


@dataclass(frozen=True)
class LexicalHit:
    """A BM25 result: row in the index and score."""

    chunk_id: str
    score: float


class LexicalIndex:
    """BM25 over all chunks, with per-chunk date and outlet arrays for filtering."""

    def __init__(self, store: Store, root: Path) -> None:
        self._store = store
        self._dir = Path(root) / "bm25" / store.settings.collection
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._retriever = None
        self.chunk_ids: list[str] = []
        self._published = np.zeros(0, dtype=np.int64)
        self._sources: np.ndarray = np.zeros(0, dtype=object)

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

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25, restricted by ``filters``."""
        self.ensure_current()
        if self._retriever is None or not self.chunk_ids:
            return []
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        if filters is not None and filters.active:
            scores = np.where(self._mask(filters), scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _mask(self, filters: Filters) -> np.ndarray:
        from .dates import to_ordinal

        mask = np.ones(len(self.chunk_ids), dtype=bool)
        if filters.since:
            mask &= self._published >= to_ordinal(filters.since)
        if filters.until:
            mask &= (self._published <= to_ordinal(filters.until)) & (self._published > UNKNOWN_ORDINAL)
        if filters.sources:
            mask &= np.isin(self._sources, list(filters.sources))
        return mask

    def _build(self, generation: int) -> None:
        import bm25s

        ids: list[str] = []
        texts: list[str] = []
        published: list[int] = []
        sources: list[str] = []
        committed = set(self._store.article_hashes())
        for page_ids, docs, metas, _ in self._store.iter_chunks():
            for id_, doc, meta in zip(page_ids, docs, metas):
                if meta.get("article_id") not in committed:
                    continue  # a half-written article is never searchable
                ids.append(id_)
                header = chunk_header(meta.get("title", ""), meta.get("source", ""), from_ordinal(meta.get("published")))
                texts.append(f"{header}\n{doc}")
                published.append(int(meta.get("published", UNKNOWN_ORDINAL)))
                sources.append(str(meta.get("source", "")))
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(tokenize(texts), show_progress=False)
        self._retriever = retriever
        self.chunk_ids = ids
        self._published = np.asarray(published, dtype=np.int64)
        self._sources = np.asarray(sources, dtype=object)
        self._generation = generation
        self._save(generation)

    def _save(self, generation: int) -> None:
        tmp = self._dir.with_name(self._dir.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25"), show_progress=False)
            np.save(tmp / "published.npy", self._published)
            (tmp / "rows.json").write_text(
                json.dumps({"generation": generation, "ids": self.chunk_ids, "sources": self._sources.tolist()})
            )
            # Swap in whole: a reader never sees a half-written index.
            old = self._dir.with_name(self._dir.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self._dir.exists():
                self._dir.rename(old)
            tmp.rename(self._dir)
            shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            log.warning("could not save the BM25 index to %s: %s", self._dir, exc)

    def _load(self, generation: int) -> bool:
        import bm25s

        rows_path = self._dir / "rows.json"
        try:
            rows = json.loads(rows_path.read_text())
            if rows.get("generation") != generation:
                return False
            retriever = None
            if rows["ids"]:
                retriever = bm25s.BM25.load(str(self._dir / "bm25"), mmap=False, show_progress=False)
            published = np.load(self._dir / "published.npy")
        except (OSError, ValueError, KeyError) as exc:
            log.debug("BM25 index not loaded (%s); rebuilding", exc)
            return False
        self._retriever = retriever
        self.chunk_ids = list(rows["ids"])
        self._sources = np.asarray(rows["sources"], dtype=object)
        self._published = published
        self._generation = generation
        return True
