"""The vector store: Chroma, embedded on disk or a Chroma server, two collections.

* ``<name>_chunks``: one record per chunk, its vector, the verbatim chunk text as the document
  and the article's metadata (id, title, source, date as a day number for range filters, url) plus
  the chunk's character offsets.
* ``<name>_articles``: one record per article, the full text as the document. Chroma requires a
  vector per record, so these carry a constant 1-d vector; they are only ever fetched by id.

Write order makes an interrupted ingestion safe: an article's old chunks are deleted, its new
chunks written, and only then its article record, which carries the content hash. An article
whose record is missing or stale is simply redone on the next run, and chunks whose article has
no record (a run killed half-way) are removed as orphans before any new work. Readers ignore
chunks without a committed record, so a half-written article is never visible.

The chunk collection records the embedding model id and the chunking parameters; opening it with
others raises :class:`IndexMismatchError` rather than silently mixing vector spaces. A generation
counter in the article collection's metadata changes on every write, so the BM25 side and other
processes know when to reload.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlparse

import numpy as np

from .article import Article
from .chunking import Chunk
from .dates import UNKNOWN_ORDINAL, from_ordinal, to_ordinal
from .errors import IndexMismatchError, StoreError
from .settings import Settings

SCHEMA_VERSION = 1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArticleInfo:
    """An indexed article's metadata (no text)."""

    id: str
    title: str
    source: str
    published: date | None
    url: str
    author: str
    path: str
    content_hash: str
    chunks: int


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    article_id: str
    text: str
    title: str
    source: str
    published: date | None
    url: str
    start: int
    end: int
    index: int


@dataclass(frozen=True)
class DenseHit:
    """A dense search result: the chunk and its cosine similarity."""

    chunk: StoredChunk
    score: float


@dataclass(frozen=True)
class Filters:
    """Date range (inclusive) and outlets; None means no restriction."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] | None = None

    @property
    def active(self) -> bool:
        """True when any restriction is set."""
        return bool(self.since or self.until or self.sources)

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause for these filters."""
        clauses: list[dict[str, Any]] = []
        if self.since:
            clauses.append({"published": {"$gte": to_ordinal(self.since)}})
        if self.until:
            clauses.append({"published": {"$lte": to_ordinal(self.until)}})
        if self.since and not self.until:
            clauses.append({"published": {"$gt": UNKNOWN_ORDINAL}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _open_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(f"NEWSQA_CHROMA_URL must be http(s)://host:port, got {settings.chroma_url!r}")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
    path = Path(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class Store:
    """The two Chroma collections of one newsqa index.

    Args:
        settings: where the store lives and the chunking parameters.
        model_id: id of the embedding model the vectors come from.
    """

    def __init__(self, settings: Settings, model_id: str) -> None:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        self.settings = settings
        self.model_id = model_id
        self._client = _open_client(settings)
        expected = {
            "newsqa_schema": SCHEMA_VERSION,
            "embed_model": model_id,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
        }
        name = settings.collection
        self.chunks = self._client.get_or_create_collection(
            f"{name}_chunks", metadata=expected, embedding_function=None
        )
        found = {k: (self.chunks.metadata or {}).get(k) for k in expected}
        if found != expected:
            where = settings.chroma_url or str(Path(settings.data_dir) / "chroma")
            raise IndexMismatchError(
                f"the index at {where} was built with {_describe(found)}, but the settings ask for "
                f"{_describe(expected)}. Rebuild it: `python -m index rebuild` (re-reads the "
                f"indexed files), or point NEWSQA_DATA_DIR elsewhere, or restore the old settings."
            )
        self.articles = self._client.get_or_create_collection(
            f"{name}_articles", metadata={"newsqa_schema": SCHEMA_VERSION, "generation": 0},
            embedding_function=None,
        )
        self._batch = max(1, min(self._client.get_max_batch_size(), 1000))

    # ---- reading -------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the store lives, for messages."""
        return self.settings.chroma_url or str(Path(self.settings.data_dir) / "chroma")

    def generation(self) -> int:
        """A number that changes whenever the index content changes."""
        metadata = self._client.get_collection(
            self.articles.name, embedding_function=None
        ).metadata or {}
        return int(metadata.get("generation", 0))

    def article_hashes(self) -> dict[str, str]:
        """Content hash of every committed article, by id."""
        out: dict[str, str] = {}
        for ids, metas, _ in self._scan(self.articles, ["metadatas"]):
            for id_, meta in zip(ids, metas):
                out[id_] = str(meta.get("content_hash", ""))
        return out

    def list_articles(self) -> list[ArticleInfo]:
        """Metadata of every committed article, newest first."""
        infos = [
            _info(id_, meta)
            for ids, metas, _ in self._scan(self.articles, ["metadatas"])
            for id_, meta in zip(ids, metas)
        ]
        infos.sort(key=lambda a: (a.published or date.min, a.title), reverse=True)
        return infos

    def get_article(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        """An article's metadata and full text, or None when it is not indexed."""
        got = self.articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return _info(article_id, got["metadatas"][0]), got["documents"][0] or ""

    def count_articles(self) -> int:
        """Number of committed articles."""
        return self.articles.count()

    def count_chunks(self) -> int:
        """Number of chunk records (including any orphans of an interrupted run)."""
        return self.chunks.count()

    def iter_chunks(self, include_vectors: bool = False) -> Iterator[tuple[list[str], list[str], list[dict], Any]]:
        """All chunks in pages: (ids, documents, metadatas, embeddings or None)."""
        include = ["documents", "metadatas"] + (["embeddings"] if include_vectors else [])
        for ids, metas, extra in self._scan(self.chunks, include):
            yield ids, extra.get("documents") or [], metas, extra.get("embeddings")

    def chunk_ids_by_article(self) -> dict[str, list[str]]:
        """Chunk ids grouped by their article id."""
        out: dict[str, list[str]] = {}
        for ids, metas, _ in self._scan(self.chunks, ["metadatas"]):
            for id_, meta in zip(ids, metas):
                out.setdefault(str(meta.get("article_id")), []).append(id_)
        return out

    def cached_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        """Vectors of an article's current chunks keyed by chunk content hash (re-use on update)."""
        got = self.chunks.get(where={"article_id": article_id}, include=["metadatas", "embeddings"])
        out: dict[str, np.ndarray] = {}
        embeddings = got.get("embeddings")
        if embeddings is None:
            return out
        for meta, vec in zip(got["metadatas"], embeddings):
            out[str(meta.get("hash"))] = np.asarray(vec, dtype=np.float32)
        return out

    def dense_query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[DenseHit]:
        """Nearest chunks to a unit query vector, with cosine similarities."""
        total = self.chunks.count()
        if total == 0:
            return []
        where = filters.where() if filters else None
        try:
            got = self.chunks.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=min(n, total),
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:  # chroma raises generic errors when a filter matches nothing
            if "no" in str(exc).lower() and where:
                return []
            raise
        hits = []
        for id_, doc, meta, dist in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]):
            # Squared L2 between unit vectors is 2 - 2 cos.
            hits.append(DenseHit(stored_chunk(id_, doc, meta), 1.0 - float(dist) / 2.0))
        return hits

    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Chunks by id (missing ids are skipped)."""
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        found = {i: stored_chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [found[i] for i in ids if i in found]

    def sources(self) -> list[str]:
        """Distinct outlets of the indexed articles, sorted."""
        return sorted({a.source for a in self.list_articles() if a.source})

    # ---- writing -------------------------------------------------------------------------

    def put_article(self, article: Article, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Replace an article's chunks and commit its record (see module docstring for the order)."""
        self._delete_chunks_of(article.id)
        base = {
            "article_id": article.id,
            "title": article.title,
            "source": article.source,
            "published": to_ordinal(article.published),
            "url": article.url,
        }
        for b in range(0, len(chunks), self._batch):
            part = chunks[b : b + self._batch]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[b : b + self._batch], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[
                    {**base, "start": c.start, "end": c.end, "index": c.index, "hash": c.content_hash}
                    for c in part
                ],
            )
        self.articles.upsert(
            ids=[article.id],
            embeddings=[[1.0]],
            documents=[article.text],
            metadatas=[
                {
                    "title": article.title,
                    "source": article.source,
                    "published": to_ordinal(article.published),
                    "url": article.url,
                    "author": article.author,
                    "path": article.path,
                    "content_hash": article.content_hash,
                    "chunks": len(chunks),
                }
            ],
        )

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks. Returns False when it was not indexed."""
        existed = bool(self.articles.get(ids=[article_id], include=[])["ids"])
        # Record first: from then on readers ignore the chunks, which go next.
        self.articles.delete(ids=[article_id])
        self._delete_chunks_of(article_id)
        return existed

    def remove_orphans(self) -> int:
        """Delete chunks whose article has no committed record (left by an interrupted run)."""
        committed = set(self.article_hashes())
        orphans = [
            chunk_id
            for article_id, chunk_ids in self.chunk_ids_by_article().items()
            if article_id not in committed
            for chunk_id in chunk_ids
        ]
        for b in range(0, len(orphans), self._batch):
            self.chunks.delete(ids=orphans[b : b + self._batch])
        return len(orphans)

    def bump_generation(self) -> int:
        """Mark the content as changed; returns the new generation."""
        metadata = dict(self.articles.metadata or {})
        generation = max(int(metadata.get("generation", 0)), self.generation()) + 1
        # Time-based so two processes writing at once never land on the same number.
        generation = max(generation, int(time.time() * 1000))
        metadata["generation"] = generation
        self.articles.modify(metadata=metadata)
        return generation

    def _delete_chunks_of(self, article_id: str) -> None:
        self.chunks.delete(where={"article_id": article_id})

    def _scan(self, collection, include: list[str]) -> Iterator[tuple[list[str], list[dict], dict]]:
        offset = 0
        page = 5000
        while True:
            got = collection.get(include=include, limit=page, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            yield ids, got.get("metadatas") or [{} for _ in ids], got
            if len(ids) < page:
                return
            offset += page


def stored_chunk(id_: str, document: str | None, meta: dict) -> StoredChunk:
    """Build a :class:`StoredChunk` from a Chroma record."""
    return StoredChunk(
        id=id_,
        article_id=str(meta.get("article_id", "")),
        text=document or "",
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published=from_ordinal(meta.get("published")),
        url=str(meta.get("url", "")),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        index=int(meta.get("index", 0)),
    )


def _info(id_: str, meta: dict) -> ArticleInfo:
    return ArticleInfo(
        id=id_,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published=from_ordinal(meta.get("published")),
        url=str(meta.get("url", "")),
        author=str(meta.get("author", "")),
        path=str(meta.get("path", "")),
        content_hash=str(meta.get("content_hash", "")),
        chunks=int(meta.get("chunks", 0)),
    )


def _describe(params: dict) -> str:
    return (
        f"model {params.get('embed_model')!r}, {params.get('chunk_tokens')}-token chunks, "
        f"{params.get('chunk_overlap')}-token overlap"
    )
