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

from pathlib import Path

from ..article import Article
from ..errors import LoadError
from .base import make_article

EXTENSIONS = frozenset({".html", ".htm"})

#: Where a page declares its date: elements copied, without their surrounding text, into the
#: small document htmldate reads first.
_DECLARING = '//head | //body//time | //body//script[@type="application/ld+json"]'
_WINDOW = {"min_date": "1000-01-01", "max_date": "2999-12-31"}


def load_html(path: Path, html: str) -> Article:
    """Read one article from a web page's decoded content.

    Raises:
        LoadError: malformed markup, no article text, or an unreadable date.
    """
    import trafilatura  # heavy import, only when HTML shows up

    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise LoadError(str(path), f"malformed HTML ({type(exc).__name__})") from None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise LoadError(str(path), "HTML has no article text")
    title = (doc.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    url = (doc.url or "").strip()
    return make_article(
        path,
        text=text,
        title=title,
        source=(doc.sitename or doc.hostname or "").strip(),
        date=_declared_date(html, url) or doc.date,
        url=url,
        author=(doc.author or "").strip(),
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
