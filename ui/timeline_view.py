"""The timeline view: a timeline answer's dated events as a vertical list in the answer bubble.

A timeline answer (``Answer.timeline``, :mod:`qa.answer.timeline`) holds its events oldest
first; its text is one line of overview (a count, or the model's summary) followed by one line
per event. The bubble shows the overview as text and the events as an ordered list: each item
its date (a ``<time>`` element; "date of the report" beside it when the article's publication
date stands in for a date the text does not give), the event's sentence and its ``[n]``
button, which brings the source card into view like the markers in the text. Every sentence
comes from an article and is escaped.
"""

from __future__ import annotations

from qa import Answer
from qa.answer.timeline import timeline_lines

from .html import esc
from .markers import marker_html

__all__ = ["PUBLISHED_NOTE", "overview_text", "timeline_list_html"]

#: Said beside a date that is the article's publication date, not a date the text states.
PUBLISHED_NOTE = "date of the report"


def overview_text(answer: Answer) -> str:
    """The text of a timeline answer without its event lines (the overview line; the whole
    text while a model's overview streams in, before the events are appended)."""
    listing = "\n".join(timeline_lines(answer.timeline))
    if listing and answer.text.endswith(listing):
        return answer.text[: len(answer.text) - len(listing)].rstrip("\n")
    return answer.text


def timeline_list_html(answer: Answer, turn: int) -> str:
    """The events of a timeline answer as a list.

    Args:
        answer: an answer with a non-empty ``timeline``.
        turn: index of the turn (the ``[n]`` buttons point at its source cards).

    Returns:
        HTML: ``<ol class="timeline">``, one ``<li class="timeline-event">`` per event, oldest
        first.
    """
    numbers = {c.number for c in answer.citations}
    items = []
    for event in answer.timeline:
        published = event.date_source == "published"
        note = (
            f'<span class="timeline-note" title="The article does not date this event; this '
            f'is the day it was published">{PUBLISHED_NOTE}</span>'
            if published
            else ""
        )
        # The heading a list files the entry under names its subject; it is not the quote.
        heading = (
            f'<span class="timeline-heading">{esc(event.heading)}</span> — '
            if event.heading
            else ""
        )
        items.append(
            f'<li class="timeline-event" data-date-source="{esc(event.date_source)}">'
            f'<div class="timeline-when"><time class="timeline-date" '
            f'datetime="{esc(event.day.isoformat())}">{esc(event.label)}</time>{note}</div>'
            f'<div class="timeline-text">{heading}{esc(event.text)} '
            f"{marker_html(f'[{event.citation}]', turn, numbers)}</div></li>"
        )
    return f'<ol class="timeline" aria-label="Timeline, oldest first">{"".join(items)}</ol>'
