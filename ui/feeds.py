"""Callbacks of the Library tab's Feeds panel, and the app's optional background follower.

The followed list and the passes are :mod:`index.feeds`' (the same as ``python -m index follow``);
this module passes the page's input on and formats the result with :mod:`ui.feeds_view`.

Why the page follows only http(s) addresses, while the command line also takes a feed file:
whoever can open the page could otherwise make the server read any file it can, and learn from
the error whether a path exists. A file followed from the command line is still listed here.

One pass at a time. The "Read feeds now" button runs in the app's write slot (uploads and
deletions, one at a time: see ``app.py``), and the background follower
(``NEWSQA_FOLLOW_INTERVAL``) is a thread outside Gradio's queue; both go through
:meth:`FeedsController.read`, which holds one lock for the whole pass. Two overlapping passes
would otherwise both see the same new items, fetch their pages twice and list them twice under
"what came in". The store's write session (:mod:`index.store.session`) serialises the actual
writes of a background pass with uploads and deletions, so writes stay one at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import gradio as gr

from index import NewsIndex, NewsqaError
from index.feeds import FeedError, FeedList, FollowOptions, FollowReport, follow_once

from .feeds_view import render_feeds, render_notice, render_pass

log = logging.getLogger(__name__)

#: Called as progress(fraction, desc=...), like ``gr.Progress``.
ProgressFn = Callable[..., Any]

#: Share of the progress bar taken by fetching pages; embedding the articles takes the rest.
_FETCH_SHARE = 0.6


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FeedsController:
    """The Feeds panel's callbacks over one index's followed feeds.

    Args:
        index: the index the feeds' articles go into (its data folder holds the followed list).
        feeds: the followed list (default: the one in the index's data folder).
        options: how passes fetch and retry (default: :class:`index.feeds.FollowOptions`).
        clock: the present, for relative times (tests pass a fixed one).
    """

    def __init__(
        self,
        index: NewsIndex,
        feeds: FeedList | None = None,
        options: FollowOptions | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.index = index
        self.feeds = feeds or FeedList(index.settings.data_dir)
        self.options = options
        self.clock = clock
        self._pass = threading.Lock()

    def panel(self) -> str:
        """The followed feeds' table (a notice instead when the follower's state is unreadable)."""
        try:
            return render_feeds(self.feeds.status(), self.clock())
        except NewsqaError as exc:
            return render_notice(False, f"The followed feeds cannot be read: {exc}")

    def follow(self, address: str) -> tuple[bool, str]:
        """Follow the feed at ``address`` (nothing is fetched until the next pass).

        Args:
            address: what was typed: an http or https url.

        Returns:
            Whether the feed is followed now, and a notice saying so or why not.
        """
        address = (address or "").strip()
        if not address:
            return False, "Type the address of an RSS or Atom feed first."
        if not address.lower().startswith(("http://", "https://")):
            return False, (
                f"Not followed: {address!r} is not an http or https address (a feed file is "
                "followed with `python -m index follow FILE`)."
            )
        try:
            before = set(self.feeds.urls())
            feed = self.feeds.add(address)
        except FeedError as exc:
            return False, f"Not followed: {exc}."
        except NewsqaError as exc:
            return False, f"Not followed: the followed feeds cannot be saved: {exc}"
        if feed.url in before:
            return True, f"{feed.url} is already followed."
        return True, f"Following {feed.url}; “Read feeds now” reads it."

    def unfollow(self, url: str) -> str:
        """Stop following a feed; its articles stay indexed. Returns a notice (HTML)."""
        try:
            removed = self.feeds.remove(url)
        except NewsqaError as exc:  # FeedError (an address never followed) included
            return render_notice(False, f"Cannot unfollow {url}: {exc}")
        if not removed:
            return render_notice(False, f"{url} was not followed.")
        return render_notice(True, f"Unfollowed {url}; its articles stay in the library.")

    def read(self, progress: ProgressFn | None = None) -> FollowReport:
        """Read every followed feed once and ingest what came in, one pass at a time.

        Args:
            progress: optional ``gr.Progress``-like callback.

        Returns:
            The pass's report (failed feeds and pages are in it).

        Raises:
            NewsqaError: the follower's state or the store cannot be written.
        """

        def report(fraction: float, step: str) -> None:
            if progress is not None:
                progress(fraction, desc=step)

        def step(kind: str, done: int, total: int) -> None:
            share = done / total if total else 1.0
            if kind == "pages":
                report(_FETCH_SHARE * share, f"fetching pages {done}/{total}")
            else:
                report(_FETCH_SHARE + (1 - _FETCH_SHARE) * share, f"embedding {done}/{total}")

        if not self._pass.acquire(blocking=False):
            report(0.0, "waiting for the pass in progress")
            self._pass.acquire()
        try:
            report(0.0, "reading the feeds")
            return follow_once(self.index, None, self.options, feeds=self.feeds, progress=step)
        finally:
            self._pass.release()

    def read_now(self, progress: ProgressFn | None = None) -> str:
        """Run a pass and render its result lines (a failed pass as a notice)."""
        try:
            return render_pass(self.read(progress))
        except NewsqaError as exc:
            return render_notice(False, f"The pass failed, nothing was recorded: {exc}")

    def on_follow(self, address: str) -> tuple[Any, ...]:
        """The "Follow" button: the notice, the panel, the address box (emptied once followed)."""
        ok, message = self.follow(address)
        return render_notice(ok, message), self.panel(), "" if ok else address

    def on_unfollow(self, evt: gr.EventData) -> tuple[str, str]:
        """``unfollow_feed`` event: stop following, then the notice and the panel."""
        return self.unfollow(str(getattr(evt, "feed", "") or "")), self.panel()

    def on_read(
        self,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio finds trackers by this default
    ) -> tuple[str, str]:
        """The "Read feeds now" button: the pass's result lines and the panel."""
        return self.read_now(progress), self.panel()


class FeedFollower:
    """Runs a pass now and then every ``interval`` seconds, in a daemon thread, until stopped.

    Not :func:`index.feeds.follow`: that loop calls ``follow_once`` itself, and the app's passes
    must all go through :meth:`FeedsController.read` to stay one at a time (module docstring).

    Args:
        controller: whose :meth:`~FeedsController.read` runs the passes.
        interval: seconds between the end of one pass and the start of the next.
        echo: where a line per pass goes (the app's console).
    """

    def __init__(
        self,
        controller: FeedsController,
        interval: float,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.controller = controller
        self.interval = interval
        self.echo = echo
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following (a daemon thread: it never keeps the app from exiting)."""
        self._thread = threading.Thread(target=self._run, name="feed-follower", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to end after the pass in progress, and wait up to ``timeout`` for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.controller.read()
                self.echo(f"feeds: {report.summary()}")
            except Exception as exc:  # one failed pass must not end following for the app's life
                log.exception("feed pass failed")
                self.echo(
                    f"feeds: the pass failed ({type(exc).__name__}: {exc}); next in "
                    f"{self.interval:g} s"
                )
            self._stop.wait(self.interval)
