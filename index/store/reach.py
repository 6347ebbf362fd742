"""Reachability: can dense search find every committed chunk? Finding and repairing those it cannot.

Why. Chroma 1.5.9 sometimes leaves a live record out of its vector index's graph after deletes and
re-adds (chroma-core/chroma#7758, open): ``get()`` returns the record and its vector, but no
``query()`` reaches it, not even with its own vector, and reopening the store does not help. Such
a chunk is lost to dense retrieval while BM25 still finds it. (The same happens in a fresh index
whose vectors all lie close together: see ``tests/fixtures/hnsw.py``.) Nothing of ours is lost:
the record holds the vector, the text and the metadata, so it can be written again.

How a chunk is checked. Its own stored vector is the query; the chunk is reachable when it comes
back among the nearest :data:`NEAREST`. The queries go in batches of :data:`QUERY_BATCH` vectors
per call and without a ``where`` filter: measured on 10,000 chunks, batches of 1,000 cost about
0.7 ms a chunk, while one filtered query per article costs about 20 ms a call. A filtered search
walks the same graph (an isolated node is not found with a ``where`` either), so the filter is
kept for the rare case it is needed: identical texts (one story in two feeds) have identical
vectors, and when all :data:`NEAREST` slots hold exact copies the chunk is asked for again within
its own article.

How one is repaired. The record is written again, unchanged, with ``upsert`` (its stored vector,
text and metadata): Chroma re-links an updated node into the graph. Unlike a delete and re-add,
the record never disappears, so a reader (a BM25 hit fetched by id) never misses it. The repaired
chunks are checked again; any still unreachable are deleted and added afresh (a new node, linked
like any new record), up to :data:`REWRITE_ROUNDS` times. The write runs in a write session
that names the chunks' articles in the change log and publishes a new generation (content
unchanged), so other processes on the embedded store reopen their vector index and see the
repair, and the lexical side re-reads those articles only. A rebuild of the whole collection's
graph (copying every record into a fresh collection) was not built: #7758 leaves a handful of
records, and re-writing them fixed every one in the tests, at a cost in proportion to their
number. Where many are unreachable (7.6% of a
synthetic 10,000-chunk index of very close vectors) re-writing fixes about 95%; a fresh graph of
the same vectors would fail in the same proportion.

What a repair does not yet guarantee (the embedded store). Chroma saves its graph only every
``sync_threshold`` (1,000) writes; a process that opens the store loads the saved graph and
re-inserts the records written since, in an order that varies from one opening to the next. So
the repair holds in the process that made it, but a process opened later may find a few chunks of
that unsaved tail unreachable again (measured: 1 to 3 of 6 repaired, in fresh processes) until
Chroma saves its graph; its own check repairs them again. Lowering ``sync_threshold`` for the
repair's writes did not make the saved graph hold the repair (tried, measured, removed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .records import ChromaCollections

#: Neighbours asked for per chunk: room for a few exact copies of its vector ahead of it.
NEAREST = 10
#: Query vectors per Chroma call (2,000 measured about 10% faster than 1,000 and 20% faster
#: than 100 on 10,000 chunks; this bounds the memory of one call's results).
QUERY_BATCH = 1000
#: Squared L2 distance below which two unit vectors count as the same vector.
SAME_VECTOR = 1e-6
#: Chunks read per ``get`` when checking given articles.
ARTICLES_PER_GET = 200

#: ``progress(chunks checked, chunks to check)``.
ReachProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReachReport:
    """What a reachability check found and did.

    Attributes:
        checked: committed chunks checked.
        articles: articles they belong to.
        unreachable: ids of chunks dense search did not reach, sorted.
        repaired: those of them reachable after the repair, sorted.
        rewritten: those the repair had to delete and add afresh (an upsert did not do).
        seconds: wall time of the check and the repair.
    """

    checked: int
    articles: int
    unreachable: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()
    rewritten: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def remaining(self) -> tuple[str, ...]:
        """Chunks still unreachable (not repaired, or the repair did not help)."""
        fixed = set(self.repaired)
        return tuple(c for c in self.unreachable if c not in fixed)

    @property
    def ok(self) -> bool:
        """True when every checked chunk can be found by dense search now."""
        return not self.remaining


@dataclass
class _Batch:
    """Chunks waiting to be queried: ids, article ids, vectors."""

    ids: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)

    def add(self, id_: str, article_id: str, vector) -> None:
        self.ids.append(id_)
        self.articles.append(article_id)
        self.vectors.append(np.asarray(vector, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)


def find_unreachable(
    chroma: ChromaCollections,
    committed: Collection[str],
    articles: Collection[str] | None = None,
    progress: ReachProgress | None = None,
) -> tuple[int, list[str]]:
    """Query every committed chunk (or those of ``articles``) with its own vector.

    Args:
        chroma: the index's collections.
        committed: the committed article ids (chunks of other articles are not searchable
            anyway, and are skipped).
        articles: check only these articles' chunks (None: every chunk).
        progress: called after each batch.

    Returns:
        (chunks checked, ids of the chunks dense search did not reach, sorted).
    """
    shards = {number: chroma.shard(number) for number in chroma.shard_numbers()}
    counts = {number: shard.count() for number, shard in shards.items()}
    total = sum(counts.values())
    if total == 0:
        return 0, []
    checked = 0
    missed: list[str] = []
    expected = total if articles is None else None
    for number, shard in shards.items():
        # Each shard is a graph of its own: a chunk is checked within its shard.
        n = min(NEAREST, counts[number])
        for batch in _batches(_records(chroma, shard, articles), committed):
            missed.extend(_missed(shard, batch, n))
            checked += len(batch)
            if progress:
                progress(checked, expected if expected is not None else checked)
    if progress and expected is not None and checked != expected:
        progress(checked, checked)  # orphans were counted in the total
    return checked, sorted(missed)


def _batches(
    records: Iterable[tuple[list[str], list[str], Iterable]], committed: Collection[str]
) -> Iterator[_Batch]:
    """The committed chunks of ``records``, in batches of :data:`QUERY_BATCH`."""
    pending = _Batch()
    for ids, article_ids, vectors in records:
        for id_, article_id, vector in zip(ids, article_ids, vectors):
            if article_id not in committed:
                continue
            pending.add(id_, article_id, vector)
            if len(pending) >= QUERY_BATCH:
                yield pending
                pending = _Batch()
    if pending:
        yield pending


#: Times a chunk an upsert did not re-link is deleted and added afresh before it is reported as
#: still unreachable (one add can leave the new node out again: seen in a full test run on the
#: tests' crowded 1,200-chunk store).
REWRITE_ROUNDS = 3


def repair(chroma: ChromaCollections, chunk_ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Write unreachable chunks again so that dense search reaches them; the caller holds a
    write session.

    Returns:
        (ids still unreachable afterwards, ids that had to be deleted and added afresh).
    """
    still_all: list[str] = []
    rewritten: list[str] = []
    for number in chroma.shard_numbers() if chunk_ids else []:
        shard = chroma.shard(number)
        records = _read(shard, chunk_ids)
        if not records["ids"]:
            continue
        _in_batches(shard.upsert, records, chroma.batch)
        still = _recheck(shard, records)
        if not still:
            continue
        # An upsert did not re-link them: delete and add afresh (a brief gap for a reader that
        # fetches exactly these ids, better than a chunk dense search never finds). Each add
        # draws the node's level and links anew, so one left out again gets another try.
        rewritten += still
        for _ in range(REWRITE_ROUNDS):
            again = _read(shard, still)
            shard.delete(ids=list(again["ids"]))
            _in_batches(shard.add, again, chroma.batch)
            still = _recheck(shard, again)
            if not still:
                break
        still_all += still
    return still_all, rewritten


def _in_batches(write: Callable[..., object], records: dict, batch: int) -> None:
    """``write`` (a collection's ``upsert`` or ``add``) the records ``batch`` at a time."""
    for b in range(0, len(records["ids"]), batch):
        write(**_slice(records, b, b + batch))


def _missed(shard, batch: _Batch, n: int) -> list[str]:
    """Ids of ``batch`` that a query of ``shard`` with their own vector does not return."""
    got = shard.query(query_embeddings=np.stack(batch.vectors), n_results=n, include=["distances"])
    missed: list[str] = []
    for i, (row, distances) in enumerate(zip(got["ids"], got["distances"])):
        id_ = batch.ids[i]
        if id_ in row:
            continue
        if distances and len(row) == n and float(distances[-1]) <= SAME_VECTOR:
            # Every slot is an exact copy of this vector: ask within its own article.
            if _found_in_article(shard, id_, batch.articles[i], batch.vectors[i]):
                continue
        missed.append(id_)
    return missed


def _found_in_article(shard, id_: str, article_id: str, vector) -> bool:
    try:
        got = shard.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=NEAREST,
            where={"article_id": article_id},
            include=[],
        )
    except Exception:  # chroma raises when a filter matches fewer records than asked for
        got = shard.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=1,
            where={"article_id": article_id},
            include=[],
        )
    return id_ in got["ids"][0]


def _records(
    chroma: ChromaCollections, shard, articles: Collection[str] | None
) -> Iterator[tuple[list[str], list[str], Iterable]]:
    """(ids, article ids, vectors) of every chunk record of ``shard``, or of those of
    ``articles``."""
    if articles is None:
        for ids, metas, got in chroma.scan(shard, ["metadatas", "embeddings"]):
            yield ids, [str((m or {}).get("article_id", "")) for m in metas], got["embeddings"]
        return
    wanted = sorted(set(articles))
    for b in range(0, len(wanted), ARTICLES_PER_GET):
        part = wanted[b : b + ARTICLES_PER_GET]
        where = {"article_id": part[0]} if len(part) == 1 else {"article_id": {"$in": part}}
        got = shard.get(where=where, include=["metadatas", "embeddings"])
        if not got["ids"]:
            continue
        metas = got["metadatas"] or [{} for _ in got["ids"]]
        yield got["ids"], [str((m or {}).get("article_id", "")) for m in metas], got["embeddings"]


def _read(shard, ids: Sequence[str]) -> dict:
    """The records of ``ids`` that ``shard`` holds (vectors, documents, metadatas), ready to
    write back."""
    got = shard.get(ids=list(ids), include=["embeddings", "documents", "metadatas"])
    return {
        "ids": list(got["ids"]),
        "embeddings": np.asarray(got["embeddings"], dtype=np.float32),
        "documents": list(got["documents"]),
        "metadatas": list(got["metadatas"]),
    }


def _slice(records: dict, start: int, end: int) -> dict:
    return {key: value[start:end] for key, value in records.items()}


def _recheck(shard, records: dict) -> list[str]:
    """Ids of ``records`` still not reached by their own vector in ``shard``."""
    if not records["ids"]:
        return []
    n = min(NEAREST, shard.count())
    still: list[str] = []
    for b in range(0, len(records["ids"]), QUERY_BATCH):
        batch = _Batch()
        for id_, meta, vector in zip(
            records["ids"][b : b + QUERY_BATCH],
            records["metadatas"][b : b + QUERY_BATCH],
            records["embeddings"][b : b + QUERY_BATCH],
        ):
            batch.add(id_, str((meta or {}).get("article_id", "")), vector)
        still.extend(_missed(shard, batch, n))
    return still


def timed() -> Callable[[], float]:
    """A stopwatch: call the result for the seconds since."""
    started = time.perf_counter()
    return lambda: time.perf_counter() - started
