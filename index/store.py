"""The vector store: Chroma, embedded on disk or a Chroma server, two collections.

* ``<name>_chunks``: one record per chunk, its vector, the verbatim chunk text as the document
  and the article's metadata (id, title, source, date as a day number for range filters, url) plus
  the chunk's character offsets.
* ``<name>_articles``: one record per article, the full text as the document. Chroma requires a
  vector per record, so these carry a constant 1-d vector; they are only ever fetched by id.

Crash safety. Every write happens inside a write session (:meth:`Store.writing`), which holds the
index's write lock (:mod:`index.writelock`) and marks the article collection's metadata with the
writer's token until it ends cleanly. Articles are written in groups, in an order that makes every
prefix of the work safe: (1) the records of the group's articles are deleted (an updated article
is "uncommitted" before its chunks change), (2) their old chunks are deleted, (3) the new chunks
written, (4) the article records, each carrying its content hash, written last as the commit
marker. Readers ignore chunks without a committed record, so a half-written article is never
visible. A session that finds the previous writer's mark still set (it was killed) first removes
the orphan chunks that writer left; the articles it did not commit are simply redone, because
their hash is missing from the store.

Group writes matter for speed, too: each Chroma write call costs tens of milliseconds in the
embedded store whatever its size, so one call per group of articles instead of three per article
keeps the store's share of an ingestion small.

Other processes. The embedded store keeps an in-memory vector index per process that does not see
another process's writes. A generation number in the article collection's metadata changes at the
end of every session that changed the content; a :class:`Store` that sees a generation it did not
write re-opens its client, so an app answering questions picks up what ``python -m index add``
wrote (and the BM25 side rebuilds or loads its saved copy; see :mod:`index.lexical`).

The chunk collection records the embedding model id and the chunking parameters; opening it with
others raises :class:`IndexMismatchError` rather than silently mixing vector spaces.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .article import Article
from .chunking import Chunk
from .dates import UNKNOWN_ORDINAL, from_ordinal, to_ordinal
from .embedding import passage_text, vector_key
from .errors import IndexMismatchError, StoreError
from .settings import Settings
from .writelock import FileLock, token_is_alive, writer_token

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

    def allows(self, published: date | None, source: str) -> bool:
        """True when a chunk of this date and outlet passes (what :meth:`where` selects)."""
        if (self.since or self.until) and published is None:
            return False  # an undated article falls outside every date range
        if self.since and published < self.since:
            return False
        if self.until and published > self.until:
            return False
        return not self.sources or source in self.sources

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause for these filters."""
        clauses: list[dict[str, Any]] = []
        if self.since:
            clauses.append({"published": {"$gte": to_ordinal(self.since)}})
        if self.until:
            clauses.append({"published": {"$lte": to_ordinal(self.until)}})
        if self.until and not self.since:
            # Undated articles are stored below every date: an open-ended range must skip them.
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
            raise StoreError(
                f"NEWSQA_CHROMA_URL must be http(s)://host:port, got {settings.chroma_url!r}"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url}: {exc}"
            ) from None
    path = Path(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    _forget_cached_system(str(path))
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def opening_lock(data_dir: Path) -> contextlib.AbstractContextManager:
    """Hold while opening the embedded store: one process at a time creates or opens its files.

    On its first open Chroma creates its tables and records its migrations without guarding
    against another process doing the same at that moment; the loser fails with "table
    collections already exists" (an app and ``index add`` started together on a new data folder,
    or a reader polling a folder a writer is creating).
    """
    return FileLock(Path(data_dir) / "newsqa-open.lock", activity="opening this index")


def _forget_cached_system(path: str) -> None:
    """Make the next embedded client of ``path`` load the files as they are now.

    chromadb shares one System (with its in-memory vector index) per path in a process and
    offers no public way to reload it. A System cached earlier may predate another process's
    writes, so each :class:`Store` gets its own, and re-opens it when the generation moves on.
    Clients already holding the old System keep working with it.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)


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
        self.embedded = not settings.chroma_url
        opening = opening_lock(settings.data_dir) if self.embedded else contextlib.nullcontext()
        with opening:
            self._client = _open_client(settings)
            self._expected = {
                "newsqa_schema": SCHEMA_VERSION,
                "embed_model": model_id,
                "chunk_tokens": settings.chunk_tokens,
                "chunk_overlap": settings.chunk_overlap,
            }
            name = settings.collection
            self.chunks = self._client.get_or_create_collection(
                f"{name}_chunks", metadata=self._expected, embedding_function=None
            )
            found = {k: (self.chunks.metadata or {}).get(k) for k in self._expected}
            if found != self._expected:
                raise IndexMismatchError(
                    f"the index at {self.location} was built with {_describe(found)}, but the settings ask "
                    f"for {_describe(self._expected)}. Rebuild it: `python -m index rebuild` (re-reads the "
                    f"indexed files), or point NEWSQA_DATA_DIR elsewhere, or restore the old settings."
                )
            self.articles = self._client.get_or_create_collection(
                f"{name}_articles",
                metadata={"newsqa_schema": SCHEMA_VERSION, "generation": 0},
                embedding_function=None,
            )
        self._batch = max(1, min(self._client.get_max_batch_size(), 2000))
        # Write-session state; the RLock lets a session nest (prune inside add) and keeps the
        # threads of one process (app uploads) from interleaving their sessions.
        self._write_lock = threading.RLock()
        self._depth = 0
        self._file_lock = (
            FileLock(Path(settings.data_dir) / "newsqa-write.lock") if self.embedded else None
        )
        self._token = ""
        self._changed = False
        self._heartbeat = 0.0
        self._seen_generation = int(self._metadata().get("generation", 0))
        self._commit_hooks: list[Callable[[int], None]] = []
        #: Orphan chunks removed when the last write session began after a crash.
        self.recovered_orphans = 0

    # ---- reading -------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the store lives, for messages."""
        return self.settings.chroma_url or str(Path(self.settings.data_dir) / "chroma")

    def generation(self) -> int:
        """A number that changes whenever the index content changes.

        In the embedded store, seeing a generation another process wrote re-opens the client so
        that this process's vector index includes that process's writes.
        """
        generation = int(self._metadata().get("generation", 0))
        if generation != self._seen_generation and self._depth == 0:
            with self._write_lock:
                if generation != self._seen_generation:
                    self._reopen()
                    self._seen_generation = generation
        return generation

    def unfinished_writer(self) -> str:
        """The mark of a write session that has not ended ("" when none): a writer at work, or
        one that was killed and whose leftovers the next session will clean."""
        return str(self._metadata().get("writer", "") or "")

    def article_hashes(self) -> dict[str, str]:
        """Content hash of every committed article, by id."""
        out: dict[str, str] = {}
        for ids, metas, _ in self._scan(self.articles, ["metadatas"]):
            for id_, meta in zip(ids, metas):
                out[id_] = str((meta or {}).get("content_hash", ""))
        return out

    def list_articles(self) -> list[ArticleInfo]:
        """Metadata of every committed article, newest first."""
        infos = [
            _info(id_, meta or {})
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
        return _info(article_id, got["metadatas"][0] or {}), got["documents"][0] or ""

    def count_articles(self) -> int:
        """Number of committed articles."""
        return self.articles.count()

    def count_chunks(self) -> int:
        """Number of chunk records (including any orphans of an interrupted run)."""
        return self.chunks.count()

    def iter_chunks(
        self, include_vectors: bool = False
    ) -> Iterator[tuple[list[str], list[str], list[dict], Any]]:
        """All chunks in pages: (ids, documents, metadatas, embeddings or None)."""
        include = ["documents", "metadatas"] + (["embeddings"] if include_vectors else [])
        for ids, metas, extra in self._scan(self.chunks, include):
            yield ids, extra.get("documents") or [], metas, extra.get("embeddings")

    def chunk_ids_by_article(self) -> dict[str, list[str]]:
        """Chunk ids grouped by their article id."""
        out: dict[str, list[str]] = {}
        for ids, metas, _ in self._scan(self.chunks, ["metadatas"]):
            for id_, meta in zip(ids, metas):
                out.setdefault(str((meta or {}).get("article_id")), []).append(id_)
        return out

    def cached_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        """Vectors of an article's stored chunks keyed by :func:`index.embedding.vector_key`."""
        got = self.chunks.get(where={"article_id": article_id}, include=["metadatas", "embeddings"])
        out: dict[str, np.ndarray] = {}
        embeddings = got.get("embeddings")
        if embeddings is None:
            return out
        for meta, vec in zip(got["metadatas"], embeddings):
            out[str((meta or {}).get("hash"))] = np.asarray(vec, dtype=np.float32)
        return out

    def dense_query(
        self, vector: np.ndarray, n: int, filters: Filters | None = None
    ) -> list[DenseHit]:
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
        for id_, doc, meta, dist in zip(
            got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
        ):
            if doc is None or meta is None:
                continue  # deleted by another process since this one's vector index was loaded
            # Squared L2 between unit vectors is 2 - 2 cos.
            hits.append(DenseHit(stored_chunk(id_, doc, meta), 1.0 - float(dist) / 2.0))
        committed = self.committed({h.chunk.article_id for h in hits})
        return [h for h in hits if h.chunk.article_id in committed]

    def committed(self, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` whose article record is written (whose chunks may be shown)."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return set()
        return set(self.articles.get(ids=wanted, include=[])["ids"])

    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Chunks by id (missing ids are skipped)."""
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            i: stored_chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
            if m is not None
        }
        return [found[i] for i in ids if i in found]

    # ---- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """A write session: the write lock, crash recovery first, one generation bump at the end.

        Sessions nest; only the outermost one locks and bumps. Every write method opens one
        itself, so callers need this only to group several writes under one lock and one bump.

        Raises:
            StoreError: a Chroma server reports another live writer.
        """
        with self._write_lock:
            outer = self._depth == 0
            if outer:
                self._begin_session()
            self._depth += 1
            ok = False
            try:
                yield self
                ok = True
            finally:
                self._depth -= 1
                if outer:
                    self._end_session(ok)

    def put_article(self, article: Article, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Replace one article's chunks and commit its record (see :meth:`put_articles`)."""
        self.put_articles([(article, chunks, vectors)])

    def put_articles(self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]]) -> None:
        """Replace the chunks of several articles and commit their records, in the safe order.

        Args:
            items: (article, its chunks, one unit vector row per chunk).
        """
        if not items:
            return
        ids = [article.id for article, _, _ in items]
        if len(set(ids)) != len(ids):
            raise ValueError("put_articles got the same article twice")
        with self.writing():
            self._changed = True
            # Only articles with a record have chunks to replace: a session starts by removing
            # the chunks of any article without one (see _begin_session).
            existing = self.committed(ids)
            if existing:
                self.articles.delete(ids=sorted(existing))
                self._delete_chunks_of(sorted(existing))
            rows: list[tuple[Chunk, np.ndarray, dict[str, Any]]] = []
            for article, chunks, vectors in items:
                base = {
                    "article_id": article.id,
                    "title": article.title,
                    "source": article.source,
                    "published": to_ordinal(article.published),
                    "url": article.url,
                }
                for chunk, vector in zip(chunks, vectors):
                    meta = {
                        **base,
                        "start": chunk.start,
                        "end": chunk.end,
                        "index": chunk.index,
                        "hash": vector_key(passage_text(article.title, chunk.text)),
                    }
                    rows.append((chunk, vector, meta))
            for b in range(0, len(rows), self._batch):
                part = rows[b : b + self._batch]
                self.chunks.upsert(
                    ids=[c.id for c, _, _ in part],
                    embeddings=np.asarray([v for _, v, _ in part], dtype=np.float32),
                    documents=[c.text for c, _, _ in part],
                    metadatas=[m for _, _, m in part],
                )
            for b in range(0, len(items), self._batch):
                part_items = items[b : b + self._batch]
                self.articles.upsert(
                    ids=[article.id for article, _, _ in part_items],
                    embeddings=[[1.0]] * len(part_items),
                    documents=[article.text for article, _, _ in part_items],
                    metadatas=[_record(article, len(chunks)) for article, chunks, _ in part_items],
                )
            self._beat()

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks. Returns False when it was not indexed."""
        with self.writing():
            existed = bool(self.articles.get(ids=[article_id], include=[])["ids"])
            # Record first: from then on readers ignore the chunks, which go next.
            self.articles.delete(ids=[article_id])
            self._delete_chunks_of([article_id])
            if existed:
                self._changed = True
            return existed

    def remove_orphans(self) -> int:
        """Delete chunks whose article has no committed record (left by an interrupted run)."""
        with self.writing():
            committed = set(self.article_hashes())
            orphans = [
                chunk_id
                for article_id, chunk_ids in self.chunk_ids_by_article().items()
                if article_id not in committed
                for chunk_id in chunk_ids
            ]
            for b in range(0, len(orphans), self._batch):
                self.chunks.delete(ids=orphans[b : b + self._batch])
            if orphans:
                self._changed = True
            return len(orphans)

    def bump_generation(self) -> int:
        """Mark the content as changed; returns the generation readers will see next."""
        with self.writing():
            self._changed = True
        return self._seen_generation

    def add_commit_hook(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(generation)`` at the end of each changing session, before it is published.

        The BM25 side uses this to save its index for the new generation first, so readers that
        see the generation find the index ready. A failing hook is logged, never fatal.
        """
        self._commit_hooks.append(hook)

    # ---- internals -----------------------------------------------------------------------

    def _begin_session(self) -> None:
        if self._file_lock is not None:
            self._file_lock.acquire()
        try:
            meta = self._metadata()
            previous = str(meta.get("writer", "") or "")
            if (
                previous
                and not self.embedded
                and token_is_alive(previous, float(meta.get("writer_seen", 0)))
            ):
                raise StoreError(
                    f"another ingestion ({previous}) is writing to {self.location}; wait for it to "
                    f"finish (a writer that died is taken over after a few minutes)"
                )
            if self.embedded and (
                previous or int(meta.get("generation", 0)) != self._seen_generation
            ):
                self._reopen()  # see the other writer's work before adding ours
                self._seen_generation = int(meta.get("generation", 0))
            self._token = writer_token()
            self._changed = False
            self._heartbeat = 0.0
            self._beat(force=True)
            self.recovered_orphans = 0
            if previous:
                log.info(
                    "the last write to %s was interrupted; removing what it left half-done",
                    self.location,
                )
                self._depth += 1  # the recovery runs inside this session
                try:
                    self.recovered_orphans = self.remove_orphans()
                finally:
                    self._depth -= 1
                self._changed = True  # the BM25 side may predate the interrupted writer's commits
        except BaseException:
            if self._file_lock is not None:
                self._file_lock.release()
            raise

    def _end_session(self, ok: bool) -> None:
        try:
            if not ok:
                # An exception (Ctrl-C, a store error) may have left chunks of an uncommitted
                # article behind: clean them now, or leave the mark for the next session.
                try:
                    self._depth += 1
                    self.remove_orphans()
                except BaseException:
                    return
                finally:
                    self._depth -= 1
            meta = self._metadata()
            generation = int(meta.get("generation", 0))
            if self._changed:
                # Time-based, so a stale reader never mistakes a new generation for one it saw.
                generation = max(generation + 1, int(time.time() * 1000))
                for hook in self._commit_hooks:
                    try:
                        hook(generation)
                    except Exception:
                        log.exception("commit hook failed; readers will rebuild instead")
                meta = self._metadata()
            meta.update(generation=generation, writer="", writer_seen=0.0)
            self.articles.modify(metadata=meta)
            self._seen_generation = generation
        finally:
            if self._file_lock is not None:
                self._file_lock.release()

    def _beat(self, force: bool = False) -> None:
        """Mark the session as alive (the lease a Chroma server's other writers respect)."""
        now = time.time()
        if force or now - self._heartbeat > 20.0:
            meta = self._metadata()
            meta.update(writer=self._token, writer_seen=now)
            self.articles.modify(metadata=meta)
            self._heartbeat = now

    def _metadata(self) -> dict[str, Any]:
        # Fetched fresh: another process may have changed it.
        collection = self._client.get_collection(self.articles.name, embedding_function=None)
        return dict(collection.metadata or {})

    def _reopen(self) -> None:
        """Drop this process's cached embedded Chroma system and open the files afresh."""
        if not self.embedded:
            return
        with opening_lock(self.settings.data_dir):
            self._client = _open_client(self.settings)
            self.chunks = self._client.get_collection(self.chunks.name, embedding_function=None)
            self.articles = self._client.get_collection(self.articles.name, embedding_function=None)

    def _delete_chunks_of(self, article_ids: Sequence[str]) -> None:
        for b in range(0, len(article_ids), 500):
            part = list(article_ids[b : b + 500])
            where = {"article_id": part[0]} if len(part) == 1 else {"article_id": {"$in": part}}
            self.chunks.delete(where=where)

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


def _record(article: Article, chunks: int) -> dict[str, Any]:
    return {
        "title": article.title,
        "source": article.source,
        "published": to_ordinal(article.published),
        "url": article.url,
        "author": article.author,
        "path": article.path,
        "content_hash": article.content_hash,
        "chunks": chunks,
    }


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
