"""The list of followed feeds and what each one brought: the surface the app's Library tab and
the command line share.

``FeedList(data_dir).add(url)`` follows a feed (nothing is fetched until the next pass),
``remove(url)`` stops, ``status()`` says for each feed when it was last read, whether that
failed, and which articles came in lately. Reading the feeds is :func:`index.feeds.follow_once`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .parse import FeedError
from .state import FeedRecord, FollowerState, RecentItem, StateFile

_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


@dataclass(frozen=True)
class NewItem:
    """An article a feed brought in.

    Attributes:
        article_id: the indexed article's id (the item's guid).
        title: its headline.
        url: its page.
        at: when it came in (UTC).
        change: ``"new"``, or ``"changed"`` when it replaced an earlier version.
    """

    article_id: str
    title: str
    url: str
    at: datetime
    change: str


@dataclass(frozen=True)
class FeedStatus:
    """One followed feed, as the Library tab shows it.

    Attributes:
        url: the feed's address (http(s) url or local file path).
        title: the feed's own title ("" until it was first read).
        added: when it was added (UTC).
        last_read: when it was last asked for (UTC), or None when never.
        last_error: why that failed, or None when it did not.
        new_items: the latest articles it brought, newest first (at most 20).
        waiting: pages of its items that failed and wait for a retry.
    """

    url: str
    title: str
    added: datetime
    last_read: datetime | None
    last_error: str | None
    new_items: tuple[NewItem, ...]
    waiting: int


class FeedList:
    """The feeds followed by the index in ``data_dir`` (kept with the follower's state).

    Args:
        data_dir: the index's data folder (``Settings.data_dir``).
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.state_file = StateFile(data_dir)

    def add(self, address: str) -> FeedStatus:
        """Follow a feed (already followed: unchanged). Nothing is fetched here.

        Args:
            address: an http or https url, or the path of a feed file.

        Returns:
            The feed's status.

        Raises:
            FeedError: not an http(s) url, or no such file.
            FeedStateError: the state cannot be saved.
        """
        url = normalise(address)

        def add(state: FollowerState) -> FeedStatus:
            record = state.feeds.setdefault(url, FeedRecord(url, added=_now()))
            return _status(record, state)

        return self.state_file.update(add)

    def remove(self, address: str) -> bool:
        """Stop following a feed (its articles stay indexed). False when it was not followed.

        Raises:
            FeedError: an address that cannot name a feed (empty, another scheme).
        """
        try:
            key = normalise(address)
        except FeedError:
            stored = address.strip()
            web = stored.lower().startswith(("http://", "https://"))
            if not stored or web or _OTHER_SCHEME.match(stored):
                raise
            # A followed file that has since gone away: unfollow it by the path kept.
            key = str(Path(stored).expanduser().resolve())
        return self.state_file.update(lambda state: state.feeds.pop(key, None) is not None)

    def urls(self) -> list[str]:
        """The followed feeds' addresses, in the order they were added."""
        feeds = self.state_file.read().feeds.values()
        return [r.url for r in sorted(feeds, key=lambda r: r.added)]

    def status(self) -> list[FeedStatus]:
        """Every followed feed's status, in the order they were added."""
        state = self.state_file.read()
        return [_status(r, state) for r in sorted(state.feeds.values(), key=lambda r: r.added)]


def normalise(address: str) -> str:
    """The form a feed address is kept in: an http(s) url as given (trimmed), a file as its
    absolute path.

    Raises:
        FeedError: another scheme, an empty address, or a path that is not a file.
    """
    address = address.strip()
    if address.lower().startswith(("http://", "https://")):
        if not urlsplit(address).hostname:
            raise FeedError(f"no host name in {address!r}")
        return address
    if not address or _OTHER_SCHEME.match(address):
        raise FeedError(f"a feed is an http or https url or a file, not {address!r}")
    path = Path(address).expanduser()
    if not path.is_file():
        raise FeedError(f"no such feed file {address!r}")
    return str(path.resolve())


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


def new_item(recent: RecentItem) -> NewItem:
    """The public form of an item the state records as having come in."""
    at = datetime.fromtimestamp(recent.at, UTC)
    return NewItem(recent.key, recent.title, recent.url, at, recent.change)


def _status(record: FeedRecord, state: FollowerState) -> FeedStatus:
    return FeedStatus(
        url=record.url,
        title=record.title,
        added=datetime.fromtimestamp(record.added, UTC),
        last_read=_when(record.last_read),
        last_error=record.last_error or None,
        new_items=tuple(new_item(r) for r in record.recent),
        waiting=sum(1 for p in state.pending.values() if p.feed == record.url and not p.gave_up),
    )
