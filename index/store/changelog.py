"""The change log: which articles each published generation changed, kept in Chroma itself.

Every machine that reads an index (an app beside a Chroma server, a second app process on the
embedded store) keeps its own lexical index (:mod:`index.lexical`). When the store's generation
moves on, it asks the log which articles changed since the generation it holds and fetches only
those, instead of reading every chunk again. The log lives in a third collection,
``<name>_changes``, so every machine that sees the store sees the log.

Records (each with a constant 1-d vector, as Chroma requires one):

* ``log-<generation>``: one per published generation; metadata ``generation`` and ``previous``
  (the generation it was made from), document the JSON list of article ids the session added,
  changed or removed. Entries form a chain through ``previous``; a reader walks it back from the
  generation it wants to one it holds. An entry whose session was killed before publishing is
  never on that chain, so it is ignored (and trimmed with the rest later).
* ``pending-<writer>-<n>``: written by a session *before* it touches an article (one per write
  call), removed once the session is published. A session killed half-way leaves them; the next
  session takes their ids into its own entry, so a crash never loses a change from the log.

Why ids and not contents: the contents are in the store already; a reader fetches the current
records of the ids it is told about. The log keeps the newest :data:`KEEP` entries; a machine
further behind rebuilds its lexical index from the whole store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Entries kept; a machine that is further behind than this rebuilds (trimmed at commit).
KEEP = 500

_VECTOR = [1.0]
_PAGE = 1000


@dataclass(frozen=True)
class ChangeSet:
    """What changed between a generation a reader holds and the one it wants.

    Attributes:
        base: the held generation the log reaches back to.
        target: the wanted generation.
        article_ids: every article added, changed or removed in between.
        entries: log entries walked (how far behind the reader was).
    """

    base: int
    target: int
    article_ids: frozenset[str]
    entries: int


class ChangeLog:
    """The change log of one index (the ``<name>_changes`` collection).

    Args:
        collection: the Chroma collection holding the log.
    """

    #: How many entries a commit keeps (a class attribute so tests can shorten the log).
    keep = KEEP

    def __init__(self, collection) -> None:
        self.collection = collection

    def note_pending(self, writer: str, serial: int, article_ids: Collection[str]) -> None:
        """Record that a session is about to change ``article_ids`` (before it touches them)."""
        if not article_ids:
            return
        self.collection.upsert(
            ids=[f"pending-{writer}-{serial}"],
            embeddings=[_VECTOR],
            documents=[json.dumps(sorted(article_ids))],
            metadatas=[{"kind": "pending", "generation": 0, "previous": 0}],
        )

    def pending(self) -> set[str]:
        """Article ids of every pending record (sessions not yet published, or killed)."""
        got = self.collection.get(where={"kind": "pending"}, include=["documents"])
        ids: set[str] = set()
        for doc in got["documents"] or []:
            ids.update(_ids(doc))
        return ids

    def clear_pending(self) -> None:
        """Remove the pending records (their ids are in a published entry now)."""
        self.collection.delete(where={"kind": "pending"})

    def record(
        self, generation: int, previous: int, article_ids: Iterable[str], complete: bool = True
    ) -> None:
        """Write the entry of ``generation`` (made from ``previous``), before it is published.

        Args:
            generation: the generation about to be published.
            previous: the generation it was made from.
            article_ids: the articles it added, changed or removed.
            complete: False when the session cannot name everything that changed (it recovered
                from a writer that left no pending record); readers then rebuild.
        """
        self.collection.upsert(
            ids=[_entry_id(generation)],
            embeddings=[_VECTOR],
            documents=[json.dumps(sorted(article_ids))],
            metadatas=[
                {
                    "kind": "log",
                    "generation": generation,
                    "previous": previous,
                    "complete": complete,
                }
            ],
        )

    def trim(self) -> int:
        """Remove all but the newest :attr:`keep` entries; returns how many went.

        Checked cheaply by count first, and only done once the log is 10% over, so a commit
        usually pays one count call.
        """
        total = self.collection.count()
        if total <= self.keep + max(1, self.keep // 10):
            return 0
        entries = sorted(self._entries(None), reverse=True)
        old = [_entry_id(g) for g, _ in entries[self.keep :]]
        for b in range(0, len(old), _PAGE):
            self.collection.delete(ids=old[b : b + _PAGE])
        return len(old)

    def since(self, held: Collection[int], target: int) -> ChangeSet | None:
        """The articles changed between one of the ``held`` generations and ``target``.

        Walks the chain back from ``target`` through each entry's ``previous`` until it reaches
        a held generation.

        Returns:
            None when the chain breaks first (the reader is further behind than the log, or the
            store predates the log).
        """
        if not held:
            return None
        if target in held:
            return ChangeSet(target, target, frozenset(), 0)
        by_generation = dict(self._entries(min(held)))
        ids: set[str] = set()
        at, walked = target, 0
        while at not in held:
            entry = by_generation.get(at)
            if entry is None:
                return None
            previous, changed = entry
            if changed is None:
                return None  # a session that could not name its changes
            ids.update(changed)
            at, walked = previous, walked + 1
        return ChangeSet(at, target, frozenset(ids), walked)

    def _entries(self, after: int | None) -> Iterable[tuple[int, tuple[int, list[str] | None]]]:
        """(generation, (previous, article ids or None when incomplete)) of the entries newer
        than ``after``."""
        where: dict = {"kind": "log"}
        if after is not None:
            where = {"$and": [{"kind": "log"}, {"generation": {"$gt": after}}]}
        offset = 0
        while True:
            got = self.collection.get(
                where=where, include=["metadatas", "documents"], limit=_PAGE, offset=offset
            )
            for meta, doc in zip(got["metadatas"] or [], got["documents"] or []):
                meta = meta or {}
                ids = _ids(doc) if meta.get("complete", True) else None
                yield int(meta.get("generation", 0)), (int(meta.get("previous", 0)), ids)
            if len(got["ids"]) < _PAGE:
                return
            offset += _PAGE


def _entry_id(generation: int) -> str:
    return f"log-{generation}"


def _ids(document: str | None) -> list[str]:
    try:
        ids = json.loads(document or "[]")
    except ValueError:
        log.warning("a change log record is damaged; ignoring it")
        return []
    return [str(i) for i in ids] if isinstance(ids, list) else []
