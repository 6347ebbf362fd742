"""Vector shards: the chunk vectors split over several Chroma collections, new ones in the newest.

Why. Chroma keeps a collection's whole vector graph in the memory of each process that touches
it, and loads it all on the first call of any kind (a ``get`` by id included): measured at a
million chunks, 2.9 to 3.2 s and 2.1 GB before the first answer. An embedded reader must also
reload that graph after another process writes to it, since its copy does not see the other
process's writes. With one collection, adding one article to a million-chunk index meant loading
the million vectors in the writer, and every running app reloading them after the commit.

How. The chunks live in shards of at most ``NEWSQA_SHARD_CHUNKS`` records. New chunks always go
to the newest shard; when it is full, the next write opens a new one. So a write touches the
newest shard only (and the shards of the articles it updates or removes, usually recent ones),
and an app reloads only the shards a write changed. Shard 0 is the ``<name>_chunks``
collection of the store's own files (an index from before shards is one shard 0); in the
embedded store each later shard has its own Chroma files under ``chroma-shards/<n>/``, since a
reader reloads an embedded store's files as a whole; on a Chroma server they are collections
``<name>_chunks_<n>``. Article records say which shard holds their chunks.

The shard map (:class:`ShardMap`, in the article collection's metadata, written with the
generation) gives each shard's chunk count, the span of its articles' publication days and a
version that every write to it bumps: readers compare versions to know which shards to reload,
and story grouping searches only the shards whose days are near the new articles'. Dense search
asks every shard and keeps the nearest overall.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..dates import UNKNOWN_ORDINAL


@dataclass(frozen=True)
class ShardState:
    """One shard, as the map records it.

    Attributes:
        number: 0, 1, ...; the newest shard has the highest.
        chunks: chunk records in it (kept by the writers: added minus removed).
        first_day: the earliest publication day (:func:`index.dates.to_ordinal`) of the
            articles written to it; :data:`UNKNOWN_ORDINAL` when none was dated or it is not
            known (an index from before shards, until a writer reads it).
        last_day: the latest such day.
        version: bumped by every write session that changes the shard's records.
    """

    number: int
    chunks: int = 0
    first_day: int = UNKNOWN_ORDINAL
    last_day: int = UNKNOWN_ORDINAL
    version: int = 0

    @property
    def dated(self) -> bool:
        """Whether the span of days is known."""
        return self.first_day != UNKNOWN_ORDINAL and self.last_day != UNKNOWN_ORDINAL

    def near(self, first: int, last: int, margin: int) -> bool:
        """Whether an article of a day in ``first..last`` may share a story with this shard's
        articles (their days within ``margin`` of each other); True when the span is unknown."""
        if not self.dated:
            return True
        return first - margin <= self.last_day and last + margin >= self.first_day

    def written(self, added: int, removed: int, days: Iterable[int]) -> ShardState:
        """This shard after a session added ``added`` chunks (of articles of ``days``) and
        removed ``removed``."""
        dated = [d for d in days if d != UNKNOWN_ORDINAL]
        first, last = self.first_day, self.last_day
        if dated:
            first = min(dated) if first == UNKNOWN_ORDINAL else min(first, *dated)
            last = max(dated) if last == UNKNOWN_ORDINAL else max(last, *dated)
        return replace(
            self,
            chunks=max(0, self.chunks + added - removed),
            first_day=first,
            last_day=last,
            version=self.version + 1,
        )


@dataclass(frozen=True)
class ShardMap:
    """Every shard of an index, oldest first (see the module docstring).

    Attributes:
        shards: the shards, by number (``shards[n].number == n``).
        known: False for the map assumed for an index from before shards (one shard 0 whose
            counts are not known yet); a writer reads the article records to fill it in.
    """

    shards: tuple[ShardState, ...] = (ShardState(0),)
    known: bool = True

    @property
    def newest(self) -> ShardState:
        """The shard new chunks go to."""
        return self.shards[-1]

    def numbers(self) -> list[int]:
        """Every shard's number."""
        return [s.number for s in self.shards]

    def near(self, first: int, last: int, margin: int) -> list[int]:
        """Numbers of the shards that may hold articles within ``margin`` days of
        ``first..last``."""
        return [s.number for s in self.shards if s.near(first, last, margin)]

    def for_writing(self, capacity: int) -> ShardMap:
        """This map, with a new empty shard when the newest holds ``capacity`` chunks or more."""
        if self.newest.chunks < capacity:
            return self
        return replace(self, shards=(*self.shards, ShardState(self.newest.number + 1)))

    def updated(self, state: ShardState) -> ShardMap:
        """This map with ``state`` in place of the shard of its number."""
        shards = list(self.shards)
        shards[state.number] = state
        return replace(self, shards=tuple(shards))

    def bumped(self) -> ShardMap:
        """This map with every shard's version moved on (every reader reloads every shard)."""
        return replace(self, shards=tuple(s.written(0, 0, ()) for s in self.shards))

    def versions(self) -> dict[int, int]:
        """Each shard's version, by number."""
        return {s.number: s.version for s in self.shards}

    def encode(self) -> str:
        """The map as the JSON string kept in the store's metadata."""
        rows = [[s.number, s.chunks, s.first_day, s.last_day, s.version] for s in self.shards]
        return json.dumps(rows, separators=(",", ":"))

    @classmethod
    def decode(cls, text: object) -> ShardMap:
        """The map :meth:`encode` wrote; the assumed map of an index from before shards when
        there is none (or it cannot be read, which only a hand edit would cause)."""
        try:
            rows = json.loads(str(text)) if text else None
            shards = tuple(ShardState(*(int(v) for v in row)) for row in rows or ())
        except (TypeError, ValueError):
            shards = ()
        if not shards or [s.number for s in shards] != list(range(len(shards))):
            return cls(known=False)
        return cls(shards)
