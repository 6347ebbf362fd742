"""The conversation column: questions, answers with clickable ``[n]`` markers, abstentions.

Markers become ``<button class="cite" data-turn data-n>`` elements; a small script in
:mod:`ui.assets` brings card ``n`` of that turn into view. The sentences ``qa`` flagged as
unsupported by their cited passages (``Answer.unsupported``, offsets into the text) are wrapped in
``<span class="unsupported">`` with a visible label, so a reader sees which claims to doubt. An
abstention is said plainly, with what the search covered; the nearest coverage appears as cards in
the sources column. A complete answer's last line says what was searched, the day it is as of
(``Answer.as_of``: the "As of" box, or the newest article's date) and how it was written.

When the sources disagree (``Answer.conflicts``: a different figure, date or speaker for the
same thing), a callout under the text lists each side (the value, the outlet, the day, and its
``[n]`` marker), headed "Sources disagree", or "Later reports differ" when the sides were
published on different days; the text itself states it too.

A timeline answer (``Answer.timeline``) shows its overview line as text and its dated events as
a vertical list below it (:mod:`ui.timeline_view`).

A real short answer (``Answer.short_answer``: "Google", "41 million crowns") heads the bubble in
bold, above the cited text, so the reader gets the answer at a glance and the sentences as its
evidence. It is left out when it would only repeat the text: the extractive answerer without its
reader puts its whole first sentence there, and an answer that is nothing but the short answer
gains nothing from a second copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa import Answer, Mode
from qa.answer.citations import strip_markers
from qa.types import Conflict

from .conversation import Turn
from .html import esc, format_day
from .markers import marker_html
from .timeline_view import overview_text, timeline_list_html

__all__ = [
    "answer_text_html",
    "conflict_html",
    "marker_html",
    "mode_label",
    "render_answer",
    "render_conversation",
    "render_turn",
    "short_answer_html",
    "short_answer_shown",
]

#: A short answer of this many words or more is a sentence, not an answer to read at a glance.
SHORT_ANSWER_MAX_WORDS = 12

# How a sentence ends: a full stop, question or exclamation mark, perhaps inside quotes or
# brackets. Short answers proper (a reader's span, a model's first line) carry no full stop.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def short_answer_shown(answer: Answer) -> str:
    """The short answer to show above the answer text, or "" when there is none worth showing.

    Args:
        answer: the answer.

    Returns:
        ``answer.short_answer`` with its whitespace collapsed, or "" when the answer abstained,
        has no short answer, or the short answer is a sentence rather than a phrase: as long as
        one, or the text's own first sentence (what the extractive answerer states without its
        reader), or the whole text.
    """
    short = " ".join(answer.short_answer.split())
    if answer.abstained or not short or len(short.split()) >= SHORT_ANSWER_MAX_WORDS:
        return ""
    plain = " ".join(strip_markers(answer.text).split())
    if plain == short:
        return ""
    # A short answer that ends like a sentence and opens the text is that first sentence. The
    # reader's "Google [1]. ..." and a model's "Google" line do not match: the span has no
    # full stop of its own.
    if _SENTENCE_END.search(short) and plain.startswith(short + " "):
        return ""
    return short


def short_answer_html(answer: Answer) -> str:
    """The bold "Answer: ..." line that heads an answer bubble ("" when none is shown).

    Args:
        answer: the answer.

    Returns:
        HTML; the short answer is escaped (it is article text, or a model's reading of it).
    """
    short = short_answer_shown(answer)
    if not short:
        return ""
    return (
        '<p class="short-answer"><span class="short-answer-label">Answer:</span> '
        f'<strong class="short-answer-text">{esc(short)}</strong></p>'
    )


def mode_label(mode: Mode) -> str:
    """Words for how an answer was written (``Answer.mode``)."""
    if mode.extractive:
        return "extractive: sentences quoted from the articles"
    return f"written by {mode.llm_model}"


def _disjoint(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """``spans`` sorted, clipped to ``length`` and merged where they overlap."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(e, length)) for s, e in spans):
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def answer_text_html(answer: Answer, turn: int) -> str:
    """The answer text as HTML: markers clickable, unsupported claims marked.

    Args:
        answer: the (possibly partial) answer.
        turn: index of the turn.

    Returns:
        HTML.
    """
    text = answer.text
    numbers = {c.number for c in answer.citations}
    out: list[str] = []
    position = 0
    for start, end in _disjoint(answer.unsupported, len(text)):
        out.append(marker_html(text[position:start], turn, numbers))
        out.append(
            f'<span class="unsupported" title="No cited passage supports this">'
            f"{marker_html(text[start:end], turn, numbers)}"
            '<span class="unsupported-label">unsupported</span></span>'
        )
        position = end
    out.append(marker_html(text[position:], turn, numbers))
    return "".join(out)


def conflict_html(conflict: Conflict, turn: int, numbers: set[int]) -> str:
    """The callout of one conflict: each side's value, outlet, day and marker.

    Args:
        conflict: the conflict.
        turn: index of the turn (markers point at its cards).
        numbers: the citation numbers the answer has.

    Returns:
        HTML; values, outlets and the statement are escaped (they are article text).
    """
    head = "Later reports differ" if conflict.update else "Sources disagree"
    if conflict.kind == "speaker":
        head += " on who said it"
    rows = []
    for side in conflict.sides:
        where = " · ".join([side.outlet or "outlet unknown", format_day(side.published)])
        rows.append(
            f'<li><strong class="conflict-value">{esc(side.value)}</strong> '
            f'<span class="conflict-where">{esc(where)}</span> '
            f"{marker_html(f'[{side.citation}]', turn, numbers)}</li>"
        )
    return (
        f'<div class="conflict-callout" role="note"><p class="conflict-head">{esc(head)}</p>'
        f'<p class="conflict-thing">{esc(conflict.thing)}</p><ul>{"".join(rows)}</ul></div>'
    )


def render_answer(answer: Answer, turn: int) -> str:
    """The answer bubble of one turn.

    Args:
        answer: the answer.
        turn: index of the turn.

    Returns:
        HTML.
    """
    classes = ["bubble", "answer"]
    if answer.abstained:
        classes.append("abstained")
    if not answer.complete:
        classes.append("streaming")
    parts = [f'<div class="{" ".join(classes)}">']
    if answer.abstained:
        parts.append('<p class="abstain-head">No answer in the indexed articles</p>')
    parts.append(short_answer_html(answer))
    if answer.timeline:
        # The events as a list under the overview line (ui.timeline_view).
        overview = answer_text_html(replace(answer, text=overview_text(answer)), turn)
        parts.append(f'<div class="answer-text">{overview}</div>')
        parts.append(timeline_list_html(answer, turn))
    else:
        parts.append(f'<div class="answer-text">{answer_text_html(answer, turn)}</div>')
    numbers = {c.number for c in answer.citations}
    parts.extend(conflict_html(c, turn, numbers) for c in answer.conflicts)
    if answer.complete:
        searched = answer.filters.describe()
        origin = " (filter taken from your question)" if answer.filters.from_question else ""
        as_of = (
            f'<span class="as-of">{esc(answer.as_of.describe())}</span> · ' if answer.as_of else ""
        )
        parts.append(
            f'<p class="answer-meta">Searched {esc(searched)}{esc(origin)} · {as_of}'
            f"{esc(mode_label(answer.mode))}</p>"
        )
        if answer.unsupported:
            count = len(answer.unsupported)
            what = "1 sentence is" if count == 1 else f"{count} sentences are"
            parts.append(
                f'<p class="unsupported-note">{what} marked <em>unsupported</em>: '
                "none of the cited passages backs it up.</p>"
            )
        if answer.error:
            parts.append(f'<p class="fallback-note" role="status">{esc(answer.error)}</p>')
    parts.append("</div>")
    return "".join(parts)


def render_turn(turn: Turn, index: int) -> str:
    """One question with its answer, a pending note or a notice.

    Args:
        turn: the turn.
        index: its position in the transcript.

    Returns:
        HTML.
    """
    complete = "true" if turn.complete else "false"
    parts = [
        f'<div class="turn" data-turn="{index}" data-complete="{complete}">',
        f'<div class="bubble question"><span class="who">You</span>{esc(turn.question)}</div>',
    ]
    if turn.notice:
        parts.append(f'<div class="bubble answer notice" role="alert">{esc(turn.notice)}</div>')
    elif turn.answer is None:
        parts.append(
            '<div class="bubble answer pending">'
            '<p class="pending">Searching the articles…</p></div>'
        )
    else:
        parts.append(render_answer(turn.answer, index))
    parts.append("</div>")
    return "".join(parts)


def render_conversation(turns: Sequence[Turn], article_count: int) -> str:
    """The whole conversation column.

    Args:
        turns: the transcript.
        article_count: indexed articles, for the welcome text of an empty chat.

    Returns:
        HTML.
    """
    if not turns:
        return (
            '<div class="conversation empty"><p class="welcome">Ask a question about the '
            f"{article_count:,} indexed article{'s' if article_count != 1 else ''}. "
            "Every sentence of an answer cites the passage it comes from: click a "
            '<span class="cite-sample">[n]</span> '
            "marker to see that passage beside the answer.</p></div>"
        )
    body = "".join(render_turn(t, i) for i, t in enumerate(turns))
    return f'<div class="conversation">{body}</div>'
