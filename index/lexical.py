"""The BM25 side of hybrid retrieval, kept up to date incrementally.

Each chunk is indexed with its article's title, outlet and date in front of the text
(:func:`chunk_header`): questions name outlets ("according to TechCrunch") and headlines carry
the topic words a body may only imply. Terms are those of :func:`index.text.tokenize`.

How it stays current. The index of a store generation is a list of immutable segments with
tombstones (:mod:`index.manifest`, :mod:`index.segments`). To reach a new generation, a process
asks the store's change log (:mod:`index.store.changelog`) which articles changed since a
generation it holds, deletes their old rows (tombstones), reads only their current chunks into
one new segment, merges small segments (:mod:`index.merging`) and saves the new manifest. So a
write costs in proportion to what it changed, not to the corpus. A writer does this for the
generation it is about to publish (a commit hook of the store), so a reader that sees the
generation finds it saved; a reader on another machine (a Chroma server) does the same from the
log. Scores are computed at query time from global statistics (:mod:`index.bm25`), so they equal
a clean build's.

When it rebuilds from every chunk in the store, and says so in the log ("rebuilding the lexical
index: ..."): nothing saved yet, an index saved by an older version (one bm25s folder per
generation), a damaged saved index, or a machine further behind than the change log reaches.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .bm25 import LexicalGeneration, LexicalHit
from .catalogue import Catalogue
from .dates import to_ordinal
from .filters import Filters
from .manifest import LexicalFolder, Manifest
from .merging import SegmentState, merge, plan
from .segments import Segment, SegmentBuilder, SegmentData, SegmentError, write_segment
from .store import Store, StoredChunk
from .text import tokenize

log = logging.getLogger(__name__)

__all__ = [
    "LexicalGeneration",
    "LexicalHit",
    "LexicalIndex",
    "LexicalUpdate",
    "chunk_header",
    "saved_folder",
    "tokenize",
]

#: Rows per segment of a full rebuild: bounds its memory (a million chunks in four segments).
REBUILD_SEGMENT_ROWS = 250_000
#: Chunks tokenized at a time.
PAGE = 2000


def chunk_header(title: str, source: str, published: date | None) -> str:
    """The metadata line put in front of a chunk for lexical (and dense) indexing."""
    parts = [title]
    if source:
        parts.append(source)
    if published:
        parts.append(f"{published.isoformat()} {published.strftime('%B %-d, %Y')}")
    return " | ".join(p for p in parts if p)


@dataclass(frozen=True)
class LexicalUpdate:
    """How the last generation was obtained.

    Attributes:
        generation: the generation reached.
        origin: "loaded" (its manifest was saved), "updated" (from a held generation and the
            change log) or "built" (from every chunk in the store).
        base: the generation it was updated from (None unless "updated").
        articles: articles re-read from the store.
        rows: chunks indexed (re-read ones, or all for a build).
        merged: segments merged into others.
        segments: segments of the generation.
        seconds: wall time.
        reason: why it was built from scratch ("" otherwise).
    """

    generation: int
    origin: str
    base: int | None = None
    articles: int = 0
    rows: int = 0
    merged: int = 0
    segments: int = 0
    seconds: float = 0.0
    reason: str = ""


class _Damaged(Exception):
    """The saved index cannot be read."""


class LexicalIndex:
    """BM25 over all committed chunks of a store, one :class:`LexicalGeneration` at a time.

    Args:
        store: the store the chunks come from.
        root: the data folder (the index lives under ``root/bm25/<collection>``).
    """

    def __init__(self, store: Store, root: Path) -> None:
        self._store = store
        self._folder = LexicalFolder(saved_folder(root, store.settings.collection))
        self._lock = threading.RLock()
        self._current: LexicalGeneration | None = None
        self._segments: dict[str, Segment] = {}
        self._listed: tuple[int, Catalogue] | None = None
        #: How the current index was obtained: "loaded", "updated", "built" ("" before use).
        self.origin = ""
        #: Seconds the last update or build took.
        self.build_seconds = 0.0
        #: Details of the last update or build (None before the first).
        self.last_update: LexicalUpdate | None = None
        add_hook = getattr(store, "add_commit_hook", None)
        if add_hook is not None:
            add_hook(self.prepare)

    @property
    def generation(self) -> int | None:
        """The store generation the in-memory index reflects (None before the first use)."""
        current = self._current
        return current.generation if current is not None else None

    def at(self, generation: int) -> LexicalGeneration:
        """The index of ``generation``: held, loaded from its manifest, caught up, or built.

        Args:
            generation: a generation the store reported (:meth:`index.store.Store.generation`).
        """
        current = self._current
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._current
            if current is None or current.generation != generation:
                current = self._advance(generation)
            return current

    def ensure_current(self) -> LexicalGeneration:
        """The index of the store's current generation, loaded or caught up if it changed."""
        return self.at(self._store.generation())

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[LexicalHit]:
        """Top ``n`` chunks for ``query`` by BM25 at the store's current generation.

        A question's several searches go through one :meth:`at` instead (see
        :meth:`index.NewsIndex.snapshot`).
        """
        return self.ensure_current().search(query, n, filters)

    def catalogue(self) -> Catalogue:
        """The committed articles of the store's current generation (see :meth:`catalogue_at`)."""
        return self.catalogue_at(self._store.generation())

    def catalogue_at(self, generation: int) -> Catalogue:
        """The committed articles of ``generation``.

        From the generation's segments when it is held or saved, or once the index has caught
        up with it from the change log (what a second machine does after another one wrote:
        reading the changed articles, not listing them all); else listed from the store
        (listing must not wait for a build).
        """
        current = self._current
        if current is not None and current.generation == generation:
            return current.catalogue
        with self._lock:
            try:
                with self._folder.lock:
                    loaded = self._load(generation) or self._caught_up(generation)
            except _Damaged:
                loaded = None
            if loaded is not None:
                return loaded.catalogue
            if self._listed is None or self._listed[0] != generation:
                self._listed = (generation, Catalogue(tuple(self._store.list_articles())))
            return self._listed[1]

    def prepare(self, generation: int) -> None:
        """Bring the index to a generation about to be published, and save it (the commit hook).

        Args:
            generation: the number the store will publish once this returns; its change log
                entry is written already.
        """
        with self._lock:
            if self.generation != generation:
                self._advance(generation)

    def rebuild(self, generation: int, reason: str) -> LexicalGeneration:
        """Build the index of ``generation`` from every chunk in the store, and save it."""
        with self._lock, self._folder.lock:
            return self._build(generation, reason)

    def disk_bytes(self) -> int:
        """Bytes the saved index takes on disk."""
        return self._folder.size() if self._folder.path.is_dir() else 0

    # ---- reaching a generation -----------------------------------------------------------

    def _advance(self, target: int) -> LexicalGeneration:
        with self._folder.lock:
            try:
                loaded = self._load(target)
                if loaded is not None:
                    return loaded
                base, reason = self._base(target)
            except _Damaged as exc:
                newer = self._newer_than(target)
                if newer is not None:
                    return newer
                base, reason = None, f"the saved index is damaged ({exc})"
            if base is None:
                return self._build(target, reason)
            generation, changed = base
            return self._update(generation, changed, target)

    def _caught_up(self, target: int) -> LexicalGeneration | None:
        """``target`` reached from a held generation by its changes, or None when that needs a
        rebuild. Call with the folder lock held."""
        base, _ = self._base(target)
        if base is None:
            return None
        generation, changed = base
        return self._update(generation, changed, target)

    def _newer_than(self, target: int) -> LexicalGeneration | None:
        """A saved generation newer than ``target``, for a reader that asked for one so old
        that a later write removed its files (what it would have caught up to anyway)."""
        for generation in reversed(self._folder.generations()):
            if generation <= target:
                return None
            try:
                return self._load(generation)
            except _Damaged:
                continue
        return None

    def _base(self, target: int) -> tuple[tuple[LexicalGeneration, frozenset[str]] | None, str]:
        """A held generation and the articles changed since, or None and why not."""
        held = set(self._folder.generations())
        if self._current is not None:
            held.add(self._current.generation)
        if not held:
            legacy = self._folder.legacy()
            if legacy:
                return None, (
                    f"the saved index is in an older version's format ({legacy[-1].name}); "
                    f"rebuilding it once in the new format"
                )
            return None, "no lexical index is saved here yet"
        changes = self._store.changes_since(held, target)
        if changes is None:
            return None, (
                f"the store's change log does not reach back to a generation held here "
                f"(newest held {max(held)}, wanted {target}): this machine is too far behind, "
                f"or the store was written by an older version"
            )
        if self._current is not None and self._current.generation == changes.base:
            base = self._current
        else:
            base = self._load(changes.base)
            if base is None:
                return None, f"generation {changes.base} vanished while catching up"
        # Counted from the segments, not the catalogue: parsing every catalogue row would cost
        # each commit in proportion to the corpus.
        live = sum(s.segment.articles - len(s.deleted) for s in base.states)
        if len(changes.article_ids) > max(5000, live // 2):
            return None, (
                f"{len(changes.article_ids):,} of {live:,} articles changed since generation "
                f"{changes.base}; a rebuild is quicker"
            )
        return (base, changes.article_ids), ""

    def _load(self, generation: int) -> LexicalGeneration | None:
        """The saved generation (None when it is not saved). Call with the folder lock held.

        Raises:
            _Damaged: its manifest or a segment cannot be read.
        """
        try:
            manifest = self._folder.read(generation)
        except ValueError as exc:
            raise _Damaged(str(exc)) from None
        if manifest is None:
            return None
        try:
            states = [
                SegmentState(self._open(name), frozenset(deleted))
                for name, deleted in manifest.segments
            ]
        except SegmentError as exc:
            raise _Damaged(str(exc)) from None
        loaded = LexicalGeneration(generation, states, previous=self._current)
        self._become(loaded, LexicalUpdate(generation, "loaded", segments=len(states)))
        return loaded

    def _update(
        self, base: LexicalGeneration, changed: frozenset[str], target: int
    ) -> LexicalGeneration:
        """``base`` with the changed articles' rows deleted and their current chunks added."""
        started = time.perf_counter()
        ids = sorted(changed)
        infos = self._store.article_infos(ids)
        chunks = self._store.chunks_of([i.id for i in infos])
        states = list(base.states)
        for position, articles in base.locate(ids).items():
            state = states[position]
            states[position] = SegmentState(state.segment, state.deleted | articles)
        builder = SegmentBuilder()
        builder.add_articles(infos)
        for b in range(0, len(chunks), PAGE):
            _add_chunks(builder, chunks[b : b + PAGE])
        if infos:
            states.append(SegmentState(self._write(builder.finish(), target), frozenset()))
        states, merged = self._merge(states, target)
        updated = LexicalGeneration(target, states, previous=base)
        self._save(updated)
        report = LexicalUpdate(
            target,
            "updated",
            base=base.generation,
            articles=len(ids),
            rows=len(chunks),
            merged=merged,
            segments=len(states),
            seconds=time.perf_counter() - started,
        )
        self._become(updated, report)
        log.debug("lexical index updated: %s", report)
        return updated

    def _build(self, generation: int, reason: str) -> LexicalGeneration:
        """Every committed chunk of the store, read page by page into segments, and saved."""
        started = time.perf_counter()
        log_level = logging.INFO if reason.startswith("no lexical index") else logging.WARNING
        log.log(log_level, "rebuilding the lexical index: %s", reason)
        infos = {a.id: a for a in self._store.list_articles()}
        states: list[SegmentState] = []
        builder = SegmentBuilder()
        placed: set[str] = set()
        rows = 0
        for page, _ in self._store.committed_chunks(articles=infos):
            builder.add_articles(infos[c.article_id] for c in page)
            placed.update(c.article_id for c in page)
            _add_chunks(builder, page)
            rows += len(page)
            if builder.rows >= REBUILD_SEGMENT_ROWS:
                states.append(SegmentState(self._write(builder.finish(), generation), frozenset()))
                builder = SegmentBuilder()
        builder.add_articles(a for a in infos.values() if a.id not in placed)  # no chunks
        if builder.rows or not states:
            states.append(SegmentState(self._write(builder.finish(), generation), frozenset()))
        built = LexicalGeneration(generation, states)
        self._save(built)
        report = LexicalUpdate(
            generation,
            "built",
            articles=len(infos),
            rows=rows,
            segments=len(states),
            seconds=time.perf_counter() - started,
            reason=reason,
        )
        self._become(built, report)
        return built

    # ---- segments and manifests ----------------------------------------------------------

    def _merge(self, states: list[SegmentState], generation: int) -> tuple[list[SegmentState], int]:
        """Drop segments with nothing live and merge as :func:`index.merging.plan` says."""
        merged = 0
        for _ in range(8):  # a merge can fill the next tier up; a few rounds settle it
            states = [s for s in states if not s.empty]
            groups = plan(states)
            if not groups:
                break
            for group in reversed(groups):
                new = SegmentState(
                    self._write(merge([states[i] for i in group]), generation), frozenset()
                )
                for i in reversed(group):
                    del states[i]
                states.insert(group[0], new)
                merged += len(group)
        return states, merged

    def _write(self, data: SegmentData, generation: int) -> Segment:
        path = self._folder.new_segment_path(generation)
        write_segment(path, data)
        segment = Segment(path)
        self._segments[segment.name] = segment
        return segment

    def _open(self, name: str) -> Segment:
        segment = self._segments.get(name)
        if segment is None:
            segment = Segment(self._folder.segment_path(name))
            self._segments[name] = segment
        return segment

    def _save(self, generation: LexicalGeneration) -> None:
        """Publish ``generation`` on disk (its manifest), then remove what is no longer needed."""
        self._folder.write(
            Manifest(
                generation.generation,
                tuple((s.segment.name, tuple(sorted(s.deleted))) for s in generation.states),
            )
        )
        try:
            self._folder.collect(current=generation.generation)
        except OSError as exc:
            log.warning("could not tidy the lexical index folder %s: %s", self._folder.path, exc)

    def _become(self, generation: LexicalGeneration, report: LexicalUpdate) -> None:
        self._current = generation
        self.origin = report.origin
        self.build_seconds = report.seconds
        self.last_update = report
        # Forget segments this process no longer uses (their maps close when unreferenced).
        names = {s.segment.name for s in generation.states}
        self._segments = {n: s for n, s in self._segments.items() if n in names}


def _add_chunks(builder: SegmentBuilder, chunks: Sequence[StoredChunk]) -> None:
    texts = [f"{chunk_header(c.title, c.source, c.published)}\n{c.text}" for c in chunks]
    builder.add_page(
        [c.id for c in chunks],
        [c.article_id for c in chunks],
        [to_ordinal(c.published) for c in chunks],
        [c.source for c in chunks],
        tokenize(texts),
    )


def saved_folder(root: Path, collection: str) -> Path:
    """Where the lexical index of a collection is saved (segments and manifests)."""
    return Path(root) / "bm25" / collection
