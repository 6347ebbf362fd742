"""The Library tab's Feeds panel: its HTML (hostile feed text stays text, times read right), its
controller over a real loopback feed server into an index with the fake embedder, the
background follower, and the interval setting."""

from __future__ import annotations

import threading
import time
import typing
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from types import SimpleNamespace

import gradio as gr
import pytest

from index import ConfigError, Settings, open_index
from index.feeds import (
    FeedList,
    FeedOutcome,
    FeedStatus,
    FetchOptions,
    FollowOptions,
    FollowReport,
    NewItem,
    PageFailure,
)
from tests.fakes import FakeEmbedder
from tests.fixtures.feeds import FeedServer, Route, page, rss
from ui.feeds import FeedFollower, FeedsController
from ui.feeds_view import (
    SHOWN_ITEMS,
    absolute_time,
    relative_time,
    render_feeds,
    render_pass,
)
from ui.html import esc
from ui.settings import WebSettings

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
RSS_TYPE = "application/rss+xml"
EAGER = FollowOptions(fetch=FetchOptions(timeout=5.0, host_delay=0.0), retry_base=0.0)

HOSTILE_TITLE = "<img src=x onerror=\"alert('t')\"><script>alert(1)</script>"
HOSTILE_URL = "javascript:alert('u')"


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's parser would see them."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(fragment)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def _item(n: int, **changes) -> NewItem:
    values = {
        "article_id": f"https://news.example/{n}",
        "title": f"Story {n}",
        "url": f"https://news.example/{n}",
        "at": NOW - timedelta(minutes=n),
        "change": "new",
    }
    return NewItem(**{**values, **changes})


def _status(**changes) -> FeedStatus:
    values = {
        "url": "https://news.example/rss.xml",
        "title": "Example News",
        "added": NOW - timedelta(days=3),
        "last_read": NOW - timedelta(minutes=12),
        "last_error": None,
        "new_items": (_item(1),),
        "waiting": 0,
    }
    return FeedStatus(**{**values, **changes})


# --- the view ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=-5), "just now"),  # another machine's clock a little ahead
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=60), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=44), "44 days ago"),
        (timedelta(days=45), "1 month ago"),
        (timedelta(days=364), "12 months ago"),
        (timedelta(days=800), "2 years ago"),
    ],
)
def test_relative_time_uses_the_largest_unit_that_fits(ago, text):
    assert relative_time(NOW - ago, NOW) == text


def test_absolute_time_is_utc_to_the_minute_whatever_the_zone_given():
    plus_two = datetime(2024, 3, 5, 11, 7, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=2)))
    assert absolute_time(plus_two) == "2024-03-05 11:07 UTC"


def test_a_feed_row_shows_last_read_relative_and_absolute_errors_and_waiting_pages():
    html = render_feeds(
        [
            _status(last_error="HTTP 503 from https://news.example/rss.xml", waiting=2),
            _status(url="https://other.example/feed", title="", last_read=None, new_items=()),
        ],
        NOW,
    )
    assert "2 feeds followed" in html
    assert '<time datetime="2024-03-05T11:48:00+00:00">12 minutes ago</time>' in html
    assert "(2024-03-05 11:48 UTC)" in html
    assert "Failed: HTTP 503 from https://news.example/rss.xml" in html
    assert "2 pages waiting for a retry" in html
    # The feed never read: no title yet, "never", nothing came in.
    assert "(not read yet)" in html and ">never<" in html and "Nothing came in yet." in html
    buttons = _Elements(html).named("button")
    unfollow = [b for b in buttons if b["class"] == "unfollow-feed"]
    assert [b["data-feed"] for b in unfollow] == [
        "https://news.example/rss.xml",
        "https://other.example/feed",
    ]


def test_items_link_to_their_pages_and_fold_after_the_first_few():
    items = tuple(_item(n, change="changed" if n == 2 else "new") for n in range(1, 8))
    html = render_feeds([_status(new_items=items)], NOW)
    found = _Elements(html)
    links = {a["href"] for a in found.named("a") if a.get("class") == "item-title"}
    assert links == {f"https://news.example/{n}" for n in range(1, 8)}
    shows = [b["data-article"] for b in found.named("button") if b["class"] == "show-article"]
    assert shows == [f"https://news.example/{n}" for n in range(1, 8)]
    assert '<span class="change changed">changed</span>' in html
    assert html.count('<span class="change new">new</span>') == 6
    assert f"{7 - SHOWN_ITEMS} earlier items</summary>" in html
    assert html.index("Story 5") < html.index("<details") < html.index("Story 6")


def test_hostile_feed_text_stays_text_and_only_http_urls_become_links():
    feed = _status(
        url="http://evil.example/rss?a=1&b=\"><script>alert('f')</script>",
        title=HOSTILE_TITLE,
        last_error="<b onmouseover=alert('e')>boom</b>",
        new_items=(
            _item(1, title=HOSTILE_TITLE, url=HOSTILE_URL, article_id='x"><img src=x>'),
            _item(2, title="Data url", url="data:text/html,<script>alert(2)</script>"),
            _item(3, title="Tabbed", url="java\tscript:alert(3)"),
        ),
    )
    html = render_feeds([feed], NOW)
    found = _Elements(html)
    tags = {tag for tag, _ in found.tags}
    assert not tags & {"script", "img", "svg", "iframe", "style"}, tags
    assert not [a for _, attrs in found.tags for a in attrs if a.startswith("on")]
    hrefs = [a["href"] for a in found.named("a")]
    # Only the feed's own (http) address is a link; the three item urls are not.
    assert hrefs == ["http://evil.example/rss?a=1&b=\"><script>alert('f')</script>"]
    assert "&lt;img src=x onerror=&quot;alert(&#x27;t&#x27;)&quot;&gt;" in html
    assert "&lt;b onmouseover=alert(&#x27;e&#x27;)&gt;boom&lt;/b&gt;" in html
    data = [b["data-article"] for b in found.named("button") if b["class"] == "show-article"]
    assert data[0] == 'x"><img src=x>'  # the id comes back intact, as an attribute value


def test_a_local_feed_file_is_listed_without_a_link():
    html = render_feeds([_status(url="/home/ann/feeds/local.xml")], NOW)
    assert "/home/ann/feeds/local.xml" in html
    assert [a["href"] for a in _Elements(html).named("a")] == ["https://news.example/1"]


def test_no_feed_says_how_to_add_one():
    assert "No feed followed yet" in render_feeds([], NOW)


def test_a_pass_lists_each_feed_the_failed_pages_and_the_totals():
    report = FollowReport(
        feeds=(
            FeedOutcome("https://a.example/rss", "A <News>", listed=3, new=1, unchanged=2),
            FeedOutcome("https://b.example/rss", "", status="failed", error="HTTP 404 <x>"),
        ),
        items=(_item(1),),
        failures=(
            PageFailure("k", HOSTILE_URL, "https://a.example/rss", "timed out", 1, 0.0),
            PageFailure("j", "https://a.example/j", "https://a.example/rss", "no text", 8, None),
        ),
        pages_requested=3,
        ingest=None,
        seconds=1.25,
    )
    html = render_pass(report)
    assert "<b>A &lt;News&gt;</b>: 3 items: 1 new, 0 changed, 2 unchanged" in html
    assert '<li class="failed"><span class="mark">✗</span> <b>https://b.example/rss</b>' in html
    assert "HTTP 404 &lt;x&gt;" in html
    assert "timed out (will be retried)" in html and "no text (given up)" in html
    assert [a["href"] for a in _Elements(html).named("a")] == ["https://a.example/j"]
    assert "1 article came in; 3 pages fetched in 1.2 s" in html
    empty = FollowReport(feeds=(), items=(), failures=(), pages_requested=0, ingest=None)
    assert "No feed is followed" in render_pass(empty)


# --- the controller over a loopback server ------------------------------------------------------


STORY = (
    "Ferry to Quillmere gets a night crossing",
    [
        "The island council of Quillmere approved a night crossing for the ferry on Tuesday, "
        "with the first boat leaving the mainland at eleven in the evening.",
        "Residents had asked for a late service for years, saying the last boat at seven kept "
        "them from evening work and concerts on the mainland.",
    ],
)


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def news_index(tmp_path):
    return open_index(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())


@pytest.fixture
def controller(news_index):
    return FeedsController(news_index, options=EAGER, clock=lambda: datetime.now(UTC))


def _serve_feed(server: FeedServer, *, title: str = STORY[0], hang: float = 0.0) -> str:
    server.routes["/news/ferry"] = Route(
        page(
            title,
            STORY[1],
            site="Island Post",
            published="2024-03-05T09:00:00Z",
            canonical=server.url("/news/ferry"),
        ),
        hang=hang,
    )
    server.routes["/rss"] = Route(
        rss("Island Post", [{"title": title, "link": server.url("/news/ferry")}]),
        RSS_TYPE,
    )
    return server.url("/rss")


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("", "Type the address of an RSS or Atom feed first."),
        ("   ", "Type the address of an RSS or Atom feed first."),
        ("ftp://news.example/rss", "is not an http or https address"),
        ("/etc/hostname", "is not an http or https address"),
        ("file:///etc/hostname", "is not an http or https address"),
        ("http://", "Not followed: no host name in 'http://'."),
    ],
)
def test_a_bad_address_is_refused_with_a_reason_and_kept_in_the_box(controller, address, why):
    notice, panel, box = controller.on_follow(address)
    assert esc(why) in notice and 'class="failed"' in notice
    assert box == address  # left to be corrected
    assert controller.feeds.urls() == [] and "No feed followed yet" in panel


def test_follow_read_show_and_unfollow(controller, news_index, server):
    address = _serve_feed(server)
    notice, panel, box = controller.on_follow(f"  {address} ")
    assert f"Following {address}" in notice and box == ""
    assert "(not read yet)" in panel and ">never<" in panel
    assert "is already followed" in controller.on_follow(address)[0]
    assert controller.feeds.urls() == [address]

    steps: list[tuple[float, str]] = []
    result, panel = controller.on_read(lambda f, desc: steps.append((f, desc)))
    assert "<b>Island Post</b>: 1 items: 1 new" in result
    assert "1 article came in; 1 page fetched" in result
    assert steps[0] == (0.0, "reading the feeds")
    assert ("fetching pages 1/1") in [d for _, d in steps]
    assert [d for _, d in steps][-1].startswith("embedding")
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    # The panel now says when it was read and what came in, linked to the page.
    assert "Island Post" in panel and ">just now</time>" in panel
    links = {a["href"] for a in _Elements(panel).named("a")}
    assert server.url("/news/ferry") in links
    assert STORY[0] in panel
    (info,) = news_index.articles()
    assert info.title == STORY[0] and info.source == "Island Post"

    # Unfollowing keeps the article; a second unfollow says it was not followed.
    notice, panel = controller.on_unfollow(SimpleNamespace(feed=address))
    assert "Unfollowed" in notice and "its articles stay in the library" in notice
    assert "No feed followed yet" in panel
    assert len(news_index.articles()) == 1
    assert "was not followed" in controller.unfollow(address)
    assert "Cannot unfollow" in controller.unfollow("")


def test_a_hostile_page_title_reaches_the_panel_as_text(controller, server):
    address = _serve_feed(server, title=HOSTILE_TITLE)
    controller.follow(address)
    _, panel = controller.on_read()
    tags = {tag for tag, _ in _Elements(panel).tags}
    assert "img" not in tags and "script" not in tags
    assert "&lt;img src=x onerror=" in panel


def test_a_failed_pass_is_a_notice_not_an_error(controller, news_index, server):
    controller.follow(_serve_feed(server))
    controller.feeds.state_file.path.write_text("{not json", encoding="utf-8")
    result, panel = controller.on_read()
    assert "The pass failed, nothing was recorded" in result and "is not a feed state" in result
    assert "The followed feeds cannot be read" in panel
    assert news_index.articles() == []


def test_passes_take_turns_so_a_page_is_fetched_once(controller, server):
    """A second pass started while one is fetching waits for it, then finds nothing new."""
    controller.follow(_serve_feed(server, hang=1.0))
    first: list[FollowReport] = []
    running = threading.Thread(target=lambda: first.append(controller.read()))
    running.start()
    deadline = time.monotonic() + 10
    while not server.requests["/news/ferry"] and time.monotonic() < deadline:
        time.sleep(0.02)
    steps: list[str] = []
    second = controller.read(lambda f, desc: steps.append(desc))
    running.join(10)
    assert steps[0] == "waiting for the pass in progress"
    assert [len(r.items) for r in (*first, second)] == [1, 0]
    assert second.feeds[0].unchanged == 1
    assert server.requests["/news/ferry"] == 1
    (status,) = controller.feeds.status()
    assert len(status.new_items) == 1  # listed once under "what came in"


def test_the_background_follower_reads_the_feeds_and_survives_a_failed_pass(controller, server):
    address = _serve_feed(server)
    controller.feeds.state_file.path.parent.mkdir(parents=True, exist_ok=True)
    controller.feeds.state_file.path.write_text("{not json", encoding="utf-8")
    lines: list[str] = []
    follower = FeedFollower(controller, interval=0.05, echo=lines.append)
    follower.start()
    try:
        deadline = time.monotonic() + 10
        while not any("the pass failed" in line for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.02)
        controller.feeds.state_file.path.unlink()  # mended: the next pass goes through
        controller.follow(address)
        while not any("pages fetched" in line for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.02)
    finally:
        follower.stop(timeout=10)
    assert not follower._thread.is_alive()
    (status,) = FeedList(controller.index.settings.data_dir).status()
    assert status.last_read is not None and [i.title for i in status.new_items] == [STORY[0]]
    assert "FeedStateError" in next(line for line in lines if "the pass failed" in line)


# --- wiring and settings -------------------------------------------------------------------------


def test_the_feed_callbacks_declare_what_gradio_injects():
    assert typing.get_type_hints(FeedsController.on_unfollow)["evt"] is gr.EventData
    import inspect

    progress = inspect.signature(FeedsController.on_read).parameters["progress"].default
    assert isinstance(progress, gr.Progress)


def test_the_library_tab_holds_the_feeds_panel(news_index):
    import app
    from qa import Answerer

    blocks = app.build_app(Answerer(news_index))
    ids = {getattr(b, "elem_id", None) for b in blocks.blocks.values()}
    assert {"feed-address", "follow-feed", "read-feeds", "feed-results", "feed-list"} <= ids
    read = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "read-feeds")
    (event,) = [d for d in blocks.fns.values() if read._id in [t[0] for t in d.targets]]
    # The pass writes to the index: it runs in the writes' one slot, never beside another write.
    assert (event.concurrency_id, event.concurrency_limit) == ("writes", 1)


@pytest.mark.parametrize(
    ("raw", "interval"), [("0", 0.0), ("60", 60.0), ("900.5", 900.5), ("", 0.0)]
)
def test_the_follow_interval_reads_seconds_and_defaults_to_off(raw, interval):
    assert WebSettings.from_env({"NEWSQA_FOLLOW_INTERVAL": raw}).follow_interval == interval


@pytest.mark.parametrize("raw", ["5", "-60", "nan", "inf", "ten"])
def test_a_follow_interval_too_short_or_not_a_number_is_refused(raw):
    with pytest.raises(ConfigError, match="NEWSQA_FOLLOW_INTERVAL"):
        WebSettings.from_env({"NEWSQA_FOLLOW_INTERVAL": raw})


def test_the_app_starts_a_background_follower_only_when_asked(news_index, monkeypatch, capsys):
    """``main()`` with ``NEWSQA_FOLLOW_INTERVAL``: a follower over the same controller as the
    page's (their passes take turns); without it, none."""
    import app
    from qa import Answerer

    started: list[tuple[FeedsController, float]] = []
    built: list[FeedsController] = []
    monkeypatch.setattr(app, "open_answerer", lambda *a, **k: Answerer(news_index))
    monkeypatch.setattr(
        FeedFollower, "start", lambda self: started.append((self.controller, self.interval))
    )

    class Launched:
        def queue(self):
            return self

        def launch(self, **options):
            return None

    def build(answerer, limit, feeds):
        built.append(feeds)
        return Launched()

    monkeypatch.setattr(app, "build_app", build)
    assert app.main() == 0 and started == [] and len(built) == 1
    monkeypatch.setenv("NEWSQA_FOLLOW_INTERVAL", "120")
    assert app.main() == 0
    assert started == [(built[1], 120.0)]
    assert "a pass every 120 s" in capsys.readouterr().out
