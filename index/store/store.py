"""The vector store's reads and writes: articles and their chunks, in Chroma.

Crash safety. Every write runs inside a write session (:mod:`index.store.session`). Articles are
written in groups, in an order that makes every prefix of the work safe: (1) the records of the
group's articles are deleted (an updated article is "uncommitted" before its chunks change), (2)
their old chunks are deleted, (3) the new chunks written, (4) the article records, each carrying
its content hash, written last as the commit marker. Readers ignore chunks without a committed
record, so a half-written article is never visible. A session that finds the previous writer's
mark still set (it was killed) first removes the orphan chunks that writer left; the articles it
did not commit are simply redone, because their hash is missing from the store.

An article's copy-detection sketch (:mod:`index.sketch`) goes into a third collection in step
(3), after its chunks and before its record, so it too is visible only once the article is
committed, and it leaves with the article.

Group writes matter for speed, too: each Chroma write call costs tens of milliseconds in the
embedded store whatever its size, so one call per group of articles instead of three per article
keeps the store's share of an ingestion small.

Record layout and client: :mod:`index.store.records`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import numpy as np

from ..article import Article
from ..chunking import Chunk, chunk_id
from ..dates import UNKNOWN_ORDINAL, to_ordinal
from ..filters import Filters
from ..settings import Settings
from ..sketch import BANDS, Sketch
from . import reach
from .changelog import ChangeSet
from .reach import ReachProgress, ReachReport
from .records import (
    TEXT_FIELD,
    ArticleGroups,
    ArticleInfo,
    ChromaCollections,
    DenseHit,
    SketchRecord,
    StoredChunk,
    article_info,
    article_record,
    band_field,
    chunk_record,
    drop_collections,
    record_text,
    sketch_record,
    stored_chunk,
    stored_sketch,
)
from .session import WriteSession
from .shards import ShardMap, ShardState


class Store:
    """The two Chroma collections of one newsqa index.

    Args:
        settings: where the store lives and the chunking parameters.
        model_id: id of the embedding model the vectors come from.

    Raises:
        IndexMismatchError: the index was built with another model or chunking.
        StoreError: the store cannot be opened.
    """

    def __init__(self, settings: Settings, model_id: str) -> None:
        self.settings = settings
        self.model_id = model_id
        #: The record layer (collections and layout); tests and tools only, readers use methods.
        self.chroma = ChromaCollections(settings, model_id)
        self._session = WriteSession(
            self.chroma,
            recover=self.remove_orphans,
            check_reach=lambda articles: self.check_reach(articles, repair=True),
        )

    @staticmethod
    def drop(settings: Settings) -> list[ArticleInfo]:
        """Delete the index's collections without opening them as a store (their model or
        chunking may differ from ``settings``).

        Returns:
            The articles the index held.
        """
        return drop_collections(settings)

    # ---- reading -------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the store lives, for messages."""
        return self.chroma.location

    def generation(self) -> int:
        """A number that changes whenever the index content changes.

        In the embedded store, seeing a generation another process wrote re-opens the client so
        that this process's vector index includes that process's writes.
        """
        return self._session.generation()

    def unfinished_writer(self) -> str:
        """The mark of a write session that has not ended ("" when none): a writer at work, or
        one that was killed and whose leftovers the next session will clean."""
        return self._session.unfinished_writer()

    @property
    def recovered_orphans(self) -> int:
        """Orphan chunks removed when the last write session began after a crash."""
        return self._session.recovered_orphans

    @property
    def recovery_reach(self) -> ReachReport | None:
        """The reachability check run on the interrupted session's articles when the last write
        session began after a crash (None when it did not)."""
        return self._session.recovery_reach

    def article_hashes(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """Content hash of every committed article, by id; of those of ``ids`` only, when given.

        An ingestion asks for the articles it is adding: reading every record instead costs
        time in proportion to the corpus (0.8 s at 10,000 articles) for a one-article add.
        """
        if ids is None:
            pages = self.chroma.scan(self.chroma.articles, ["metadatas"])
        else:
            wanted = list(dict.fromkeys(ids))
            batch = self.chroma.batch
            pages = (
                (got["ids"], got.get("metadatas") or [{} for _ in got["ids"]], got)
                for got in (
                    self.chroma.articles.get(ids=wanted[b : b + batch], include=["metadatas"])
                    for b in range(0, len(wanted), batch)
                )
            )
        out: dict[str, str] = {}
        for got_ids, metas, _ in pages:
            for id_, meta in zip(got_ids, metas):
                out[id_] = str((meta or {}).get("content_hash", ""))
        return out

    def list_articles(self) -> list[ArticleInfo]:
        """Metadata of every committed article, newest first."""
        infos = [
            article_info(id_, meta or {})
            for ids, metas, _ in self.chroma.scan(self.chroma.articles, ["metadatas"])
            for id_, meta in zip(ids, metas)
        ]
        infos.sort(key=lambda a: (a.published or date.min, a.title), reverse=True)
        return infos

    def get_article(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        """An article's metadata and full text, or None when it is not indexed."""
        got = self.chroma.articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return article_info(article_id, got["metadatas"][0] or {}), got["documents"][0] or ""

    def count_articles(self) -> int:
        """Number of committed articles."""
        return self.chroma.articles.count()

    def count_chunks(self) -> int:
        """Number of chunk records (including any orphans of an interrupted run).

        Asks every shard, so it loads every shard's vectors: tools and tests only.
        """
        return sum(self.chroma.shard(n).count() for n in self.chroma.shard_numbers())

    def shard_map(self) -> ShardMap:
        """The shard map (:mod:`index.store.shards`) of the generation this process has seen
        (within a write session: as the session has written it so far)."""
        return self._session.shards

    def committed_chunks(
        self, articles: Collection[str] | None = None, vectors: bool = False
    ) -> Iterator[tuple[list[StoredChunk], list[np.ndarray] | None]]:
        """Every chunk of a committed article, in pages, in the store's order.

        Args:
            articles: the committed article ids, when the caller has read them already (else
                they are read here).
            vectors: also return each chunk's vector.

        Yields:
            (chunks, their vectors or None).
        """
        committed = set(self.article_hashes()) if articles is None else articles
        for ids, docs, metas, embeddings in self.chroma.chunk_records(include_vectors=vectors):
            chunks: list[StoredChunk] = []
            rows: list[np.ndarray] = []
            for i, (id_, doc, meta) in enumerate(zip(ids, docs, metas)):
                if not meta or meta.get("article_id") not in committed:
                    continue  # a half-written article is never searchable
                chunks.append(stored_chunk(id_, doc, meta))
                if vectors:
                    rows.append(np.asarray(embeddings[i], dtype=np.float32))
            yield chunks, rows if vectors else None

    def chunk_ids_by_article(self) -> dict[str, list[str]]:
        """Chunk ids grouped by their article id (orphans included)."""
        out: dict[str, list[str]] = {}
        for number in self.chroma.shard_numbers():
            for ids, metas, _ in self.chroma.scan(self.chroma.shard(number), ["metadatas"]):
                for id_, meta in zip(ids, metas):
                    out.setdefault(str((meta or {}).get("article_id")), []).append(id_)
        return out

    def cached_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        """Vectors of an article's stored chunks keyed by :func:`index.embedding.vector_key`."""
        infos = self.article_infos([article_id])
        if not infos:
            return {}
        got = self.chroma.shard(infos[0].shard).get(
            ids=[chunk_id(article_id, n) for n in range(infos[0].chunks)],
            include=["metadatas", "embeddings"],
        )
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
        """Nearest committed chunks to a unit query vector, with cosine similarities."""
        rows = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        where = filters.where() if filters else None
        hits = self._nearest(rows, n, self.shard_map().numbers(), where)[0]
        committed = self.committed({h.chunk.article_id for h in hits})
        return [h for h in hits if h.chunk.article_id in committed]

    def _nearest(
        self,
        rows: np.ndarray,
        n: int,
        shards: Sequence[int],
        where: dict | None = None,
        texts: bool = True,
    ) -> list[list[DenseHit]]:
        """For each row, its ``n`` nearest chunk records over ``shards``, committed or not
        (without their texts unless ``texts``).

        Over several shards each is asked for ids and distances alone, and the records are read
        only for the ``n`` nearest overall: reading every shard's ``n`` records (metadata and
        text) cost more than the searches (ten shards at a million chunks).
        """
        extra = ["documents"] if texts else []
        if len(shards) == 1:
            found = self._query(shards[0], rows, n, where, ["metadatas", "distances", *extra])
            return [
                self._hits(
                    ids,
                    got.get("documents"),
                    got["metadatas"],
                    dists,
                    texts,
                    [shards[0]] * len(ids),
                )
                for ids, dists, got in found
            ]
        # (distance, shard, id) per row, over every shard.
        ranked: list[list[tuple[float, int, str]]] = [[] for _ in range(len(rows))]
        # Chroma searches outside the interpreter lock: the shards are searched side by side
        # (ten shards at a million chunks: 49 ms one after another, 25 ms in threads).
        searches = _search_pool().map(
            lambda number: (number, self._query(number, rows, n, where, ["distances"])), shards
        )
        for number, found in searches:
            for r, (ids, dists, _) in enumerate(found):
                ranked[r] += [(float(d), number, id_) for id_, d in zip(ids, dists)]
        nearest = [sorted(found)[:n] for found in ranked]
        wanted: dict[int, set[str]] = {}
        for found in nearest:
            for _, number, id_ in found:
                wanted.setdefault(number, set()).add(id_)
        records: dict[str, tuple[str | None, dict | None]] = {}
        for number, ids in wanted.items():
            got = self.chroma.shard(number).get(ids=sorted(ids), include=["metadatas", *extra])
            docs = got.get("documents") or [None] * len(got["ids"])
            for id_, doc, meta in zip(got["ids"], docs, got["metadatas"]):
                records[id_] = (doc, meta)
        out = []
        for found in nearest:
            ids = [id_ for _, _, id_ in found]
            dists = [d for d, _, _ in found]
            numbers = [number for _, number, _ in found]
            got = [records.get(id_, (None, None)) for id_ in ids]
            out.append(
                self._hits(ids, [d for d, _ in got], [m for _, m in got], dists, texts, numbers)
            )
        return out

    def _query(
        self, number: int, rows: np.ndarray, n: int, where: dict | None, include: list[str]
    ) -> list[tuple[list[str], list[float], dict]]:
        """Shard ``number``'s ``n`` nearest records to each row: (ids, distances, the result
        with its other fields per row); nothing when a filter matches no record."""
        try:
            # No count() first: Chroma returns what there is when asked for more, and at a
            # million chunks a count costs about 0.1 s.
            got = self.chroma.shard(number).query(
                query_embeddings=rows, n_results=n, where=where, include=include
            )
        except Exception as exc:  # chroma raises generic errors when a filter matches nothing
            if "no" in str(exc).lower() and where:
                return [([], [], {}) for _ in range(len(rows))]
            raise
        return [
            (
                ids,
                got["distances"][r],
                {field: (got.get(field) or [None] * len(rows))[r] for field in include},
            )
            for r, ids in enumerate(got["ids"])
        ]

    @staticmethod
    def _hits(
        ids: Sequence[str],
        docs: Sequence[str | None] | None,
        metas: Sequence[dict | None],
        dists: Sequence[float],
        texts: bool,
        shards: Sequence[int],
    ) -> list[DenseHit]:
        """Hits from query results (``shards``: the shard each record is in)."""
        hits = []
        for id_, doc, meta, dist, number in zip(
            ids, docs or [None] * len(ids), metas, dists, shards
        ):
            if meta is None or (texts and record_text(doc, meta) is None):
                continue  # deleted by another process since this one loaded the shard
            if not texts:
                doc, meta = "", {k: v for k, v in meta.items() if k != TEXT_FIELD}
            # Squared L2 between unit vectors is 2 - 2 cos.
            hits.append(DenseHit(stored_chunk(id_, doc, meta), 1.0 - float(dist) / 2.0, number))
        return hits

    def nearest_chunks(
        self, vectors: np.ndarray, n: int, days: tuple[int, int, int] | None = None
    ) -> list[list[DenseHit]]:
        """For each unit vector (a row), its ``n`` nearest committed chunks, in one query per
        shard.

        Ingestion's story grouping (:mod:`index.stories`) asks this for each new article's
        first chunk; unlike :meth:`dense_query` it takes a batch and no filter, and the chunks
        come without their texts (``text`` is ""): grouping reads only their metadata.

        Args:
            vectors: the query vectors.
            n: neighbours per vector.
            days: (first, last, margin): search only the shards that may hold articles within
                ``margin`` days of ``first..last`` (so that a write of today's news does not
                load the vectors of last year's); None: every shard.
        """
        if not len(vectors):
            return []
        rows = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        shard_map = self.shard_map()
        shards = shard_map.numbers() if days is None else shard_map.near(*days)
        out = self._nearest(rows, n, shards, texts=False)
        committed = self.committed({h.chunk.article_id for hits in out for h in hits})
        return [[h for h in hits if h.chunk.article_id in committed] for hits in out]

    def first_chunk_vectors(self, shards: Mapping[str, int]) -> dict[str, np.ndarray]:
        """The vector of each article's first chunk (headline and lead), by article id.

        Args:
            shards: the articles, each with the shard its chunks are in (a :class:`DenseHit`'s
                ``shard``); articles without a first chunk there are left out.
        """
        # By id in the article's shard, not by a metadata filter: at a million chunks the
        # filter took 0.5 s warm and 16 s on a cold page cache; the id lookup takes milliseconds.
        # The caller knows the shards, so no article records are read to find them.
        wanted: dict[int, dict[str, str]] = {}
        for article_id, number in shards.items():
            wanted.setdefault(number, {})[chunk_id(article_id, 0)] = article_id
        out: dict[str, np.ndarray] = {}
        for number, articles in sorted(wanted.items()):
            got = self.chroma.shard(number).get(ids=sorted(articles), include=["embeddings"])
            embeddings = got.get("embeddings")
            if embeddings is None:
                continue
            out.update(
                (articles[id_], np.asarray(vector, dtype=np.float32))
                for id_, vector in zip(got["ids"], embeddings)
            )
        return out

    @staticmethod
    def _by_shard(infos: Iterable[ArticleInfo]) -> dict[int, list[ArticleInfo]]:
        out: dict[int, list[ArticleInfo]] = {}
        for info in infos:
            out.setdefault(info.shard, []).append(info)
        return out

    def sketches_sharing(self, sketches: Sequence[Sketch]) -> list[SketchRecord]:
        """The committed articles whose sketch shares a band key with any of ``sketches``
        (candidate copies: :mod:`index.sketch`), in one query."""
        wanted: list[set[str]] = [set() for _ in range(BANDS)]
        for sketch in sketches:
            for band, key in enumerate(sketch.bands):
                wanted[band].add(key)
        clauses = [
            {band_field(band): {"$in": sorted(keys)}} for band, keys in enumerate(wanted) if keys
        ]
        if not clauses or self.chroma.sketches.count() == 0:
            return []
        where = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        got = self.chroma.sketches.get(where=where, include=["documents", "metadatas"])
        found = [
            record
            for id_, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
            if meta is not None and (record := stored_sketch(id_, doc, meta)) is not None
        ]
        committed = self.committed(r.article_id for r in found)
        return [r for r in found if r.article_id in committed]

    def check_reach(
        self,
        articles: Collection[str] | None = None,
        repair: bool = False,
        progress: ReachProgress | None = None,
    ) -> ReachReport:
        """Find committed chunks that dense search cannot reach (chroma-core/chroma#7758), and
        optionally repair them (see :mod:`index.store.reach`).

        The scan runs without the write lock; the chunks it did not reach are confirmed with
        the lock held and this process's view of the store current (in the embedded store a
        chunk another process wrote during the scan is not in this process's vector index yet),
        and repaired in that session, which publishes a new generation naming their articles.

        Args:
            articles: check only these articles' chunks (None: every committed chunk).
            repair: write the unreachable chunks again.
            progress: ``progress(chunks checked, chunks to check)``.

        Returns:
            The counts and the ids of unreachable and repaired chunks.

        Raises:
            StoreError: the repair (or the confirmation) cannot take the write lock.
        """
        clock = reach.timed()
        committed = set(self.article_hashes())
        scope = None if articles is None else committed & set(articles)
        if scope is not None and not scope:
            return ReachReport(checked=0, articles=0, seconds=clock())
        checked, suspects = reach.find_unreachable(self.chroma, committed, scope, progress)
        counted = len(committed if scope is None else scope)
        if not suspects:
            return ReachReport(checked, counted, seconds=clock())
        with self.writing():
            unreachable = self._confirm_unreachable(suspects)
            still: list[str] = []
            rewritten: list[str] = []
            if repair and unreachable:
                owners = {c.article_id for c in self.get_chunks(unreachable)}
                self._session.touch(owners)
                self._session.changed()  # a new generation: other processes reopen and see it
                self._session.shards_written(self._writable_map().bumped())
                still, rewritten = reach.repair(self.chroma, unreachable)
            repaired = sorted(set(unreachable) - set(still)) if repair else []
        return ReachReport(
            checked,
            counted,
            unreachable=tuple(unreachable),
            repaired=tuple(repaired),
            rewritten=tuple(sorted(rewritten)),
            seconds=clock(),
        )

    def _confirm_unreachable(self, suspects: Sequence[str]) -> list[str]:
        """Those of ``suspects`` that are still committed chunks and still not reached."""
        found = self.get_committed_chunks(suspects)
        if not found:
            return []
        committed = {c.article_id for c in found}
        _, still = reach.find_unreachable(self.chroma, committed, committed)
        wanted = {c.id for c in found}
        return [c for c in still if c in wanted]

    def committed(self, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` whose article record is written (whose chunks may be shown)."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return set()
        return set(self.chroma.articles.get(ids=wanted, include=[])["ids"])

    def get_chunks(
        self, ids: Sequence[str], shards: Mapping[str, int] | None = None
    ) -> list[StoredChunk]:
        """Chunks by id, committed or not (missing ids are skipped).

        Args:
            ids: the chunk ids.
            shards: where some of them are likely to be (a :class:`index.bm25.LexicalHit`'s
                ``shard``): those are asked of that shard alone, and only the ids not found
                there, or without a hint, of every shard (ten reads at a million chunks).
        """
        if not ids:
            return []
        found: dict[str, StoredChunk] = {}
        hinted: dict[int, list[str]] = {}
        for id_ in ids:
            number = (shards or {}).get(id_)
            if number is not None:
                hinted.setdefault(number, []).append(id_)
        numbers = set(self.shard_map().numbers())
        for number, wanted in hinted.items():
            if number in numbers:
                found.update(self._read_chunks(number, wanted))
        rest = [i for i in ids if i not in found]
        if rest:
            for number in sorted(numbers):
                found.update(self._read_chunks(number, rest))
        return [found[i] for i in ids if i in found]

    def _read_chunks(self, number: int, ids: Sequence[str]) -> dict[str, StoredChunk]:
        got = self.chroma.shard(number).get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: stored_chunk(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
            if m is not None
        }

    def get_committed_chunks(
        self, ids: Sequence[str], shards: Mapping[str, int] | None = None
    ) -> list[StoredChunk]:
        """Chunks by id, leaving out missing ids and chunks of uncommitted articles
        (``shards``: as for :meth:`get_chunks`)."""
        found = self.get_chunks(ids, shards)
        committed = self.committed({c.article_id for c in found})
        return [c for c in found if c.article_id in committed]

    def article_infos(self, article_ids: Collection[str]) -> list[ArticleInfo]:
        """Metadata of those of ``article_ids`` that are committed (the others are skipped)."""
        wanted = sorted(set(article_ids))
        infos: list[ArticleInfo] = []
        for b in range(0, len(wanted), self.chroma.batch):
            got = self.chroma.articles.get(
                ids=wanted[b : b + self.chroma.batch], include=["metadatas"]
            )
            infos.extend(article_info(i, m or {}) for i, m in zip(got["ids"], got["metadatas"]))
        return infos

    def chunks_of(self, article_ids: Collection[str]) -> list[StoredChunk]:
        """Every stored chunk of those of ``article_ids`` that are committed, article by
        article in chunk order (an article's record says where its chunks are)."""
        wanted = sorted(set(article_ids))
        found: list[StoredChunk] = []
        # By id in each article's shard (its record gives both): a metadata filter would ask
        # every shard and cost far more (see first_chunk_vectors).
        for number, infos in self._by_shard(self.article_infos(wanted)).items():
            ids = [chunk_id(i.id, n) for i in infos for n in range(i.chunks)]
            for b in range(0, len(ids), 1000):
                got = self.chroma.shard(number).get(
                    ids=ids[b : b + 1000], include=["documents", "metadatas"]
                )
                found.extend(
                    stored_chunk(i, d, m)
                    for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
                    if m is not None
                )
        order = {a: n for n, a in enumerate(wanted)}
        found.sort(key=lambda c: (order.get(c.article_id, -1), c.index))
        return found

    def changes_since(self, held: Collection[int], target: int) -> ChangeSet | None:
        """The articles changed between one of the ``held`` generations and ``target``, from
        the change log (:mod:`index.store.changelog`); None when the log does not reach back
        that far."""
        return self._session.log.since(held, target)

    # ---- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """A write session: the write lock, crash recovery first, one generation bump at the end.

        Sessions nest; only the outermost one locks and bumps. Every write method opens one
        itself, so callers need this only to group several writes under one lock and one bump.

        Raises:
            StoreError: a Chroma server reports another live writer.
        """
        with self._session.open():
            yield self

    def put_articles(
        self,
        items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]],
        groups: Mapping[str, tuple[ArticleGroups, Sketch]] | None = None,
    ) -> None:
        """Replace the chunks of several articles and commit their records, in the safe order.

        Args:
            items: (article, its chunks, one unit vector row per chunk).
            groups: by article id, its groups and sketch (:mod:`index.stories`); an article
                without an entry is stored without (as before groups were kept).
        """
        placed = groups or {}
        if not items:
            return
        ids = [article.id for article, _, _ in items]
        if len(set(ids)) != len(ids):
            raise ValueError("put_articles got the same article twice")
        batch = self.chroma.batch
        with self.writing():
            self._session.changed()
            self._session.touch(ids)
            # Only articles with a record have chunks to replace: a session starts by removing
            # the chunks of any article without one (see index.store.session).
            existing = self.article_infos(ids)
            if existing:
                self.chroma.articles.delete(ids=sorted(i.id for i in existing))
                self._delete_chunks_of(existing)
            rows: list[tuple[Chunk, np.ndarray, dict[str, Any]]] = [
                (chunk, vector, chunk_record(article, chunk, _groups_of(placed, article.id)))
                for article, chunks, vectors in items
                for chunk, vector in zip(chunks, vectors)
            ]
            # Every new chunk goes to the newest shard (a new one when it is full).
            shard_map = self._writable_map().for_writing(self.settings.shard_chunks)
            newest = shard_map.newest
            days = [to_ordinal(article.published) for article, _, _ in items]
            self._session.shards_written(shard_map.updated(newest.written(len(rows), 0, days)))
            shard = self.chroma.shard(newest.number)
            for b in range(0, len(rows), batch):
                part = rows[b : b + batch]
                shard.upsert(
                    ids=[c.id for c, _, _ in part],
                    embeddings=np.asarray([v for _, v, _ in part], dtype=np.float32),
                    metadatas=[m for _, _, m in part],
                )
            # An updated article's old sketch goes with its old chunks (its new one, if it has
            # words, is written next).
            if existing:
                self.chroma.sketches.delete(ids=sorted(i.id for i in existing))
            sketched = [
                (article, *placed[article.id])
                for article, _, _ in items
                if article.id in placed and placed[article.id][1].shingles
            ]
            for b in range(0, len(sketched), batch):
                part_sketches = sketched[b : b + batch]
                self.chroma.sketches.upsert(
                    ids=[article.id for article, _, _ in part_sketches],
                    embeddings=[[1.0]] * len(part_sketches),
                    metadatas=[
                        sketch_record(article, sketch, group)
                        for article, group, sketch in part_sketches
                    ],
                )
            for b in range(0, len(items), batch):
                part_items = items[b : b + batch]
                self.chroma.articles.upsert(
                    ids=[article.id for article, _, _ in part_items],
                    embeddings=[[1.0]] * len(part_items),
                    documents=[article.text for article, _, _ in part_items],
                    metadatas=[
                        article_record(
                            article, len(chunks), _groups_of(placed, article.id), newest.number
                        )
                        for article, chunks, _ in part_items
                    ],
                )
            self._session.beat()

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks. Returns False when it was not indexed."""
        return self.remove_articles([article_id]) == 1

    def remove_articles(self, article_ids: Sequence[str]) -> int:
        """Delete articles and their chunks, a batch per call rather than one article per call.

        Returns:
            How many of them were indexed.
        """
        ids = list(dict.fromkeys(article_ids))
        batch = self.chroma.batch
        with self.writing():
            infos = self.article_infos(ids)
            existing = [i.id for i in infos]
            if existing:
                self._session.touch(existing)
            # Records first: from then on readers ignore the chunks, which go next.
            for b in range(0, len(ids), batch):
                self.chroma.articles.delete(ids=ids[b : b + batch])
            self._delete_chunks_of(infos)
            for b in range(0, len(ids), batch):
                self.chroma.sketches.delete(ids=ids[b : b + batch])
            if existing:
                self._session.changed()
            return len(existing)

    def remove_orphans(self) -> int:
        """Delete chunks whose article has no committed record (left by an interrupted run).

        Also brings the shard map up to date with what that run may have written without
        publishing it: every shard's version moves on (readers reload them), a shard it created
        is added, and the newest shard's chunks are counted.
        """
        with self.writing():
            committed = set(self.article_hashes())
            batch = self.chroma.batch
            orphans = 0
            present = self.chroma.shard_numbers()
            for number in present:
                by_article: dict[str, list[str]] = {}
                for ids, metas, _ in self.chroma.scan(self.chroma.shard(number), ["metadatas"]):
                    for id_, meta in zip(ids, metas):
                        by_article.setdefault(str((meta or {}).get("article_id")), []).append(id_)
                left = [a for a in by_article if a not in committed]
                ids = [chunk_id for a in left for chunk_id in by_article[a]]
                self._session.touch(left)
                for b in range(0, len(ids), batch):
                    self.chroma.shard(number).delete(ids=ids[b : b + batch])
                orphans += len(ids)
            # Sketches carry no vector worth keeping: those of uncommitted articles just go.
            loose = [
                id_
                for ids, _, _ in self.chroma.scan(self.chroma.sketches, [])
                for id_ in ids
                if id_ not in committed
            ]
            for b in range(0, len(loose), batch):
                self.chroma.sketches.delete(ids=loose[b : b + batch])
            shards = list(self._writable_map().bumped().shards)
            shards += [ShardState(n, version=1) for n in range(len(shards), max(present) + 1)]
            newest = shards[-1]
            shards[-1] = ShardState(
                newest.number,
                self.chroma.shard(newest.number).count(),
                newest.first_day,
                newest.last_day,
                newest.version,
            )
            self._session.shards_written(ShardMap(tuple(shards)))
            if orphans:
                self._session.changed()
            return orphans

    def add_commit_hook(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(generation)`` at the end of each changing session, before it is published.

        The BM25 side uses this to save its index for the new generation first, so readers that
        see the generation find the index ready. A failing hook is logged, never fatal.
        """
        self._session.add_commit_hook(hook)

    def remove_commit_hook(self, hook: Callable[[int], None]) -> None:
        """Stop calling a hook :meth:`add_commit_hook` added (a bulk load builds BM25 itself)."""
        self._session.remove_commit_hook(hook)

    def _delete_chunks_of(self, infos: Sequence[ArticleInfo]) -> None:
        """Delete the chunks of committed articles, by id in each one's shard (their records
        say which and how many: a session removes the chunks of articles without a record)."""
        shard_map = self._writable_map()
        for number, part in self._by_shard(infos).items():
            ids = [chunk_id(i.id, n) for i in part for n in range(i.chunks)]
            for b in range(0, len(ids), self.chroma.batch):
                self.chroma.shard(number).delete(ids=ids[b : b + self.chroma.batch])
            if number < len(shard_map.shards):
                shard_map = shard_map.updated(shard_map.shards[number].written(0, len(ids), ()))
        self._session.shards_written(shard_map)

    def _writable_map(self) -> ShardMap:
        """The session's shard map, filled in first for an index from before shards (its one
        shard's chunk count and days, read from the article records once)."""
        shard_map = self._session.shards
        if shard_map.known:
            return shard_map
        chunks, days = 0, []
        for _, metas, _ in self.chroma.scan(self.chroma.articles, ["metadatas"]):
            for meta in metas:
                chunks += int((meta or {}).get("chunks", 0))
                days.append(int((meta or {}).get("published", UNKNOWN_ORDINAL)))
        dated = [d for d in days if d != UNKNOWN_ORDINAL]
        state = ShardState(
            0,
            chunks,
            min(dated, default=UNKNOWN_ORDINAL),
            max(dated, default=UNKNOWN_ORDINAL),
            version=1,
        )
        shard_map = ShardMap((state,))
        self._session.shards_written(shard_map)
        return shard_map


def _groups_of(
    placed: Mapping[str, tuple[ArticleGroups, Sketch]], article_id: str
) -> ArticleGroups | None:
    entry = placed.get(article_id)
    return entry[0] if entry else None


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _search_pool() -> ThreadPoolExecutor:
    """The threads shard searches run in, shared by every store of the process (questions
    already run in threads of their own; this bounds the searches they start)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="shard-search"
            )
        return _POOL
