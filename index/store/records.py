"""The Chroma record layer: the client, the two collections of an index, and their record layout.

* ``<name>_chunks``: one record per chunk, its vector, and as metadata the verbatim chunk text,
  the article's metadata (id, title, source, date as a day number for range filters, url), the
  chunk's character offsets and the hash its vector is cached under.
* ``<name>_articles``: one record per article, the full text as the document. Chroma requires a
  vector per record, so these carry a constant 1-d vector; they are only ever fetched by id. The
  collection's own metadata holds the write session's state (:mod:`index.store.session`).
* ``<name>_changes``: the change log, which articles each generation changed
  (:mod:`index.store.changelog`).
* ``<name>_sketches``: one record per article with words, its copy-detection sketch
  (:mod:`index.sketch`): the encoded signature, its band keys ``b00`` ... to look copies up by,
  and the article's groups. Only ingestion reads it, so the article records stay small (every
  listing of the articles reads them all).

Chunk texts and sketch signatures are kept in the metadata field :data:`TEXT_FIELD`, not as
Chroma documents: Chroma indexes every document for full-text search (a trigram index newsqa
never queries, its lexical side being :mod:`index.bm25`), and that indexing was most of the cost
of storing a record (``bench/store_texts.py``). Records written before this keep theirs as the
document; :func:`record_text` reads either. Article texts stay documents: article metadata is
read whole by every listing, and must stay small.

Chunk and article records carry the article's groups (:class:`ArticleGroups`, decided at
ingestion by :mod:`index.stories`): its copy group and story keys, and on chunks the story's
first day, which is what retrieval and later ingestions read.

The chunk collection records the embedding model id and the chunking parameters; opening it with
others raises :class:`IndexMismatchError` rather than silently mixing vector spaces.

Only this module knows the layout: the rest of the index, and ``qa``, see :class:`StoredChunk`
and :class:`ArticleInfo`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..article import Article
from ..chunking import Chunk
from ..dates import UNKNOWN_ORDINAL, from_ordinal, to_ordinal
from ..embedding import passage_text, vector_key
from ..errors import IndexMismatchError, StoreError
from ..settings import Settings
from ..sketch import Sketch
from ..writelock import FileLock
from .shards import ShardMap

SCHEMA_VERSION = 1

#: Records per page when reading a whole collection.
PAGE = 5000

#: The metadata field that holds a record's text (see the module docstring).
TEXT_FIELD = "text"


def record_text(document: str | None, meta: dict | None) -> str | None:
    """The text of a record: its :data:`TEXT_FIELD`, or its document for a record written
    before texts moved to metadata; None when it has neither (deleted since it was found)."""
    if meta and TEXT_FIELD in meta:
        return str(meta[TEXT_FIELD])
    return document


@dataclass(frozen=True)
class ArticleGroups:
    """Where an article stands among copies and stories (decided by :mod:`index.stories`).

    Attributes:
        copy_group: the key an article shares with its copies (that of the first of them
            indexed; an article without copies has its own).
        story: the key an article shares with the others about the same event.
        story_day: day number (:func:`index.dates.to_ordinal`) of the story's first article,
            which bounds how far a story stretches; :data:`index.dates.UNKNOWN_ORDINAL` when
            undated.
    """

    copy_group: str
    story: str
    story_day: int = UNKNOWN_ORDINAL


@dataclass(frozen=True)
class ArticleInfo:
    """An indexed article's metadata (no text).

    ``copy_group`` and ``story`` are :class:`ArticleGroups` keys ("" for an article indexed
    before groups were kept).
    """

    id: str
    title: str
    source: str
    published: date | None
    url: str
    author: str
    path: str
    content_hash: str
    chunks: int
    copy_group: str = ""
    story: str = ""
    shard: int = 0


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store.

    ``copy_group``, ``story`` and ``story_day`` are its article's :class:`ArticleGroups` ("",
    "" and :data:`index.dates.UNKNOWN_ORDINAL` for an article indexed before groups were kept).
    """

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
    copy_group: str = ""
    story: str = ""
    story_day: int = UNKNOWN_ORDINAL


@dataclass(frozen=True)
class SketchRecord:
    """A stored article's copy-detection sketch, with what a copy of it would inherit.

    Attributes:
        article_id: the article.
        sketch: its sketch.
        groups: its groups.
        published: its publication date.
    """

    article_id: str
    sketch: Sketch
    groups: ArticleGroups
    published: date | None


@dataclass(frozen=True)
class DenseHit:
    """A dense search result: the chunk, its cosine similarity and the number of the shard it
    is in (where all its article's chunks are: an article's chunks are written together)."""

    chunk: StoredChunk
    score: float
    shard: int


def collection_names(collection: str) -> tuple[str, str]:
    """The names of an index's chunk and article collections."""
    return f"{collection}_chunks", f"{collection}_articles"


def shard_name(collection: str, number: int, embedded: bool) -> str:
    """The chunk collection of shard ``number`` (:mod:`index.store.shards`): the index's own
    for shard 0, and in the embedded store for every shard (each has its own files)."""
    chunks_name, _ = collection_names(collection)
    return chunks_name if number == 0 or embedded else f"{chunks_name}_{number}"


def changes_name(collection: str) -> str:
    """The name of an index's change log collection (:mod:`index.store.changelog`)."""
    return f"{collection}_changes"


def sketches_name(collection: str) -> str:
    """The name of an index's sketch collection (copy detection)."""
    return f"{collection}_sketches"


def band_field(band: int) -> str:
    """The sketch record's metadata key of one band key."""
    return f"b{band:02d}"


def _group_fields(groups: ArticleGroups | None) -> dict[str, Any]:
    if groups is None:
        return {}
    return {"copy_group": groups.copy_group, "story": groups.story}


def chunk_record(
    article: Article, chunk: Chunk, groups: ArticleGroups | None = None
) -> dict[str, Any]:
    """The metadata stored with a chunk."""
    extra = _group_fields(groups)
    if groups is not None:
        extra["story_day"] = groups.story_day
    return {
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "published": to_ordinal(article.published),
        "url": article.url,
        "start": chunk.start,
        "end": chunk.end,
        "index": chunk.index,
        "hash": vector_key(passage_text(article.title, chunk.text)),
        TEXT_FIELD: chunk.text,
        **extra,
    }


def article_record(
    article: Article, chunks: int, groups: ArticleGroups | None = None, shard: int = 0
) -> dict[str, Any]:
    """The metadata stored with an article (its content hash marks it committed)."""
    return {
        "shard": shard,
        "title": article.title,
        "source": article.source,
        "published": to_ordinal(article.published),
        "url": article.url,
        "author": article.author,
        "path": article.path,
        "content_hash": article.content_hash,
        "chunks": chunks,
        **_group_fields(groups),
    }


def sketch_record(article: Article, sketch: Sketch, groups: ArticleGroups) -> dict[str, Any]:
    """The metadata of an article's sketch record (its text is :meth:`Sketch.encode`)."""
    record: dict[str, Any] = {
        TEXT_FIELD: sketch.encode(),
        "shingles": sketch.shingles,
        "published": to_ordinal(article.published),
        "copy_group": groups.copy_group,
        "story": groups.story,
        "story_day": groups.story_day,
    }
    record.update((band_field(b), key) for b, key in enumerate(sketch.bands))
    return record


def stored_sketch(id_: str, document: str | None, meta: dict) -> SketchRecord | None:
    """Build a :class:`SketchRecord` from a sketch record (None when it is damaged)."""
    try:
        sketch = Sketch.decode(record_text(document, meta) or "", int(meta.get("shingles", 0)))
    except ValueError:
        return None
    return SketchRecord(
        article_id=id_,
        sketch=sketch,
        groups=_groups(meta),
        published=from_ordinal(meta.get("published")),
    )


def _groups(meta: dict) -> ArticleGroups:
    return ArticleGroups(
        copy_group=str(meta.get("copy_group", "")),
        story=str(meta.get("story", "")),
        story_day=int(meta.get("story_day", UNKNOWN_ORDINAL)),
    )


def stored_chunk(id_: str, document: str | None, meta: dict) -> StoredChunk:
    """Build a :class:`StoredChunk` from a chunk record."""
    return StoredChunk(
        id=id_,
        article_id=str(meta.get("article_id", "")),
        text=record_text(document, meta) or "",
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published=from_ordinal(meta.get("published")),
        url=str(meta.get("url", "")),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        index=int(meta.get("index", 0)),
        copy_group=str(meta.get("copy_group", "")),
        story=str(meta.get("story", "")),
        story_day=int(meta.get("story_day", UNKNOWN_ORDINAL)),
    )


def article_info(id_: str, meta: dict) -> ArticleInfo:
    """Build an :class:`ArticleInfo` from an article record."""
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
        copy_group=str(meta.get("copy_group", "")),
        story=str(meta.get("story", "")),
        shard=int(meta.get("shard", 0)),
    )


def opening_lock(data_dir: Path) -> contextlib.AbstractContextManager:
    """Hold while opening the embedded store: one process at a time creates or opens its files.

    On its first open Chroma creates its tables and records its migrations without guarding
    against another process doing the same at that moment; the loser fails with "table
    collections already exists" (an app and ``index add`` started together on a new data folder,
    or a reader polling a folder a writer is creating).
    """
    return FileLock(Path(data_dir) / "newsqa-open.lock", activity="opening this index")


def open_client(settings: Settings, folder: str = "chroma"):
    """A Chroma client for the settings: a server's, or a fresh embedded one (its files in
    ``folder`` of the data directory).

    Raises:
        StoreError: the server url is malformed or the server cannot be reached.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
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
    path = Path(settings.data_dir) / folder
    path.mkdir(parents=True, exist_ok=True)
    forget_cached_system(str(path))
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def forget_cached_system(path: str) -> None:
    """Make the next embedded client of ``path`` load the files as they are now.

    chromadb shares one System (with its in-memory vector index) per path in a process and
    offers no public way to reload it. A System cached earlier may predate another process's
    writes, so each store gets its own, and re-opens it when the generation moves on.
    Clients already holding the old System keep working with it.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)


#: Folder of the data directory holding the embedded store's later shards, one folder each.
SHARDS_FOLDER = "chroma-shards"


def shard_folder(number: int) -> str:
    """The data-directory folder of an embedded shard's Chroma files (shard 0: the store's)."""
    return "chroma" if number == 0 else f"{SHARDS_FOLDER}/{number}"


class ChromaCollections:
    """The client and the collections of one index, opened and checked.

    The chunk collections (shards, :mod:`index.store.shards`) are opened when first asked for:
    opening one costs nothing, but Chroma loads its whole vector graph on its first call.

    Args:
        settings: where the index lives and its chunking parameters.
        model_id: id of the embedding model the vectors come from.

    Raises:
        IndexMismatchError: the index was built with another model or chunking.
        StoreError: the store cannot be opened.
    """

    def __init__(self, settings: Settings, model_id: str) -> None:
        self.settings = settings
        self.embedded = not settings.chroma_url
        expected = {
            "newsqa_schema": SCHEMA_VERSION,
            "embed_model": model_id,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
        }
        chunks_name, articles_name = collection_names(settings.collection)
        opening = opening_lock(settings.data_dir) if self.embedded else contextlib.nullcontext()
        with opening:
            self._client = open_client(settings)
            self.chunks = self._client.get_or_create_collection(
                chunks_name, metadata=expected, embedding_function=None
            )
            found = {k: (self.chunks.metadata or {}).get(k) for k in expected}
            if found != expected:
                raise IndexMismatchError(
                    f"the index at {self.location} was built with {_describe(found)}, but the "
                    f"settings ask for {_describe(expected)}. Rebuild it: `python -m index "
                    f"rebuild` (re-reads the indexed files), or point NEWSQA_DATA_DIR elsewhere, "
                    f"or restore the old settings."
                )
            self.articles = self._client.get_or_create_collection(
                articles_name,
                metadata={"newsqa_schema": SCHEMA_VERSION, "generation": 0},
                embedding_function=None,
            )
            self.changes = self._client.get_or_create_collection(
                changes_name(settings.collection), embedding_function=None
            )
            self.sketches = self._client.get_or_create_collection(
                sketches_name(settings.collection), embedding_function=None
            )
        self._expected = expected
        # Shard number -> (its client, its collection); shard 0 is ``chunks`` on ``_client``.
        self._shards: dict[int, tuple[Any, Any]] = {0: (self._client, self.chunks)}
        # Shard number -> the version (shard map) this process's copy of it includes.
        self._versions: dict[int, int] = {}
        self._shard_lock = threading.Lock()
        #: Records per write call.
        self.batch = max(1, min(self._client.get_max_batch_size(), 2000))

    @property
    def location(self) -> str:
        """Where the store lives, for messages."""
        return self.settings.chroma_url or str(Path(self.settings.data_dir) / "chroma")

    def metadata(self) -> dict[str, Any]:
        """The article collection's metadata, read fresh (another process may have changed it)."""
        collection = self._client.get_collection(self.articles.name, embedding_function=None)
        return dict(collection.metadata or {})

    def set_metadata(self, metadata: dict[str, Any]) -> None:
        """Replace the article collection's metadata."""
        self.articles.modify(metadata=metadata)

    def reopen(self) -> None:
        """Drop this process's cached embedded Chroma system and open the files afresh (the
        store's own files: its collections and shard 0; later shards: :meth:`reopen_shard`)."""
        if not self.embedded:
            return
        with opening_lock(self.settings.data_dir):
            self._client = open_client(self.settings)
            self.chunks = self._client.get_collection(self.chunks.name, embedding_function=None)
            self.articles = self._client.get_collection(self.articles.name, embedding_function=None)
            self.changes = self._client.get_collection(self.changes.name, embedding_function=None)
            self.sketches = self._client.get_collection(self.sketches.name, embedding_function=None)
        self._shards[0] = (self._client, self.chunks)

    def shard(self, number: int):
        """The chunk collection of shard ``number``, created when it does not exist yet."""
        found = self._shards.get(number)
        if found is None:
            with self._shard_lock:  # questions run in threads: one client per shard
                if number not in self._shards:
                    self._shards[number] = self._open_shard(number)
                found = self._shards[number]
        return found[1]

    def reopen_shard(self, number: int) -> None:
        """Load shard ``number`` afresh on its next call (the embedded store: another process
        wrote to it). Shard 0 is reopened with the store's own files."""
        if not self.embedded:
            return
        if number == 0:
            self.reopen()
        elif number in self._shards:
            self._shards[number] = self._open_shard(number)

    def sync_shards(self, shard_map: ShardMap) -> list[int]:
        """Reload (on their next call) the shards another process wrote to since this process
        loaded them, by the versions of ``shard_map``; returns their numbers.

        The first call only notes the versions: a process's copies are fresh when loaded.
        An index from before shards has no versions: its shard 0 is reloaded every time.
        """
        reloaded = []
        for number, version in shard_map.versions().items():
            known = self._versions.get(number)
            stale = known is not None and (not shard_map.known or known != version)
            if stale and number in self._shards:
                self.reopen_shard(number)
                reloaded.append(number)
            self._versions[number] = version
        return reloaded

    def shard_numbers(self) -> list[int]:
        """The numbers of the shards that exist, whatever the shard map says (a writer killed
        before it published its map may have created one)."""
        prefix = f"{self.chunks.name}_"
        if self.embedded:
            folder = Path(self.settings.data_dir) / SHARDS_FOLDER
            found = {int(p.name) for p in folder.glob("*") if p.name.isdigit()}
        else:
            found = {
                int(name[len(prefix) :])
                for name in _present(self._client)
                if name.startswith(prefix) and name[len(prefix) :].isdigit()
            }
        return sorted({0, *found, *(n for n in self._shards)})

    def _open_shard(self, number: int) -> tuple[Any, Any]:
        name = shard_name(self.settings.collection, number, self.embedded)
        if not self.embedded:
            client = self._client
            return client, client.get_or_create_collection(
                name, metadata=self._expected, embedding_function=None
            )
        with opening_lock(self.settings.data_dir):
            client = open_client(self.settings, shard_folder(number))
            collection = client.get_or_create_collection(
                name, metadata=self._expected, embedding_function=None
            )
        return client, collection

    def scan(self, collection, include: list[str]) -> Iterator[tuple[list[str], list[dict], dict]]:
        """Every record of ``collection`` in pages: (ids, metadatas, the whole ``get`` result)."""
        offset = 0
        while True:
            got = collection.get(include=include, limit=PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            yield ids, got.get("metadatas") or [{} for _ in ids], got
            if len(ids) < PAGE:
                return
            offset += PAGE

    def chunk_records(
        self, include_vectors: bool = False
    ) -> Iterator[tuple[list[str], list[str], list[dict], Any]]:
        """Every chunk record, committed or not, in pages: (ids, documents, metadatas, vectors
        or None)."""
        include = ["documents", "metadatas"] + (["embeddings"] if include_vectors else [])
        for number in self.shard_numbers():
            for ids, metas, got in self.scan(self.shard(number), include):
                yield ids, got.get("documents") or [], metas, got.get("embeddings")


def _present(client) -> set[str]:
    """The names of the collections ``client`` holds (Chroma gives names or collections)."""
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def unfiled_articles(settings: Settings) -> list[tuple[ArticleInfo, str]]:
    """The articles of an index that came from no file (added from code, or by a feed), with
    their full texts, whatever model or chunking the index was built with: what a rebuild must
    carry over, since no file can give them again."""
    client = open_client(settings)
    names = _present(client)
    _, articles_name = collection_names(settings.collection)
    if articles_name not in names:
        return []
    got = client.get_collection(articles_name, embedding_function=None).get(
        where={"path": ""}, include=["metadatas", "documents"]
    )
    return [
        (article_info(id_, meta or {}), record_text(text, meta) or "")
        for id_, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
    ]


def drop_collections(settings: Settings) -> list[ArticleInfo]:
    """Delete an index's collections, whatever model or chunking they were built with.

    Returns:
        The articles the index held (their ids and source paths say what to index again).
    """
    client = open_client(settings)
    names = _present(client)
    chunks_name, articles_name = collection_names(settings.collection)
    infos: list[ArticleInfo] = []
    if articles_name in names:
        got = client.get_collection(articles_name, embedding_function=None).get(
            include=["metadatas"]
        )
        infos = [article_info(id_, meta or {}) for id_, meta in zip(got["ids"], got["metadatas"])]
    names_of_index = (
        chunks_name,
        articles_name,
        changes_name(settings.collection),
        sketches_name(settings.collection),
    )
    for name in names:
        shard = name[len(chunks_name) + 1 :]
        if name in names_of_index or (name.startswith(f"{chunks_name}_") and shard.isdigit()):
            client.delete_collection(name)
    if not settings.chroma_url:
        # Each later shard of the embedded store is a Chroma store of its own.
        shutil.rmtree(Path(settings.data_dir) / SHARDS_FOLDER, ignore_errors=True)
    return infos


def _describe(params: dict) -> str:
    return (
        f"model {params.get('embed_model')!r}, {params.get('chunk_tokens')}-token chunks, "
        f"{params.get('chunk_overlap')}-token overlap"
    )
