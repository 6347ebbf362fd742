"""Web pages: ``.html``, ``.htm``. trafilatura finds the main text and the metadata.

The date. trafilatura asks htmldate for it only inside 1995-01-01..today, so a page whose
``article:published_time`` lies in the future (or before 1995) came back undated, without a word,
where the same date in a text or JSON file was kept. So the date a page *declares* is read on its
own first: htmldate (fast mode) over the page's metadata alone (the ``<head>``, JSON-LD blocks,
``<time>`` elements and the url) with a window of 1000..2999, wide enough for any declared date.
That date is kept and judged by the rule every format shares (:mod:`index.loaders.base`: an
implausible date is kept and noted). Only a page that declares none keeps trafilatura's own guess
from the rest of the page, inside its default window, because a date the story mentions ("the
plan runs until 2031-09-10") is not its publication date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..article import Article
from ..errors import LoadError
from .base import make_article

EXTENSIONS = frozenset({".html", ".htm"})

#: Where a page declares its date: elements copied, without their surrounding text, into the
#: small document htmldate reads first.
_DECLARING = '//head | //body//time | //body//script[@type="application/ld+json"]'
_WINDOW = {"min_date": "1000-01-01", "max_date": "2999-12-31"}


@dataclass(frozen=True)
class PageFields:
    """What a web page says about its article, before the shared rules make it an Article.

    Attributes:
        text: the main text (title line removed).
        title: the headline ("" when the page has none).
        source: the outlet (site name, else host name; "" when unknown).
        declared_date: the date the page's metadata declares (see the module docstring), or None.
        guessed_date: trafilatura's date from the rest of the page, or None.
        url: the canonical url (the ``url`` given when the page names none; "" when unknown).
        author: the byline ("" when unknown).
    """

    text: str
    title: str
    source: str
    declared_date: str | None
    guessed_date: str | None
    url: str
    author: str


def read_page(html: str, where: str, url: str | None = None) -> PageFields:
    """Extract the article of a web page's decoded content.

    Args:
        html: the page.
        where: the file or address named in errors.
        url: the address the page was fetched from, if any: the url when the page declares no
            canonical one, and the host name when it names no site.

    Returns:
        The page's fields; ``text`` is never empty.

    Raises:
        LoadError: malformed markup, or no article text.
    """
    import trafilatura  # heavy import, only when HTML shows up

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise LoadError(where, f"malformed HTML ({type(exc).__name__})") from None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise LoadError(where, "HTML has no article text")
    title = (doc.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    canonical = (doc.url or "").strip()
    return PageFields(
        text=text,
        title=title,
        source=(doc.sitename or doc.hostname or "").strip(),
        declared_date=_declared_date(html, canonical),
        guessed_date=doc.date,
        url=canonical,
        author=(doc.author or "").strip(),
    )


def load_html(path: Path, html: str) -> Article:
    """Read one article from a web page's decoded content.

    Raises:
        LoadError: malformed markup, no article text, or an unreadable date.
    """
    page = read_page(html, str(path))
    return make_article(
        path,
        text=page.text,
        title=page.title,
        source=page.source,
        date=page.declared_date or page.guessed_date,
        url=page.url,
        author=page.author,
    )


def _declared_date(html: str, url: str) -> str | None:
    """The publication date in the page's metadata (see the module docstring), or None."""
    from htmldate import find_date
    from lxml import etree
    from trafilatura.utils import load_html  # htmldate's own would fetch a text that is a url

    try:
        tree = load_html(html)
        if tree is None:
            return None
        parts = [
            etree.tostring(el, encoding="unicode", with_tail=False) for el in tree.xpath(_DECLARING)
        ]
        if not parts:
            return None
        declared = f"<html>{''.join(parts)}</html>"
        return find_date(
            declared, url=url or None, original_date=True, extensive_search=False, **_WINDOW
        )
    except Exception:  # lxml and htmldate raise assorted errors on odd markup; the date is optional
        return None
