"""The follower's memory, kept in ``DATA_DIR/feeds/state.json``: which feeds are followed, their
validators (ETag, Last-Modified), the items already ingested and the pages waiting for a retry.

Why one JSON file: a few thousand entries a feed, read and written once per pass, and readable by
a person when something looks wrong. It is written whole, to a temporary file in the same folder
that is flushed to disk and then renamed over the old one, so a crash leaves either the old state
or the new one, never half of each. Every change goes through :meth:`StateFile.update`, which
holds an exclusive ``flock`` on ``feeds/state.lock`` while it reads, changes and writes: a feed
added from the app while a follower runs is not lost when the follower saves.

An unreadable state file is reported, never overwritten: moving it away starts afresh (every item
still listed in a feed is then fetched once more, and ingested as unchanged when it is).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..errors import NewsqaError
from .parse import FeedItem

#: Where the follower keeps its state, inside the data folder.
FEEDS_FOLDER = "feeds"
_VERSION = 1
#: Items announced in a feed's recent list (what came in lately), newest first.
RECENT_ITEMS = 20
T = TypeVar("T")


class FeedStateError(NewsqaError):
    """The follower's state file cannot be read or written."""


@dataclass
class RecentItem:
    """An item that came in: its article's id, title and url, when (epoch seconds), and whether
    it was new or a changed version of one already indexed."""

    key: str
    title: str
    url: str
    at: float
    change: str  # "new" or "changed"


@dataclass
class FeedRecord:
    """What the follower knows of one feed.

    Attributes:
        url: the feed's address (an http(s) url or a local file path).
        title: the feed's own title ("" until first read).
        added: when it was added (epoch seconds).
        etag: the ETag of the last full read ("" when none).
        last_modified: the Last-Modified of the last full read ("" when none).
        last_read: when it was last asked for (epoch seconds), or None.
        last_listed: when its items were last read in full (not a 304), or None.
        last_error: why the last read failed ("" when it did not).
        recent: the latest items that came in, newest first.
    """

    url: str
    title: str = ""
    added: float = 0.0
    etag: str = ""
    last_modified: str = ""
    last_read: float | None = None
    last_listed: float | None = None
    last_error: str = ""
    recent: list[RecentItem] = field(default_factory=list)


@dataclass
class SeenItem:
    """An item whose article is indexed: the feed that brought it, the version indexed, and when
    a feed last listed it (epoch seconds)."""

    feed: str
    version: str
    listed: float


@dataclass
class PendingItem:
    """An item whose page failed: enough to try again without the feed listing it again.

    Attributes:
        feed: the feed that listed it.
        feed_title: that feed's title (the outlet when the page names none).
        item: the feed item.
        attempts: failed attempts so far.
        next_try: when to try again (epoch seconds).
        error: the last failure's reason.
        gave_up: no more tries until the feed lists a new version of the item.
    """

    feed: str
    feed_title: str
    item: FeedItem
    attempts: int
    next_try: float
    error: str
    gave_up: bool = False


@dataclass
class FollowerState:
    """Everything the follower remembers (see the module docstring)."""

    feeds: dict[str, FeedRecord] = field(default_factory=dict)
    seen: dict[str, SeenItem] = field(default_factory=dict)
    pending: dict[str, PendingItem] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The state as JSON-ready data."""
        return {"version": _VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FollowerState:
        """Rebuild the state :meth:`to_json` wrote.

        Raises:
            KeyError, TypeError, ValueError: the data is not such a state.
        """
        if data.get("version") != _VERSION:
            raise ValueError(f"unknown state version {data.get('version')!r}")
        feeds = {}
        for url, raw in data["feeds"].items():
            recent = [RecentItem(**r) for r in raw.pop("recent", [])]
            feeds[url] = FeedRecord(**raw, recent=recent)
        pending = {}
        for key, raw in data["pending"].items():
            pending[key] = PendingItem(**{**raw, "item": FeedItem(**raw["item"])})
        seen = {key: SeenItem(**raw) for key, raw in data["seen"].items()}
        return cls(feeds=feeds, seen=seen, pending=pending)


class StateFile:
    """The state file of one data folder, read and changed under a lock.

    Args:
        data_dir: the index's data folder (``Settings.data_dir``).
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.folder = Path(data_dir) / FEEDS_FOLDER
        self.path = self.folder / "state.json"

    def read(self) -> FollowerState:
        """The current state (empty when nothing was saved yet).

        Raises:
            FeedStateError: the file exists but cannot be read as a state.
        """
        with self._locked():
            return self._load()

    def update(self, change: Callable[[FollowerState], T]) -> T:
        """Read the state, apply ``change`` to it and save it, all under the lock.

        Args:
            change: edits the state in place; its result is returned.

        Raises:
            FeedStateError: the state cannot be read or written.
        """
        with self._locked():
            state = self._load()
            result = change(state)
            self._save(state)
            return result

    @contextmanager
    def _locked(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / "state.lock", "a+b")
        except OSError as exc:
            raise FeedStateError(f"cannot use {self.folder} ({exc.strerror or exc})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            handle.close()  # closing drops the lock

    def _load(self) -> FollowerState:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return FollowerState()
        except OSError as exc:
            raise FeedStateError(f"cannot read {self.path} ({exc.strerror or exc})") from None
        try:
            return FollowerState.from_json(json.loads(raw))
        except (KeyError, TypeError, ValueError) as exc:
            raise FeedStateError(
                f"{self.path} is not a feed state ({type(exc).__name__}: {exc}); move it away to "
                "start afresh (items still in the feeds are then read once more)"
            ) from None

    def _save(self, state: FollowerState) -> None:
        text = json.dumps(state.to_json(), ensure_ascii=False, indent=1)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            folder = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(folder)  # the rename itself survives a power cut
            finally:
                os.close(folder)
        except OSError as exc:
            raise FeedStateError(f"cannot write {self.path} ({exc.strerror or exc})") from None
