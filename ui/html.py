"""Safe HTML building blocks: every string that reaches the page goes through here.

Article text, titles, outlets, urls and file names come from files anyone can upload, so the UI
treats all of them as hostile. Text is escaped (quotes included, since it also lands in
attributes); links are emitted only for absolute ``http``/``https`` urls, so a ``javascript:`` or
``data:`` url shows as plain text; highlights are inserted by offsets into the escaped pieces,
never by pattern-matching HTML. Gradio's ``gr.HTML`` assigns our markup with ``innerHTML``, where
an ``<img onerror>`` would run, so nothing here may pass raw text through.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise
from urllib.parse import urlsplit

_SAFE_SCHEMES = ("http", "https")


def esc(value: object) -> str:
    """Escape ``value`` for HTML text and quoted attribute values.

    Args:
        value: anything; converted with ``str`` (None becomes "").

    Returns:
        The escaped string.
    """
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """The url when it is an absolute http(s) url, else None.

    Args:
        url: a url from article metadata.

    Returns:
        The url unchanged (escape it where it is used), or None when it must not become a link.
    """
    if not url:
        return None
    candidate = url.strip()
    # Browsers drop control characters and whitespace inside a scheme ("java\tscript:"), so a
    # url holding any of them is refused rather than parsed differently than the browser would.
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return candidate


def link(url: str | None, label: str, css_class: str = "") -> str:
    """An external link when ``url`` is safe, else the escaped label alone.

    Args:
        url: the target.
        label: the visible text.
        css_class: optional class attribute value.

    Returns:
        HTML.
    """
    target = safe_url(url)
    cls = f' class="{esc(css_class)}"' if css_class else ""
    if target is None:
        return f"<span{cls}>{esc(label)}</span>"
    return (
        f'<a{cls} href="{esc(target)}" target="_blank" rel="noopener noreferrer nofollow">'
        f"{esc(label)}</a>"
    )


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clip spans to ``[0, length]``, drop empty ones and merge overlaps.

    Args:
        spans: (start, end) character offsets.
        length: length of the text they index.

    Returns:
        Sorted, disjoint, non-empty spans.
    """
    clipped = sorted(
        (max(0, int(s)), min(length, int(e)))
        for s, e in spans
        if min(length, int(e)) > max(0, int(s))
    )
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark_spans(text: str, spans: Sequence[tuple[int, int]], css_class: str = "support") -> str:
    """Escape ``text`` and wrap the given spans in ``<mark>``.

    Args:
        text: raw text.
        spans: (start, end) offsets into ``text``; overlapping or out-of-range spans are fine.
        css_class: class of the ``<mark>`` elements.

    Returns:
        HTML.
    """
    return mark_layers(text, [(spans, css_class)])


def mark_layers(text: str, layers: Sequence[tuple[Sequence[tuple[int, int]], str]]) -> str:
    """Escape ``text`` and mark several kinds of span at once (they may overlap).

    Each stretch of text covered by at least one span becomes one ``<mark>`` whose classes are
    those of every layer covering it, so a supporting sentence inside a highlighted passage reads
    ``<mark class="passage support">``.

    Args:
        text: raw text.
        layers: (spans, css class) pairs.

    Returns:
        HTML.
    """
    merged = [(merge_spans(spans, len(text)), css_class) for spans, css_class in layers]
    cuts = sorted({0, len(text)} | {x for spans, _ in merged for span in spans for x in span})
    out: list[str] = []
    for start, end in pairwise(cuts):
        classes = [c for spans, c in merged if any(s <= start and end <= e for s, e in spans)]
        piece = esc(text[start:end])
        out.append(f'<mark class="{esc(" ".join(classes))}">{piece}</mark>' if classes else piece)
    return "".join(out)


def format_day(day: date | None) -> str:
    """A date as people write it ("1 May 2023"), or "date unknown"."""
    if day is None:
        return "date unknown"
    return f"{day.day} {day.strftime('%b %Y')}"
