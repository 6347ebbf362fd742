"""What every format shares: the result of one file, the size limits, and the rules for turning
a format's fields into an :class:`Article`.

The rules, in one place so the formats cannot drift apart:

* id: the article's url when it has one, else its absolute file path (plus ``#n`` inside a
  multi-article file);
* text: at least :data:`MIN_TEXT_CHARS` characters, at most ``LoadLimits.max_article_chars``;
* date: any real calendar date the file declares is kept (:func:`index.dates.read_date`); an
  unreadable or impossible one refuses the article; an implausible one (in the future, before
  1800) is kept and gets a note (:func:`date_note`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..article import Article, short_title
from ..dates import date_warning, read_date
from ..errors import LoadError
from .reading import display_path

#: Less text than this is a menu or a caption, not an article.
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class FileResult:
    """What one file gave.

    Attributes:
        path: the file.
        articles: the articles read from it.
        error: why the whole file failed, or None.
        problems: per-record problems in a multi-article file whose other records loaded (those
            records were skipped).
        notes: remarks about articles that did load (an implausible date, kept as given).
    """

    path: Path
    articles: list[Article] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadLimits:
    """Limits applied while loading (from settings)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_article_chars: int = 2_000_000


def path_id(path: Path, position: int | None = None) -> str:
    """The id of an article without a url: its absolute path, plus ``#n`` for the record at
    ``position`` of a multi-article file."""
    base = display_path(Path(os.path.abspath(path)).as_posix())
    return base if position is None else f"{base}#{position}"


def make_article(
    path: Path,
    *,
    text: str,
    title: str = "",
    source: str = "",
    date: Any = None,
    url: str = "",
    author: str = "",
    position: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Article:
    """Build the article a format read, by the shared rules (see the module docstring).

    Args:
        path: the file.
        text: the body.
        title: the headline ("" derives one from the text).
        source: the outlet.
        date: the publication date as the file gives it (string, date, epoch number or None).
        url: the canonical url.
        author: the byline.
        position: the record's position inside a multi-article file (None for a single one).
        extra: format-specific metadata (PDF page count, JSON category).

    Returns:
        The article.

    Raises:
        LoadError: the date is unreadable or impossible.
    """
    try:
        published = read_date(date)
    except ValueError:
        raise LoadError(str(path), f"impossible or unreadable date {str(date)[:40]!r}") from None
    url = url.strip()
    return Article(
        id=url or path_id(path, position),
        title=title or short_title(text),
        text=text,
        source=source,
        published=published,
        url=url,
        author=author,
        path=display_path(os.path.abspath(path)),
        extra=extra or {},
    )


def check_article(article: Article, limits: LoadLimits, path: Path) -> Article:
    """Refuse an article with too little or too much text.

    Raises:
        LoadError: the reason.
    """
    if len(article.text.strip()) < MIN_TEXT_CHARS:
        raise LoadError(str(path), "no article text")
    if len(article.text) > limits.max_article_chars:
        raise LoadError(
            str(path),
            f"article text is {len(article.text):,} characters, over the "
            f"{limits.max_article_chars:,} limit (NEWSQA_MAX_ARTICLE_CHARS)",
        )
    return article


def date_note(article: Article) -> str | None:
    """The note for an article whose date is implausible, or None."""
    return date_warning(article.published)
