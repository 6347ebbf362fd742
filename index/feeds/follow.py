"""Following feeds: one pass reads every feed, fetches the pages of new and changed items, and
ingests them in one write session (``python -m index follow``).

A pass, in order:

1. Each feed is asked for with the validators it gave last time (conditional GET); a 304 costs
   one request and nothing else. A feed that fails (unreachable, malformed XML) is reported in
   its :class:`FeedOutcome` and the others go on.
2. Each listed item is new (key never seen), changed (seen, but its version, the updated or
   published date, differs), unchanged (nothing to do, no request), a duplicate (listed by an
   earlier feed of this pass) or waiting (its page failed and its retry time has not come).
   Items whose retry time has come are tried again even when their feed answered 304.
3. Pages are fetched by a few worker threads, one host per worker at a time, with the per-host
   pause of :class:`~index.feeds.fetch.HostPacer`: a slow or hanging host holds up only its own
   items. A page that fails (HTTP error, timeout, too big, not HTML, no article text) is
   reported and retried later, after ``retry_base`` seconds, doubling on each failure up to
   ``retry_max``; after ``max_attempts`` the follower gives up on it until the feed lists a new
   version of the item.
4. The articles are ingested with one :meth:`~index.library.NewsIndex.add_articles` call: one
   write session, one lexical update, whatever the number of feeds and items.
5. Only then is the state saved (validators, seen items, failures): a pass interrupted before
   its commit leaves the state as it was, so the next pass asks for the same feeds in full and
   nothing is lost; a pass interrupted inside the commit is completed by the store's recovery
   and the next pass (the article content hash makes the re-ingestion of a committed article a
   no-op).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..article import Article
from ..errors import LoadError
from ..ingest import IngestReport, Progress
from ..loaders import LoadLimits
from .article import item_article
from .feedlist import FeedList, NewItem, new_item
from .fetch import Fetcher, FetchError, FetchOptions, is_local_address
from .parse import FeedError, FeedItem, parse_feed
from .state import RECENT_ITEMS, FeedRecord, FollowerState, PendingItem, RecentItem, SeenItem

if TYPE_CHECKING:
    from ..library import NewsIndex

#: Seen items that no feed has listed for this long are forgotten (the state stays small).
FORGET_AFTER = 30 * 86400.0


@dataclass(frozen=True)
class FollowOptions:
    """How the follower fetches and retries.

    Attributes:
        fetch: request limits, User-Agent and per-host pause.
        workers: hosts fetched from at the same time.
        retry_base: seconds before a failed page is tried again (0: on the next pass).
        retry_max: the longest wait between two tries.
        max_attempts: tries before giving up on a page (until its item changes).
    """

    fetch: FetchOptions = field(default_factory=FetchOptions)
    workers: int = 4
    retry_base: float = 300.0
    retry_max: float = 6 * 3600.0
    max_attempts: int = 8


@dataclass(frozen=True)
class FeedOutcome:
    """What one feed gave in a pass.

    Attributes:
        url: the feed's address.
        title: its title ("" when not read).
        status: ``"read"``, ``"not modified"`` or ``"failed"``.
        error: why it failed ("" otherwise).
        listed: items in the feed.
        new: items never seen, fetched.
        changed: items with a new version, fetched again.
        unchanged: items already indexed as listed (no request).
        duplicates: items an earlier feed of the pass already listed.
        waiting: items whose failed page is not due for a retry yet.
    """

    url: str
    title: str = ""
    status: str = "read"
    error: str = ""
    listed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    waiting: int = 0

    def summary(self) -> str:
        """One line: what the feed listed and what the pass did with it."""
        if self.status != "read":
            return self.error if self.status == "failed" else "not modified"
        line = (
            f"{self.listed} items: {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged"
        )
        if self.duplicates:
            line += f", {self.duplicates} listed by another feed"
        if self.waiting:
            line += f", {self.waiting} waiting for a retry"
        return line


@dataclass(frozen=True)
class PageFailure:
    """A page that could not be made an article in this pass.

    Attributes:
        key: the item's key.
        link: its page.
        feed: the feed that listed it.
        error: the reason.
        attempts: failed tries so far, this one included.
        next_try: when it is tried again (epoch seconds), or None when the follower gave up.
    """

    key: str
    link: str
    feed: str
    error: str
    attempts: int
    next_try: float | None


@dataclass(frozen=True)
class FollowReport:
    """What a pass did.

    Attributes:
        feeds: one outcome per feed, in the order given.
        items: the items that came in (new or changed), as recorded in the feed's recent list.
        failures: the pages that failed.
        pages_requested: page requests made (feeds not counted).
        ingest: the ingestion's report (None when nothing was fetched).
        notes: lines worth a look (a summary indexed for a page without text, odd dates).
        seconds: wall time of the pass.
    """

    feeds: tuple[FeedOutcome, ...]
    items: tuple[NewItem, ...]
    failures: tuple[PageFailure, ...]
    pages_requested: int
    ingest: IngestReport | None
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every feed was read and every page went in."""
        return not self.failures and all(f.status != "failed" for f in self.feeds)

    def summary(self) -> str:
        """The one-line summary the CLI prints after a pass."""
        failed_feeds = sum(f.status == "failed" for f in self.feeds)
        line = (
            f"{len(self.feeds)} feeds ({failed_feeds} failed), {self.pages_requested} pages "
            f"fetched, {len(self.failures)} failed"
        )
        if self.ingest is not None:
            line += f"; {self.ingest.summary()}"
        return f"{line}; pass took {self.seconds:.1f} s"


@dataclass
class _Job:
    item: FeedItem
    feed: str
    feed_title: str
    change: str  # "new", "changed" or "retry"


@dataclass
class _Pass:
    """What the feeds of a pass said, before any page is fetched."""

    now: float
    jobs: dict[str, _Job] = field(default_factory=dict)
    outcomes: list[FeedOutcome] = field(default_factory=list)
    validators: dict[str, tuple[str, str]] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)  # unchanged items some feed listed


def follow_once(
    index: NewsIndex,
    addresses: Sequence[str] | None = None,
    options: FollowOptions | None = None,
    *,
    feeds: FeedList | None = None,
    progress: Progress | None = None,
) -> FollowReport:
    """Read each feed once, fetch the pages of new and changed items, ingest them, save the state.

    Args:
        index: the opened index the articles go into (its data folder holds the state).
        addresses: feed urls or local file paths; they are added to the followed list. None:
            every feed of the list.
        options: fetching and retry options.
        feeds: the followed list (default: the one in the index's data folder).
        progress: called as progress(kind, done, total): kind ``"pages"`` while fetching, then
            ``"chunks"`` while embedding.

    Returns:
        The report; failed feeds and pages are in it, never raised.

    Raises:
        FeedError: an address is neither an http(s) url nor a file path.
        FeedStateError: the state file cannot be read or written.
        StoreError: the store cannot be written (the state is then left as it was).
    """
    started = time.perf_counter()
    options = options or FollowOptions()
    feeds = feeds or FeedList(index.settings.data_dir)
    followed = feeds.urls()
    if addresses is None:
        addresses = followed
    else:
        # A feed already followed is not checked again: a feed file that went missing is that
        # feed's failure in the report, not an error that stops the pass.
        addresses = [a if a in followed else feeds.add(a).url for a in addresses]
    state = feeds.state_file.read()
    fetcher = Fetcher(options.fetch)
    run = _Pass(now=time.time())
    for address in addresses:
        _read_feed(fetcher, address, state, run)
    for key, pending in state.pending.items():
        if key not in run.jobs and not pending.gave_up and pending.next_try <= run.now:
            run.jobs[key] = _Job(pending.item, pending.feed, pending.feed_title, "retry")
    jobs = run.jobs

    limits = LoadLimits(max_article_chars=index.settings.max_article_chars)
    articles: list[Article] = []
    notes: list[str] = []
    errors: dict[str, str] = {}
    requested = 0
    for n, (job, result) in enumerate(_fetch_all(fetcher, jobs.values(), options, limits), 1):
        requested += bool(job.item.link)
        if isinstance(result, str):
            errors[job.item.key] = result
        else:
            article, item_notes = result
            articles.append(article)
            notes.extend(item_notes)
        if progress:
            progress("pages", n, len(jobs))
    ingest = index.add_articles(articles, progress=progress) if articles else None
    if ingest is not None:
        notes.extend(ingest.notes)

    came_in = [
        RecentItem(
            a.id, a.title, a.url, run.now, "new" if jobs[a.id].change == "new" else "changed"
        )
        for a in articles
    ]
    failures = feeds.state_file.update(lambda s: _record(s, options, run, came_in, errors))
    return FollowReport(
        feeds=tuple(run.outcomes),
        items=tuple(new_item(r) for r in came_in),
        failures=tuple(failures),
        pages_requested=requested,
        ingest=ingest,
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
    )


def _read_feed(fetcher: Fetcher, address: str, state: FollowerState, run: _Pass) -> None:
    """Ask for one feed and sort its items into ``run``: its outcome, the pages to fetch, and
    (when it was read in full) the validators to keep."""
    record = state.feeds.get(address) or FeedRecord(address)
    try:
        # A feed the user named may be local (their own server); see index.feeds.fetch.
        reply = fetcher.fetch(address, record.etag, record.last_modified, allow_private=True)
        if reply.not_modified:
            run.outcomes.append(FeedOutcome(address, record.title, status="not modified"))
            return
        feed = parse_feed(reply.body, address)
    except (FetchError, FeedError) as exc:
        run.outcomes.append(FeedOutcome(address, record.title, status="failed", error=str(exc)))
        return
    counts = {"new": 0, "changed": 0, "unchanged": 0, "duplicates": 0, "waiting": 0}
    for item in feed.items:
        seen = state.seen.get(item.key)
        pending = state.pending.get(item.key)
        if item.key in run.jobs or item.key in run.listed:
            counts["duplicates"] += 1
        elif (
            pending
            and pending.item.version == item.version
            and (pending.gave_up or pending.next_try > run.now)
        ):
            counts["waiting"] += 1
        elif seen and seen.version == item.version:
            counts["unchanged"] += 1
            run.listed.add(item.key)
        else:
            change = "changed" if seen else "new"
            counts[change] += 1
            run.jobs[item.key] = _Job(item, address, feed.title, change)
    run.outcomes.append(FeedOutcome(address, feed.title, listed=len(feed.items), **counts))
    run.validators[address] = (reply.etag, reply.last_modified)


def _fetch_all(
    fetcher: Fetcher, jobs: Iterable[_Job], options: FollowOptions, limits: LoadLimits
) -> Iterator[tuple[_Job, tuple[Article, list[str]] | str]]:
    """Fetch and read each job's page, ``options.workers`` hosts at a time; yields (job, the
    article and its notes, or the reason it failed) as they finish.

    Workers are daemon threads: Ctrl-C ends the pass at once instead of waiting for the requests
    in flight (each is bounded by the timeout anyway).
    """
    by_host: dict[str, list[_Job]] = {}
    for job in jobs:
        by_host.setdefault(urlsplit(job.item.link).netloc.lower(), []).append(job)
    # An item's page is fetched from a private address only for a feed that is local: each
    # feed's address resolved once a pass, not once an item.
    feeds = {job.feed for js in by_host.values() for job in js}
    local = {feed: is_local_address(feed) for feed in feeds}
    hosts: queue.SimpleQueue[str] = queue.SimpleQueue()
    for host in by_host:
        hosts.put(host)
    done: queue.SimpleQueue[tuple[_Job, tuple[Article, list[str]] | str]] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                host = hosts.get_nowait()
            except queue.Empty:
                return
            for job in by_host[host]:
                done.put((job, _read_item(fetcher, job, limits, local[job.feed])))

    for _ in range(min(options.workers, len(by_host))):
        threading.Thread(target=work, daemon=True, name="feed-fetch").start()
    for _ in range(sum(len(js) for js in by_host.values())):
        yield done.get()


def _read_item(
    fetcher: Fetcher, job: _Job, limits: LoadLimits, allow_private: bool
) -> tuple[Article, list[str]] | str:
    try:
        link = job.item.link
        page = fetcher.fetch(link, allow_private=allow_private) if link else None
        return item_article(job.item, job.feed_title, page, limits)
    except (FetchError, LoadError) as exc:
        return exc.reason if isinstance(exc, LoadError) else str(exc)
    except Exception as exc:  # an extraction bug on one odd page must not end the pass
        return f"unexpected {type(exc).__name__}: {exc}"


def _record(
    state: FollowerState,
    options: FollowOptions,
    run: _Pass,
    came_in: list[RecentItem],
    errors: dict[str, str],
) -> list[PageFailure]:
    """Apply a committed pass to the state (freshly read under the lock); returns the failures."""
    now, jobs = run.now, run.jobs
    for outcome in run.outcomes:
        record = state.feeds.get(outcome.url)
        if record is None:  # removed from the list while the pass ran
            continue
        record.last_read = now
        record.last_error = outcome.error
        if outcome.url in run.validators:
            record.etag, record.last_modified = run.validators[outcome.url]
            record.title = outcome.title
            record.last_listed = now
    for key in run.listed:
        if key in state.seen:
            state.seen[key].listed = now
    for item in came_in:
        job = jobs[item.key]
        state.seen[item.key] = SeenItem(job.feed, job.item.version, now)
        state.pending.pop(item.key, None)
        record = state.feeds.get(job.feed)
        if record is not None:
            record.recent = [item, *record.recent][:RECENT_ITEMS]
    failures = []
    for key, error in errors.items():
        job = jobs[key]
        earlier = state.pending.get(key)
        same = earlier is not None and earlier.item.version == job.item.version
        attempts = earlier.attempts + 1 if same and earlier else 1
        wait = min(options.retry_base * 2 ** (attempts - 1), options.retry_max)
        gave_up = attempts >= options.max_attempts
        state.pending[key] = PendingItem(
            job.feed, job.feed_title, job.item, attempts, now + wait, error, gave_up
        )
        failures.append(
            PageFailure(
                key, job.item.link, job.feed, error, attempts, None if gave_up else now + wait
            )
        )
    _forget_old(state, now)
    return failures


def _forget_old(state: FollowerState, now: float) -> None:
    """Drop seen items no feed listed in its latest reading for :data:`FORGET_AFTER`."""
    for key in [
        k
        for k, s in state.seen.items()
        if now - s.listed > FORGET_AFTER
        and (state.feeds.get(s.feed) is None or (state.feeds[s.feed].last_listed or 0) > s.listed)
    ]:
        del state.seen[key]


def follow(
    index: NewsIndex,
    addresses: Sequence[str] | None,
    interval: float,
    options: FollowOptions | None = None,
    *,
    on_pass: Callable[[FollowReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> None:
    """Run :func:`follow_once` now and then every ``interval`` seconds until ``stop`` is set.

    Args:
        index: the opened index.
        addresses: the feeds (None: the followed list, re-read every pass, so feeds added from
            the app are picked up).
        interval: seconds between the end of one pass and the start of the next.
        options: fetching and retry options.
        on_pass: called with each pass's report.
        on_error: called when a pass fails as a whole (the store or the state cannot be
            written); the loop goes on and the next pass redoes the work. Without it the
            error is raised.
        stop: set it to end the loop (Ctrl-C ends it from the command line).
        progress: as for :func:`follow_once`.
    """
    stop = stop or threading.Event()
    feeds = FeedList(index.settings.data_dir)
    if addresses is not None:
        addresses = [feeds.add(a).url for a in addresses]
    while not stop.is_set():
        try:
            report = follow_once(index, addresses, options, feeds=feeds, progress=progress)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
        else:
            if on_pass:
                on_pass(report)
        stop.wait(interval)
