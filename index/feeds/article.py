"""A feed item and its fetched page made into an :class:`~index.article.Article`.

The page is read by the HTML loader's extraction (:func:`index.loaders.html.read_page`), the
feed fills what the page lacks:

* id: the item's key (its guid, see :mod:`index.feeds.parse`), not the page's canonical url: a
  story whose url changes (a corrected slug) stays one article, and its new version replaces
  the old one.
* title, author: the page's, else the item's.
* outlet: the page's site name, else the feed's title, else the host name.
* date: the date the page *declares*, else the feed's publication date, else the date
  trafilatura guessed from the page body (a date the story mentions is weaker evidence than
  the feed's own).
* url: the page's canonical url, else the address it was finally fetched from.
* text: the page's main text. A page with no article text (a video page, a teaser) gets the
  item's summary when that is long enough to be an article, with a note saying so.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..article import Article, short_title
from ..dates import read_date
from ..errors import LoadError
from ..loaders.base import MIN_TEXT_CHARS, LoadLimits, check_article, date_note
from ..loaders.html import read_page
from .fetch import FetchError, Response
from .parse import FeedItem


def item_article(
    item: FeedItem, feed_title: str, page: Response | None, limits: LoadLimits
) -> tuple[Article, list[str]]:
    """Build the article of a feed item from its fetched page (or from the item alone).

    Args:
        item: the feed item.
        feed_title: the feed's title (the outlet when the page names none).
        page: the fetched page, or None when the item has no link.
        limits: the per-article text limits.

    Returns:
        The article and notes worth a look (the summary stood in for the page, an implausible
        date).

    Raises:
        FetchError: the page is not HTML.
        LoadError: neither the page nor the item has usable article text.
    """
    where = item.link or item.key
    notes: list[str] = []
    fields: dict[str, str] = {}
    if page is not None:
        if not page.is_html:
            raise FetchError(f"not HTML (content type {page.content_type or 'unknown'})")
        try:
            found = read_page(page.text(), where, url=page.url)
            fields = {
                "text": found.text,
                "title": found.title,
                "source": found.source,
                "url": found.url,
                "author": found.author,
                "declared": found.declared_date or "",
                "guessed": found.guessed_date or "",
            }
        except LoadError as exc:
            if len(item.summary) < MIN_TEXT_CHARS:
                raise
            notes.append(f"{where}: {exc.reason}; the feed's summary was indexed instead")
    if not fields.get("text"):
        if len(item.summary) < MIN_TEXT_CHARS:
            raise LoadError(where, "no page and no summary long enough to index")
        fields["text"] = item.summary
    url = fields.get("url") or (page.url if page is not None else "") or item.link
    article = Article(
        id=item.key,
        title=fields.get("title") or item.title or short_title(fields["text"]),
        text=fields["text"],
        source=fields.get("source") or feed_title or urlsplit(url).hostname or "",
        published=_date(fields.get("declared")) or item.day or _date(fields.get("guessed")),
        url=url,
        author=fields.get("author") or item.author,
    )
    check_article(article, limits, Path(where))
    note = date_note(article)
    if note:
        notes.append(f"{where}: {note}")
    return article, notes


def _date(value: str | None):
    try:
        return read_date(value) if value else None
    except ValueError:  # an unreadable page date is no reason to refuse the article
        return None
