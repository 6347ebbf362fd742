"""The retriever's in-memory chunk table is held for the two newest store generations."""

from __future__ import annotations

from qa.retrieval.chunk_table import TableCache


class _CountingStore:
    """A store with no chunks that counts how often its chunks are read."""

    def __init__(self) -> None:
        self.reads = 0

    def count_chunks(self) -> int:
        return 0

    def committed_chunks(self, vectors: bool = False):
        self.reads += 1
        return iter(())


def test_questions_on_two_generations_at_once_do_not_reload_the_table_in_turn():
    store = _CountingStore()
    cache = TableCache(store)  # type: ignore[arg-type]
    # A question that started before a commit (generation 1) and one after it (2), in turn.
    for _ in range(3):
        assert cache.get(1).generation == 1
        assert cache.get(2).generation == 2
    assert store.reads == 2
    cache.get(3)  # the next commit: generation 1 is let go
    assert store.reads == 3
    cache.get(2), cache.get(3)
    assert store.reads == 3
    cache.get(1)  # older than both held: read for this question, not kept
    cache.get(1)
    assert store.reads == 5
    cache.get(3)
    assert store.reads == 5


class _BigStore(_CountingStore):
    """A store too big to hold, whose chunk count is slow (Chroma counts every record)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts = 0

    def count_chunks(self) -> int:
        self.counts += 1
        return 5_000_000


def test_a_known_chunk_count_spares_the_store_its_count():
    store = _BigStore()
    cache = TableCache(store, max_chunks=1_000)  # type: ignore[arg-type]
    assert cache.get(1, 5_000_000) is None  # the lexical index's count: too big, nothing read
    assert (store.counts, store.reads) == (0, 0)
    assert cache.get(2) is None  # no count given: the store counts
    assert store.counts == 1
    small = TableCache(_CountingStore(), max_chunks=1_000)  # type: ignore[arg-type]
    assert small.get(1, 0).generation == 1
