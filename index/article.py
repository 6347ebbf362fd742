"""The Article: one news story with its metadata, as every loader produces it.

The id is the article's url when it has one (urls are how newsrooms identify stories, and the
same story loaded from two files should be one article), else the normalised file path plus, for
files that hold several articles, the article's position. The content hash covers everything that
ends up in the index (text and metadata), so a changed headline re-indexes too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Article:
    """A news article ready for indexing.

    Attributes:
        id: stable identifier (url, else normalised path[#n]).
        title: headline; never empty (derived from the text when the file has none).
        text: the article body; citations are offsets into this string.
        source: outlet name ("" when unknown).
        published: publication date, or None when unknown.
        url: canonical url ("" when unknown).
        author: byline ("" when unknown).
        path: the file it came from ("" when built in code).
    """

    id: str
    title: str
    text: str
    source: str = ""
    published: date | None = None
    url: str = ""
    author: str = ""
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def content_hash(self) -> str:
        """sha256 over the text and the metadata that is indexed with it."""
        h = hashlib.sha256()
        for part in (
            self.title,
            self.source,
            self.published.isoformat() if self.published else "",
            self.url,
            self.author,
            self.text,
        ):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()


def short_title(text: str, limit: int = 80) -> str:
    """A headline stand-in: the first sentence of ``text``, cut at a word boundary.

    Args:
        text: article text.
        limit: maximum length in characters (an ellipsis is added when cut).

    Returns:
        A one-line title, or "Untitled" for blank text.
    """
    flat = _WS.sub(" ", text).strip()
    if not flat:
        return "Untitled"
    match = re.search(r"(?<=[.!?])\s", flat)
    first = flat[: match.start()] if match else flat
    if len(first) <= limit:
        return first.rstrip(".")
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
