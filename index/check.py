"""``python -m index check``: does every committed chunk show up where it should?

Two checks, both read-only unless asked to repair:

* Dense search reaches every chunk (:mod:`index.store.reach`; chroma-core/chroma#7758 leaves a few
  live records out of Chroma's vector index). Repair: the records are written again.
* The lexical index of the current generation holds exactly the committed chunks (the ids of its
  live rows against the store's). It is built from the store and kept in step by the change log,
  so a difference means a damaged or stale saved index. Repair: it is rebuilt from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from .library import NewsIndex
from .store import ReachProgress, ReachReport


@dataclass(frozen=True)
class LexicalAgreement:
    """The lexical index against the store at one generation.

    Attributes:
        generation: the generation compared.
        chunks: committed chunks in the store.
        missing: committed chunk ids the lexical index lacks (sorted).
        extra: lexical rows with no committed chunk (sorted).
        rebuilt: the lexical index was rebuilt (a repair), and these are the counts after it.
        skipped: why it was not compared ("" when it was): the index changed meanwhile.
    """

    generation: int
    chunks: int
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    rebuilt: bool = False
    skipped: str = ""

    @property
    def ok(self) -> bool:
        """True when they agree (or could not be compared because a write intervened)."""
        return not self.missing and not self.extra


@dataclass(frozen=True)
class IndexCheck:
    """What ``python -m index check`` found and repaired."""

    reach: ReachReport
    lexical: LexicalAgreement

    @property
    def ok(self) -> bool:
        """True when no problem remains."""
        return self.reach.ok and self.lexical.ok


def check_index(
    index: NewsIndex, repair: bool = False, progress: ReachProgress | None = None
) -> IndexCheck:
    """Check (and with ``repair``, repair) dense reachability and the lexical index.

    Args:
        index: the opened index.
        repair: re-write unreachable chunks; rebuild a lexical index that disagrees.
        progress: ``progress(chunks checked, chunks to check)`` during the dense check.

    Raises:
        StoreError: the store cannot be read, or (repairing) written.
    """
    reach = index.store.check_reach(repair=repair, progress=progress)
    lexical = compare_lexical(index)
    if repair and not lexical.ok and not lexical.skipped:
        index.lexical.rebuild(lexical.generation, "`python -m index check` found it out of step")
        after = compare_lexical(index)
        lexical = LexicalAgreement(
            after.generation, after.chunks, after.missing, after.extra, True, after.skipped
        )
    return IndexCheck(reach, lexical)


def compare_lexical(index: NewsIndex) -> LexicalAgreement:
    """The lexical index of the store's current generation against its committed chunks."""
    store = index.store
    generation = store.generation()
    committed = set(store.article_hashes())
    stored = {
        chunk_id
        for article_id, ids in store.chunk_ids_by_article().items()
        if article_id in committed
        for chunk_id in ids
    }
    rows = set(index.lexical.at(generation).live_chunk_ids())
    if store.generation() != generation:
        return LexicalAgreement(
            generation, len(stored), skipped="the index changed during the check; run it again"
        )
    return LexicalAgreement(
        generation, len(stored), tuple(sorted(stored - rows)), tuple(sorted(rows - stored))
    )
