"""The sources column and the article view.

Only cited passages get a card: the card of ``[n]`` shows the article's title (a link when its
url is http/https), outlet, date and the passage with the supporting sentence(s) highlighted,
and under it "Also in:" the other outlets whose copy of the article carries the same passage
(each a link to its copy).
Each turn has its own group of cards; the latest is shown, and clicking a marker of an older
answer switches to that answer's group (see :mod:`ui.assets`). An abstention shows its nearest
coverage instead, labelled as such, so it is never mistaken for evidence.

Under the passage, each supporting sentence says how many outlets report it ("Reported by 3
outlets", :meth:`qa.Citation.outlets_for`): a ``<details>`` element whose summary is the badge
and whose body lists the other outlets' articles (title, link, date) and the sentence each
states it in, so the reader can check the agreement; the badge's tooltip names the outlets.

"Show article" buttons carry the article id and the offsets to highlight as data attributes;
the app looks the article up by id in the store and marks the passage in the full text.
"""

from __future__ import annotations

from collections.abc import Sequence

from index import ArticleInfo
from qa import Citation, Passage
from qa.types import Report

from .conversation import Turn
from .html import esc, format_day, link, mark_layers, mark_spans


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _meta_line(source: str, published, author: str = "") -> str:
    parts = [source or "outlet unknown", format_day(published)]
    if author:
        parts.append(f"by {author}")
    return esc(" · ".join(parts))


def _show_button(passage: Passage, spans: Sequence[tuple[int, int]]) -> str:
    marks = ";".join(f"{passage.start + s}-{passage.start + e}" for s, e in spans)
    return (
        f'<button type="button" class="show-article" data-article="{esc(passage.article_id)}" '
        f'data-start="{passage.start}" data-end="{passage.end}" data-marks="{esc(marks)}">'
        "Show article</button>"
    )


def _report_item(report: Report) -> str:
    sentence = _clip(" ".join(report.sentence.split()), 220)
    return (
        f'<li class="report">{link(report.url, report.title, "report-title")} '
        f'<span class="card-meta">{_meta_line(report.outlet, report.published)}</span>'
        f'<q class="report-sentence">{esc(sentence)}</q></li>'
    )


def render_reported_by(citation: Citation) -> str:
    """The "Reported by N outlets" badge of each supporting sentence of a citation, with the
    other outlets' reports listed when opened ("" for a citation without highlights).

    Args:
        citation: the citation.

    Returns:
        HTML.
    """
    several = len(citation.highlights) > 1
    blocks = []
    for span in citation.highlights:
        outlets = citation.outlets_for(span)
        count = len(outlets)
        reports = [r for r in citation.corroborated_by if r.statement == span]
        label = f"Reported by {count} outlet{'s' if count != 1 else ''}"
        quote = ""
        if several:
            start, end = span
            sentence = " ".join(citation.passage.text[start:end].split())
            quote = f' <span class="reported-statement">“{esc(_clip(sentence, 60))}”</span>'
        if reports:
            body = "<ul>" + "".join(_report_item(r) for r in reports) + "</ul>"
        else:
            body = (
                '<p class="sources-note">No other outlet among the articles searched says this.</p>'
            )
        kind = "many" if count > 1 else "one"
        blocks.append(
            f'<details class="reported-by {kind}" data-outlets="{count}">'
            f'<summary title="{esc(", ".join(outlets))}"><span class="reported-badge">'
            f"{esc(label)}</span>{quote}</summary>{body}</details>"
        )
    return "".join(blocks)


def _also_in(passage: Passage) -> str:
    """The "Also in: outlet, outlet" line of a passage shown once for several copies."""
    if not passage.also_in:
        return ""
    links = []
    for copy in passage.also_in:
        label = copy.source or copy.title or "another article"
        if copy.published and copy.published != passage.published:
            label += f" ({format_day(copy.published)})"
        links.append(link(copy.url, label, "also-in-link"))
    return f'<div class="also-in">Also in: {", ".join(links)}</div>'


def render_card(citation: Citation, turn: int) -> str:
    """The card of one citation.

    Args:
        citation: the citation (its passage and highlight spans).
        turn: index of the turn it belongs to.

    Returns:
        HTML.
    """
    p = citation.passage
    return (
        f'<div class="card" id="src-{turn}-{citation.number}" data-turn="{turn}" '
        f'data-n="{citation.number}">'
        f'<div class="card-head"><span class="card-num">[{citation.number}]</span>'
        f"{link(p.url, p.title, 'card-title')}</div>"
        f'<div class="card-meta">{_meta_line(p.source, p.published)}</div>'
        f'<blockquote class="passage">{mark_spans(p.text, citation.highlights)}</blockquote>'
        f"{render_reported_by(citation)}"
        f"{_also_in(p)}{_show_button(p, citation.highlights)}</div>"
    )


def render_nearest(passage: Passage, turn: int, position: int) -> str:
    """A card for nearest coverage of an abstention (not evidence: no number, no highlight)."""
    return (
        f'<div class="card nearest" id="near-{turn}-{position}">'
        f'<div class="card-head">{link(passage.url, passage.title, "card-title")}</div>'
        f'<div class="card-meta">{_meta_line(passage.source, passage.published)}</div>'
        f'<blockquote class="passage">{esc(passage.text)}</blockquote>'
        f"{_show_button(passage, ())}</div>"
    )


def _group(turn: Turn, index: int, active: bool) -> str:
    answer = turn.answer
    if answer is None:
        body = '<p class="sources-note">Looking for passages…</p>'
    elif answer.abstained and answer.nearest:
        body = (
            '<p class="sources-note">Nothing found answers this. '
            "Closest coverage (not evidence):</p>"
        )
        body += "".join(render_nearest(p, index, i) for i, p in enumerate(answer.nearest))
    elif answer.abstained:
        body = '<p class="sources-note">No article matched the search.</p>'
    elif answer.citations:
        body = "".join(render_card(c, index) for c in answer.citations)
    else:
        body = '<p class="sources-note">No sources cited yet…</p>'
    state = " active" if active else ""
    head = f'<p class="group-head">Sources for “{esc(_clip(turn.question))}”</p>'
    return f'<section class="source-group{state}" data-turn="{index}">{head}{body}</section>'


def render_sources(turns: Sequence[Turn]) -> str:
    """The sources column: one group of cards per turn, the latest one visible.

    Args:
        turns: the transcript.

    Returns:
        HTML.
    """
    shown = [i for i, t in enumerate(turns) if not t.notice]
    if not shown:
        return (
            '<div class="sources empty"><p class="sources-note">Sources appear here: only the '
            "passages an answer actually cites, with the supporting sentence highlighted.</p></div>"
        )
    groups = "".join(_group(turns[i], i, i == shown[-1]) for i in shown)
    return f'<div class="sources">{groups}</div>'


def parse_marks(raw: str, limit: int = 64) -> list[tuple[int, int]]:
    """Spans from a ``data-marks`` value ("10-40;52-90"); malformed parts are ignored.

    The value comes back from the browser, so it is parsed defensively and capped.
    """
    spans: list[tuple[int, int]] = []
    for part in str(raw or "").split(";")[:limit]:
        start, sep, end = part.partition("-")
        if sep and start.strip().isdigit() and end.strip().isdigit():
            spans.append((int(start), int(end)))
    return spans


def render_article(
    info: ArticleInfo,
    text: str,
    passage: tuple[int, int] | None,
    support: Sequence[tuple[int, int]] = (),
) -> str:
    """The whole article in an overlay, the cited passage highlighted.

    Args:
        info: the article's metadata.
        text: its full text.
        passage: (start, end) of the cited passage in ``text``, or None.
        support: spans of supporting sentences in ``text``.

    Returns:
        HTML.
    """
    layers = [([passage] if passage else [], "passage"), (support, "support")]
    return (
        '<div class="article-overlay" role="dialog" aria-modal="true" aria-label="Article">'
        '<div class="article-panel">'
        '<button type="button" class="close-article" aria-label="Close article">Close ✕</button>'
        f'<h2 class="article-title">{link(info.url, info.title)}</h2>'
        f'<p class="card-meta">{_meta_line(info.source, info.published, info.author)}</p>'
        f'<div class="article-text">{mark_layers(text, layers)}</div>'
        "</div></div>"
    )


def render_missing_article(article_id: str) -> str:
    """The overlay for an article that is no longer indexed."""
    return (
        '<div class="article-overlay" role="dialog" aria-modal="true" aria-label="Article">'
        '<div class="article-panel">'
        '<button type="button" class="close-article" aria-label="Close article">Close ✕</button>'
        f'<p class="sources-note">The article {esc(article_id)} is no longer in the index.</p>'
        "</div></div>"
    )
