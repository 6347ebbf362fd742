"""The library tab's HTML: the article table, corpus statistics and upload result lines.

The table is our own escaped HTML rather than a ``gr.Dataframe`` so that titles and outlets from
uploaded files can never be interpreted as markup, and so each row can carry its own "Show" and
"Delete" buttons. Long libraries are cut at :data:`MAX_ROWS` rows with a note to refine the
search: a browser table of tens of thousands of rows helps nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index import ArticleInfo, IndexStats

from .html import esc, format_day, link

MAX_ROWS = 300


def plural(count: int, noun: str) -> str:
    """``noun`` as it reads after ``count``: "1 article", "2 articles", "0 articles"."""
    return noun if count == 1 else f"{noun}s"


@dataclass(frozen=True)
class UploadLine:
    """The result of one uploaded file.

    Attributes:
        name: the file name as uploaded.
        ok: False when the file could not be indexed.
        message: what happened ("1 article added, 3 chunks", or the reason it failed).
    """

    name: str
    ok: bool
    message: str


def matches(info: ArticleInfo, query: str) -> bool:
    """True when every word of ``query`` occurs in the article's title, outlet, date or url."""
    haystack = " ".join(
        (info.title, info.source, info.published.isoformat() if info.published else "", info.url)
    ).lower()
    return all(word in haystack for word in query.lower().split())


def render_library(infos: Sequence[ArticleInfo], query: str = "") -> str:
    """The article table, filtered by ``query``.

    Args:
        infos: indexed articles, newest first.
        query: search words (all must match); "" shows everything.

    Returns:
        HTML.
    """
    found = [a for a in infos if matches(a, query)] if query.strip() else list(infos)
    shown = found[:MAX_ROWS]
    if query.strip():
        caption = (
            f"{len(found):,} of {len(infos):,} {plural(len(infos), 'article')} match "
            f"“{esc(query.strip())}”"
        )
    else:
        caption = f"{len(infos):,} {plural(len(infos), 'article')}"
    if len(found) > len(shown):
        caption += f"; showing the first {len(shown):,}, refine the search to see others"
    rows = []
    for a in shown:
        article = esc(a.id)
        rows.append(
            f'<tr data-article="{article}">'
            f'<td class="col-title">{link(a.url, a.title)}</td>'
            f'<td class="col-outlet">{esc(a.source or "—")}</td>'
            f'<td class="col-date">{esc(a.published.isoformat() if a.published else "—")}</td>'
            f'<td class="col-chunks">{a.chunks}</td>'
            '<td class="col-actions">'
            f'<button type="button" class="show-article" data-article="{article}">Show</button>'
            f'<button type="button" class="delete-article" data-article="{article}" '
            f'aria-label="Delete {esc(a.title)}">Delete</button></td></tr>'
        )
    body = "".join(rows) or '<tr><td colspan="5" class="sources-note">No article matches.</td></tr>'
    return (
        f'<div class="library"><p class="library-caption">{caption}</p>'
        '<table class="library-table"><thead><tr><th>Title</th><th>Outlet</th><th>Date</th>'
        f"<th>Chunks</th><th></th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def render_stats(stats: IndexStats, infos: Sequence[ArticleInfo], top: int = 12) -> str:
    """Corpus statistics: counts, date span and the outlets with their article counts.

    Args:
        stats: the index statistics.
        infos: the indexed articles (for per-outlet counts).
        top: how many outlets to list by name.

    Returns:
        HTML.
    """
    if stats.first and stats.last:
        span = f"{format_day(stats.first)} – {format_day(stats.last)}"
    else:
        span = "no dated articles"
    outlets = Counter(a.source for a in infos if a.source).most_common()
    listed = ", ".join(f"{esc(name)} ({count})" for name, count in outlets[:top])
    if len(outlets) > top:
        listed += f", and {len(outlets) - top} more"
    return (
        '<div class="stats">'
        f'<span class="stat"><b>{stats.articles:,}</b> {plural(stats.articles, "article")}</span>'
        f'<span class="stat"><b>{stats.chunks:,}</b> {plural(stats.chunks, "chunk")}</span>'
        f'<span class="stat">{esc(span)}</span>'
        f'<span class="stat"><b>{stats.sources:,}</b> {plural(stats.sources, "outlet")}</span>'
        f'<p class="outlets">{listed or "No outlet names recorded."}</p>'
        f'<p class="stats-model">Embedding model {esc(stats.embed_model)} · '
        f"stored at {esc(stats.location)}</p>"
        "</div>"
    )


def render_upload_lines(lines: Sequence[UploadLine]) -> str:
    """One line per uploaded file: a tick and what was added, or a cross and why it failed."""
    if not lines:
        return ""
    items = "".join(
        f'<li class="{"ok" if line.ok else "failed"}">'
        f'<span class="mark">{"✓" if line.ok else "✗"}</span> '
        f"<b>{esc(line.name)}</b>: {esc(line.message)}</li>"
        for line in lines
    )
    return f'<ul class="upload-results">{items}</ul>'
