"""Plain text and Markdown: ``.txt``, ``.md``, ``.markdown``.

Metadata comes from optional ``key: value`` header lines at the top (``title``, ``source`` or
``outlet``, ``url`` or ``link``, ``date`` or ``published``, ``author`` or ``by``) ended by a
blank line, or from a bare leading ``date YYYY-MM-DD`` as the bundled seed corpus writes it. With
no title header, a leading Markdown heading is the title and leaves the body, so it is not indexed
twice; with neither, the title is derived from the first sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..article import Article
from .base import make_article

EXTENSIONS = frozenset({".txt", ".md", ".markdown"})

_HEADER = re.compile(
    r"^(title|source|outlet|url|link|date|published|published_at|author|by)\s*:\s*(.*)$", re.I
)
_ALIASES = {
    "outlet": "source",
    "link": "url",
    "published": "date",
    "published_at": "date",
    "by": "author",
}
_BARE_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2})[ \t]*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def load_text(path: Path, text: str) -> Article:
    """Read one article from a text or Markdown file's decoded content.

    Raises:
        LoadError: the date header is unreadable or impossible.
    """
    meta: dict[str, str] = {}
    bare = _BARE_DATE.match(text)
    if bare:
        meta["date"] = bare[1]
        body_start = bare.end()
    else:
        meta, body_start = _headers(text)
    body = text[body_start:]
    title = meta.get("title", "")
    if not title:
        first = body.lstrip().split("\n", 1)[0]
        heading = _HEADING.match(first)
        if heading:
            title = heading[1].strip()
            body = body.lstrip()[len(first) :]
    return make_article(
        path,
        text=body.strip(),
        title=title,
        source=meta.get("source", ""),
        date=meta.get("date"),
        url=meta.get("url", ""),
        author=meta.get("author", ""),
    )


def _headers(text: str) -> tuple[dict[str, str], int]:
    """The header fields at the top of ``text`` and the offset where the body starts."""
    meta: dict[str, str] = {}
    offset = 0
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line.strip())
        if match and match[2].strip():
            key = match[1].lower()
            meta[_ALIASES.get(key, key)] = match[2].strip()
            offset += len(line)
        elif not line.strip() and meta:
            offset += len(line)
            break
        else:
            break
    return meta, offset if meta else 0
