"""The Library tab's Feeds panel as HTML: the followed feeds, when each was last read, what came
in, and the result lines of a pass or of following a feed.

A feed is untrusted input twice over: its address was typed by a user and its title, item titles,
item urls and error messages come from a server nobody here controls. Every one of them goes
through :func:`ui.html.esc`, and only http(s) urls become links (:func:`ui.html.link`), so an item
titled ``<img onerror=...>`` or linked to ``javascript:`` shows as text. The "Unfollow" and
"Show" buttons carry the feed's address or the article's id in escaped ``data-*`` attributes
that :data:`FEEDS_JS` reads back; the script never inserts markup.

Times are kept in UTC and shown twice: relative to the moment the panel was rendered ("12
minutes ago", which is what one glances at) and absolute ("2024-03-05 09:00 UTC", which still
holds when the page has stood open for an hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from index.feeds import FeedOutcome, FeedStatus, FollowReport, NewItem

from .html import esc, link
from .library_view import plural

#: Items listed openly per feed; the rest of the (at most 20) recent ones fold into a <details>.
SHOWN_ITEMS = 5
#: Page failures listed after a pass; more are counted, not listed.
SHOWN_FAILURES = 10


def absolute_time(when: datetime) -> str:
    """``when`` in UTC to the minute: "2024-03-05 09:00 UTC"."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def relative_time(when: datetime, now: datetime) -> str:
    """How long before ``now`` ``when`` was, in the largest unit that fits.

    Args:
        when: a past moment (timezone-aware).
        now: the present (timezone-aware).

    Returns:
        "just now" (under a minute, or in the future: clocks of two machines disagree by
        seconds), "1 minute ago", "3 hours ago", "2 days ago", "5 months ago", "2 years ago".
    """
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size, below in (
        ("minute", 60, 3600),
        ("hour", 3600, 86400),
        ("day", 86400, 45 * 86400),
        ("month", 30 * 86400, 365 * 86400),
        ("year", 365 * 86400, float("inf")),
    ):
        if seconds < below:
            count = int(seconds // size)
            return f"{count} {plural(count, unit)} ago"
    raise AssertionError("unreachable: the last unit has no upper bound")


def render_time(when: datetime, now: datetime) -> str:
    """A ``<time>`` element: relative time, then the absolute one in brackets."""
    return (
        f'<time datetime="{esc(when.astimezone(UTC).isoformat())}">'
        f"{esc(relative_time(when, now))}</time> "
        f'<span class="abs-time">({esc(absolute_time(when))})</span>'
    )


def _item_line(item: NewItem, now: datetime) -> str:
    change = "changed" if item.change == "changed" else "new"
    return (
        f'<li class="feed-item"><span class="change {change}">{change}</span> '
        f"{link(item.url, item.title or item.url or item.article_id, 'item-title')} "
        f'<span class="item-time">{esc(relative_time(item.at, now))}</span> '
        f'<button type="button" class="show-article" data-article="{esc(item.article_id)}">'
        "Show</button></li>"
    )


def render_items(items: Sequence[NewItem], now: datetime) -> str:
    """What came in from one feed, newest first: the first :data:`SHOWN_ITEMS`, then the rest
    folded away."""
    if not items:
        return '<p class="feed-empty">Nothing came in yet.</p>'
    shown = "".join(_item_line(item, now) for item in items[:SHOWN_ITEMS])
    html = f'<ul class="feed-items">{shown}</ul>'
    rest = items[SHOWN_ITEMS:]
    if rest:
        more = "".join(_item_line(item, now) for item in rest)
        html += (
            f'<details class="feed-more"><summary>{len(rest)} earlier '
            f'{plural(len(rest), "item")}</summary><ul class="feed-items">{more}</ul></details>'
        )
    return html


def _feed_row(feed: FeedStatus, now: datetime) -> str:
    title = feed.title or "(not read yet)"
    if feed.last_read is None:
        read = '<span class="never">never</span>'
    else:
        read = render_time(feed.last_read, now)
    problems = []
    if feed.last_error:
        problems.append(f'<p class="feed-error" role="alert">Failed: {esc(feed.last_error)}</p>')
    if feed.waiting:
        problems.append(
            f'<p class="feed-waiting">{feed.waiting} {plural(feed.waiting, "page")} waiting '
            "for a retry</p>"
        )
    address = esc(feed.url)
    return (
        f'<tr class="feed" data-feed="{address}">'
        f'<td class="col-feed"><b class="feed-title">{esc(title)}</b>'
        f'<div class="feed-url">{link(feed.url, feed.url)}</div></td>'
        f'<td class="col-read">{read}{"".join(problems)}</td>'
        f'<td class="col-items">{render_items(feed.new_items, now)}</td>'
        '<td class="col-actions">'
        f'<button type="button" class="unfollow-feed" data-feed="{address}" '
        f'aria-label="Unfollow {esc(title)}">Unfollow</button></td></tr>'
    )


def render_feeds(feeds: Sequence[FeedStatus], now: datetime) -> str:
    """The followed feeds' table.

    Args:
        feeds: every followed feed's status, in the order they were added.
        now: the present, for the relative times.

    Returns:
        HTML.
    """
    if not feeds:
        return (
            '<div class="feeds"><p class="library-caption">No feed followed yet: add an RSS '
            "or Atom feed's address above.</p></div>"
        )
    rows = "".join(_feed_row(feed, now) for feed in feeds)
    return (
        f'<div class="feeds"><p class="library-caption">{len(feeds)} '
        f"{plural(len(feeds), 'feed')} followed</p>"
        '<table class="library-table feeds-table"><thead><tr><th>Feed</th><th>Last read</th>'
        f"<th>What came in</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def render_notice(ok: bool, message: str) -> str:
    """One result line (following or unfollowing a feed, a refused address)."""
    state, mark = ("ok", "✓") if ok else ("failed", "✗")
    return (
        f'<ul class="upload-results feed-notice"><li class="{state}">'
        f'<span class="mark">{mark}</span> {esc(message)}</li></ul>'
    )


def _outcome_line(outcome: FeedOutcome) -> str:
    failed = outcome.status == "failed"
    name = outcome.title or outcome.url
    return (
        f'<li class="{"failed" if failed else "ok"}"><span class="mark">'
        f"{'✗' if failed else '✓'}</span> <b>{esc(name)}</b>: {esc(outcome.summary())}</li>"
    )


def render_pass(report: FollowReport) -> str:
    """The result of one pass: a line per feed, the pages that failed, and the totals.

    Args:
        report: what :func:`index.feeds.follow_once` returned.

    Returns:
        HTML.
    """
    if not report.feeds:
        return render_notice(False, "No feed is followed: add one first.")
    lines = [_outcome_line(outcome) for outcome in report.feeds]
    for failure in report.failures[:SHOWN_FAILURES]:
        retry = "will be retried" if failure.next_try is not None else "given up"
        lines.append(
            f'<li class="failed"><span class="mark">✗</span> page '
            f"{link(failure.link, failure.link)}: {esc(failure.error)} ({retry})</li>"
        )
    if len(report.failures) > SHOWN_FAILURES:
        more = len(report.failures) - SHOWN_FAILURES
        lines.append(f'<li class="failed">and {more} more failed {plural(more, "page")}</li>')
    came = len(report.items)
    total = (
        f"{came} {plural(came, 'article')} came in; {report.pages_requested} "
        f"{plural(report.pages_requested, 'page')} fetched in {report.seconds:.1f} s"
    )
    return (
        f'<ul class="upload-results feed-pass">{"".join(lines)}</ul>'
        f'<p class="feed-pass-total">{esc(total)}</p>'
    )


#: Feeds panel: "Unfollow" raises ``unfollow_feed`` with the feed's address; "Show" opens the
#: article an item became, like the library table's button.
FEEDS_JS = """
element.addEventListener('click', (event) => {
  const show = event.target.closest('button.show-article');
  if (show) {
    trigger('show_article', {article_id: show.dataset.article, start: -1, end: -1, marks: ''});
    return;
  }
  const unfollow = event.target.closest('button.unfollow-feed');
  if (!unfollow) return;
  unfollow.disabled = true;
  unfollow.textContent = 'Unfollowing…';
  trigger('unfollow_feed', {feed: unfollow.dataset.feed});
});
"""

#: Styles of the panel, as a <style> for the component's ``head`` (the table reuses the library
#: table's).
FEEDS_HEAD = """
<style>
.feeds-table .feed-url { font-size: .8rem; word-break: break-all;
  color: var(--body-text-color-subdued); }
.feeds-table .abs-time, .feeds-table .item-time, .feeds-table .never {
  font-size: .8rem; color: var(--body-text-color-subdued); }
.feeds-table .feed-error { color: #a52714; font-size: .85rem; margin: .2rem 0 0; }
.feeds-table .feed-waiting { color: #8a4b00; font-size: .85rem; margin: .2rem 0 0; }
.feeds-table .feed-items { list-style: none; padding: 0; margin: 0; }
.feeds-table .feed-item { margin: 0 0 .2rem; }
.feeds-table .change { font-size: .68rem; font-weight: 700; text-transform: uppercase;
  border-radius: 3px; padding: 0 .3em; margin-right: .3em; background: #e3f1e3; color: #1e5e1e; }
.feeds-table .change.changed { background: #fff4e0; color: #5c3b00; }
.feeds-table .feed-empty { color: var(--body-text-color-subdued); margin: 0; }
button.unfollow-feed { font-size: .8rem; border: 1px solid var(--border-color-primary);
  border-radius: 6px; padding: .1rem .55rem; background: var(--button-secondary-background-fill);
  cursor: pointer; }
.feed-pass-total { font-size: .85rem; color: var(--body-text-color-subdued); margin: .2rem 0; }
</style>
"""
