"""Following RSS 2.0 and Atom feeds: new items' pages fetched, read and ingested.

One module per step: :mod:`.parse` (feed XML to items, plain text only), :mod:`.fetch` (HTTP with
limits, conditional GET, per-host pauses), :mod:`.article` (an item and its page to an Article,
by the HTML loader), :mod:`.state` (what the follower remembers, saved atomically),
:mod:`.feedlist` (the followed feeds and their status, for the app and the CLI) and
:mod:`.follow` (one pass, and the loop). ``python -m index follow`` runs them.

For an app::

    feeds = FeedList(settings.data_dir)
    feeds.add("https://example.com/rss.xml")
    report = follow_once(index)  # reads every followed feed once
    for feed in feeds.status():
        print(feed.title, feed.last_read, feed.last_error, [i.title for i in feed.new_items])
"""

from .feedlist import FeedList, FeedStatus, NewItem
from .fetch import USER_AGENT, FetchError, FetchOptions
from .follow import FeedOutcome, FollowOptions, FollowReport, PageFailure, follow, follow_once
from .parse import Feed, FeedError, FeedItem, parse_feed
from .state import FeedStateError

__all__ = [
    "USER_AGENT",
    "Feed",
    "FeedError",
    "FeedItem",
    "FeedList",
    "FeedOutcome",
    "FeedStateError",
    "FeedStatus",
    "FetchError",
    "FetchOptions",
    "FollowOptions",
    "FollowReport",
    "NewItem",
    "PageFailure",
    "follow",
    "follow_once",
    "parse_feed",
]
