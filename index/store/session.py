"""Write sessions: one writer at a time, crash recovery, and the generation readers follow.

Every write happens inside a session, which holds the index's write lock
(:mod:`index.writelock`) and marks the article collection's metadata with the writer's token
until it ends cleanly. A session that finds the previous writer's mark still set (it was killed)
first removes the orphan chunks that writer left (the store's commit order makes that enough;
see :mod:`index.store.store`), then checks that dense search reaches the chunks of the articles
that writer touched, and repairs those it does not (:mod:`index.store.reach`).

Other processes. The embedded store keeps an in-memory vector index per process that does not see
another process's writes. A generation number in the article collection's metadata changes at the
end of every session that changed the content; a process that sees a generation it did not
write re-opens its client, so an app answering questions picks up what ``python -m index add``
wrote (and the BM25 side loads its saved copy or catches up; see :mod:`index.lexical`).

The change log. A session notes the articles it is about to touch (a pending record, before the
write) and, at its end, writes which articles the new generation changed before publishing it
(:mod:`index.store.changelog`); readers on any machine catch up from that.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator

from ..errors import StoreError
from ..writelock import token_is_alive, write_lock, writer_token
from .changelog import ChangeLog
from .reach import ReachReport
from .records import ChromaCollections
from .shards import ShardMap

log = logging.getLogger(__name__)

#: Seconds between heartbeats of a long session (the lease a Chroma server's writers respect).
HEARTBEAT_SECONDS = 20.0


class WriteSession:
    """The write sessions and generation of one index's store.

    Args:
        chroma: the index's collections.
        recover: removes what an interrupted session left (the orphan chunks) and returns how
            many records it removed; called inside a session.
        check_reach: after a recovery, checks that dense search reaches the chunks of the
            articles the interrupted session touched, repairs those it does not
            (:mod:`index.store.reach`) and reports; called inside the session.
    """

    def __init__(
        self,
        chroma: ChromaCollections,
        recover: Callable[[], int],
        check_reach: Callable[[Collection[str]], ReachReport] | None = None,
    ) -> None:
        self._chroma = chroma
        self._recover = recover
        self._check_reach = check_reach
        # The RLock lets a session nest (prune inside add) and keeps the threads of one process
        # (app uploads) from interleaving their sessions.
        self._lock = threading.RLock()
        self._depth = 0
        self._file_lock = write_lock(chroma.settings.data_dir) if chroma.embedded else None
        self._token = ""
        self._changed = False
        self._heartbeat = 0.0
        meta = chroma.metadata()
        self._seen = int(meta.get("generation", 0))
        #: The shard map (:mod:`index.store.shards`) of the generation seen; a write session
        #: updates it as it writes, and publishes it with the new generation.
        self.shards = ShardMap.decode(meta.get("shards"))
        self._shards_changed = False
        chroma.sync_shards(self.shards)
        self._hooks: list[Callable[[int], None]] = []
        self.log = ChangeLog(chroma.changes)
        self._articles: set[str] = set()  # touched by the current session
        self._pending = 0  # pending records this session wrote or took over
        self._complete = True  # whether _articles names every article the session changed
        #: Orphan chunks removed when the last session began after a crash.
        self.recovered_orphans = 0
        #: The reachability check of the articles an interrupted session touched, run when the
        #: last session began after a crash (None when it did not, or could not).
        self.recovery_reach: ReachReport | None = None

    def generation(self) -> int:
        """The store's generation: a number that changes whenever the index content changes.

        In the embedded store, seeing a generation another process wrote reloads the shards
        that process wrote to, so that this process's vector search includes its writes.
        """
        meta = self._chroma.metadata()
        generation = int(meta.get("generation", 0))
        if generation != self._seen and self._depth == 0:
            with self._lock:
                if generation != self._seen:
                    self.shards = ShardMap.decode(meta.get("shards"))
                    self._chroma.sync_shards(self.shards)
                    self._seen = generation
        return generation

    def shards_written(self, shard_map: ShardMap) -> None:
        """Record the current session's new shard map (published when the session ends)."""
        self.shards = shard_map
        self._shards_changed = True

    def unfinished_writer(self) -> str:
        """The mark of a session that has not ended ("" when none)."""
        return str(self._chroma.metadata().get("writer", "") or "")

    def add_commit_hook(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(generation)`` at the end of each changing session, before it is published.

        A failing hook is logged, never fatal.
        """
        self._hooks.append(hook)

    def remove_commit_hook(self, hook: Callable[[int], None]) -> None:
        """Stop calling ``hook`` (no error when it was not added)."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    @contextlib.contextmanager
    def open(self) -> Iterator[None]:
        """A session: the write lock, crash recovery first, one generation bump at the end.

        Sessions nest; only the outermost one locks and bumps.

        Raises:
            StoreError: a Chroma server reports another live writer.
        """
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._begin()
            self._depth += 1
            ok = False
            try:
                yield
                ok = True
            finally:
                self._depth -= 1
                if outer:
                    self._end(ok)

    def changed(self) -> None:
        """Record that the current session changed the content (it will bump the generation)."""
        self._changed = True

    def touch(self, article_ids: Collection[str]) -> None:
        """Note, before writing them, the articles the current session is about to change.

        Written to the change log at once (a pending record), so a session killed after the
        write still has its change logged by the next one.
        """
        new = set(article_ids) - self._articles
        if not new:
            return
        self._pending += 1
        self.log.note_pending(self._token, self._pending, new)
        self._articles |= new

    def beat(self, force: bool = False) -> None:
        """Mark the session as alive (the lease a Chroma server's other writers respect)."""
        now = time.time()
        if force or now - self._heartbeat > HEARTBEAT_SECONDS:
            meta = self._chroma.metadata()
            meta.update(writer=self._token, writer_seen=now)
            self._chroma.set_metadata(meta)
            self._heartbeat = now

    def _begin(self) -> None:
        if self._file_lock is not None:
            self._file_lock.acquire()
        try:
            meta = self._chroma.metadata()
            previous = str(meta.get("writer", "") or "")
            if (
                previous
                and not self._chroma.embedded
                and token_is_alive(previous, float(meta.get("writer_seen", 0)))
            ):
                raise StoreError(
                    f"another ingestion ({previous}) is writing to {self._chroma.location}; wait "
                    f"for it to finish (a writer that died is taken over after a few minutes)"
                )
            generation = int(meta.get("generation", 0))
            self.shards = ShardMap.decode(meta.get("shards"))
            self._shards_changed = False
            if self._chroma.embedded and (previous or generation != self._seen):
                # See the other writer's work before adding ours: the store's own files (cheap:
                # shard 0's vectors load only if this session touches them) and the shards
                # that writer changed.
                self._chroma.reopen()
                self._chroma.sync_shards(self.shards)
                self._seen = generation
            self._token = writer_token()
            self._changed = False
            self._heartbeat = 0.0
            self._articles = set()
            self._pending = 0
            self._complete = True
            self.beat(force=True)
            self.recovered_orphans = 0
            self.recovery_reach = None
            # Pending records left by a killed session (or one killed just after publishing):
            # their articles may have changed, so this session's entry names them again.
            left = self.log.pending()
            if left:
                self._articles |= left
                self._pending += 1
                self._changed = True
            if previous:
                log.info(
                    "the last write to %s was interrupted; removing what it left half-done",
                    self._chroma.location,
                )
                self._depth += 1  # the recovery runs inside this session
                try:
                    self.recovered_orphans = self._recover()
                    # The interrupted session deleted and re-added these articles' chunks, what
                    # leaves chroma-core/chroma#7758's unreachable records behind: check those
                    # only, so recovery stays in proportion to the interrupted work.
                    if left:
                        self.recovery_reach = self._reach_after_recovery(left)
                finally:
                    self._depth -= 1
                self._changed = True  # the BM25 side may predate the interrupted writer's commits
                # A writer that left no pending record (an older version) changed who knows what.
                self._complete = bool(left)
        except BaseException:
            if self._file_lock is not None:
                self._file_lock.release()
            raise

    def _reach_after_recovery(self, articles: Collection[str]) -> ReachReport | None:
        if self._check_reach is None:
            return None
        try:
            report = self._check_reach(articles)
        except Exception as exc:  # the orphans are gone; a failed check must not stop the writer
            log.warning(
                "could not check the recovered articles' vectors (%s); run "
                "`python -m index check --repair`",
                exc,
            )
            return None
        if report.unreachable:
            log.warning(
                "after the interrupted write, %d chunk(s) were unreachable by dense search "
                "(chroma-core/chroma#7758); repaired %d",
                len(report.unreachable),
                len(report.repaired),
            )
        return report

    def _end(self, ok: bool) -> None:
        try:
            if not ok:
                # An exception (Ctrl-C, a store error) may have left chunks of an uncommitted
                # article behind: clean them now, or leave the mark for the next session.
                try:
                    self._depth += 1
                    self._recover()
                except BaseException:
                    return
                finally:
                    self._depth -= 1
            meta = self._chroma.metadata()
            previous = generation = int(meta.get("generation", 0))
            if self._changed:
                # Time-based, so a stale reader never mistakes a new generation for one it saw.
                generation = max(generation + 1, int(time.time() * 1000))
                # Logged before it is published: a reader that sees the generation finds its entry.
                self.log.record(generation, previous, self._articles, self._complete)
                for hook in self._hooks:
                    try:
                        hook(generation)
                    except Exception:
                        log.exception("commit hook failed; readers will rebuild instead")
                meta = self._chroma.metadata()
            meta.update(generation=generation, writer="", writer_seen=0.0)
            if self._shards_changed:
                meta["shards"] = self.shards.encode()
            self._chroma.set_metadata(meta)
            self._seen = generation
            try:
                if self._pending:
                    self.log.clear_pending()
                if self._changed:
                    self.log.trim()
            except Exception as exc:  # published already; the next session tidies up
                log.warning("could not tidy the change log: %s", exc)
        finally:
            if self._file_lock is not None:
                self._file_lock.release()
