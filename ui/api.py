"""The app's one HTTP endpoint for programs: ``/ask`` returns an answer as data, not HTML.

The page's own events (chat updates, filter summaries, uploads) are private to the page; a
program calls ``/ask`` and gets a JSON-able dict (see :func:`answer_to_dict`), with every
citation's passage text a verbatim slice ``article_text[start:end]`` of an indexed article.

Inputs are checked before any search: the question must be a non-empty string within
``NEWSQA_MAX_QUESTION_CHARS`` (``qa`` checks that), dates must be ISO ``YYYY-MM-DD`` or empty
(only that form: a program should not depend on how a fuzzy parser reads "04/05/2023"), and
``sources`` a list of outlet names. A refused input raises :class:`gradio.Error` with a message
naming the field, which the Gradio clients pass on to the caller.

This module deliberately does not use ``from __future__ import annotations``: ``gr.api`` reads
the endpoint's type hints at run time to describe its inputs and output.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import gradio as gr

from index import NewsqaError
from qa import Answer, Answerer, Passage

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

API_DESCRIPTION = (
    "Answer a question from the indexed news articles. Inputs: question; since and until as "
    "YYYY-MM-DD dates or empty; sources, a list of outlet names (empty: all); as_of, a "
    "YYYY-MM-DD date to answer as of (only articles published by then; relative dates in the "
    "question read against it) or empty for the newest article's date. Returns the answer "
    "as a dict: text with [n] markers, short_answer, abstained, filters, as_of, mode, citations "
    "(each with title, source, published, url, the verbatim passage text with its offsets, and "
    "the outlets reporting it), conflicts (sources giving different values for the same thing) "
    "and, for a timeline question, timeline (dated events, oldest first, each with its citation)."
)


class APIInputError(ValueError):
    """An ``/ask`` input that cannot be used; the message names the field."""


def parse_iso_day(value: object, field: str) -> date | None:
    """An optional ISO date input.

    Args:
        value: "YYYY-MM-DD", "" or None.
        field: the input's name, for the error message.

    Returns:
        The date, or None when empty.

    Raises:
        APIInputError: anything else (another format, an impossible day, not a string).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise APIInputError(
        f"{field}: {str(value)[:40]!r} is not a date; use YYYY-MM-DD or leave it empty"
    )


def parse_sources(value: object) -> tuple[str, ...] | None:
    """The ``sources`` input: a list of outlet names (None or empty: all outlets).

    Raises:
        APIInputError: not a list of strings.
    """
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise APIInputError(f"sources: expected a list of outlet names, got {type(value).__name__}")
    if not all(isinstance(item, str) for item in value):
        raise APIInputError("sources: every outlet name must be a string")
    names = tuple(name.strip() for name in value if name.strip())
    return names or None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def passage_to_dict(passage: Passage) -> dict[str, Any]:
    """A passage's source and text as JSON-able data (dates as ISO strings).

    Args:
        passage: the passage.

    Returns:
        ``article_id``, ``title``, ``source``, ``published`` ("YYYY-MM-DD" or None), ``url``,
        ``text`` (``article_text[start:end]``), ``start``, ``end``, ``story_id`` (shared by the
        articles about one event; "" when unknown) and ``also_in``: the other articles that
        carry the same passage (copies), each with ``article_id``, ``title``, ``source``,
        ``published`` and ``url``.
    """
    return {
        "article_id": passage.article_id,
        "title": passage.title,
        "source": passage.source,
        "published": _day(passage.published),
        "url": passage.url,
        "text": passage.text,
        "start": passage.start,
        "end": passage.end,
        "story_id": passage.story_id,
        "also_in": [
            {
                "article_id": copy.article_id,
                "title": copy.title,
                "source": copy.source,
                "published": _day(copy.published),
                "url": copy.url,
            }
            for copy in passage.also_in
        ],
    }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """An answer as JSON-able data: what ``/ask`` returns.

    Args:
        answer: a complete answer.

    Returns:
        ``question`` (as searched), ``text`` (with ``[n]`` markers), ``short_answer``,
        ``abstained``, ``abstain_reason``, ``filters`` (``since``, ``until``, ``sources``,
        ``from_question``), ``as_of`` (``date``, "YYYY-MM-DD", and ``given``, False when it is
        the newest article's date; None when nothing was searched), ``mode`` ("extractive" or
        "llm:<model>"), ``unsupported`` (the ``[start, end]`` spans of ``text`` that no cited
        passage backs),
        ``error`` (why an LLM answer fell back, or None), ``citations`` (each
        :func:`passage_to_dict` plus ``number``, ``highlights`` (the ``[start, end]`` spans
        of the supporting sentences inside ``text``), ``reported_by`` and ``outlets`` (the
        outlets reporting what it is cited for) and ``corroborated_by`` (the other outlets'
        reports: ``outlet``, ``title``, ``published``, ``url``, ``article_id``, ``sentence``,
        ``start``, ``end`` in that article, and ``statement``, the highlight it reports)),
        ``conflicts`` (each ``thing``, ``kind``, ``update`` and ``sides``: ``value``,
        ``outlet``, ``published``, ``citation``, ``sentence``), ``nearest`` (when
        abstaining, the closest passages found) and ``timeline`` (for a timeline question, its
        events oldest first: ``date`` "YYYY-MM-DD", ``label``, ``precision``, ``date_source``
        "text" or "published", ``date_text``, ``heading`` (a list's heading naming the
        subject, or ""), ``text`` and ``citation``, the number of its citation; empty
        otherwise).
    """
    filters = answer.filters
    return {
        "question": answer.question,
        "text": answer.text,
        "short_answer": answer.short_answer,
        "abstained": answer.abstained,
        "abstain_reason": answer.abstain_reason,
        "filters": {
            "since": _day(filters.since),
            "until": _day(filters.until),
            "sources": list(filters.sources) if filters.sources else None,
            "from_question": filters.from_question,
        },
        "as_of": (
            {"date": answer.as_of.day.isoformat(), "given": answer.as_of.given}
            if answer.as_of
            else None
        ),
        "mode": str(answer.mode),
        "unsupported": [[start, end] for start, end in answer.unsupported],
        "error": answer.error,
        "citations": [
            {
                "number": citation.number,
                **passage_to_dict(citation.passage),
                "highlights": [[start, end] for start, end in citation.highlights],
                "reported_by": citation.reported_by,
                "outlets": list(citation.outlets),
                "corroborated_by": [
                    {
                        "outlet": r.outlet,
                        "title": r.title,
                        "published": _day(r.published),
                        "url": r.url,
                        "article_id": r.article_id,
                        "sentence": r.sentence,
                        "start": r.start,
                        "end": r.end,
                        "statement": list(r.statement),
                    }
                    for r in citation.corroborated_by
                ],
            }
            for citation in answer.citations
        ],
        "conflicts": [
            {
                "thing": conflict.thing,
                "kind": conflict.kind,
                "update": conflict.update,
                "sides": [
                    {
                        "value": side.value,
                        "outlet": side.outlet,
                        "published": _day(side.published),
                        "citation": side.citation,
                        "sentence": side.sentence,
                    }
                    for side in conflict.sides
                ],
            }
            for conflict in answer.conflicts
        ],
        "nearest": [passage_to_dict(passage) for passage in answer.nearest],
        "timeline": [
            {
                "date": event.day.isoformat(),
                "label": event.label,
                "precision": event.precision,
                "date_source": event.date_source,
                "date_text": event.date_text,
                "heading": event.heading,
                "text": event.text,
                "citation": event.citation,
            }
            for event in answer.timeline
        ],
    }


class AskEndpoint:
    """The ``/ask`` endpoint over one answerer (register it with ``gr.api``).

    Args:
        answerer: the answerer.
    """

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def answer(
        self,
        question: str,
        since: str | None = None,
        until: str | None = None,
        sources: list[str] | None = None,
        as_of: str | None = None,
    ) -> Answer:
        """Check the inputs and answer (no Gradio involved: the testable part of :meth:`ask`).

        Raises:
            APIInputError: an input is unusable (the message names it).
            NewsqaError: the question is too long, or the index failed.
        """
        if not isinstance(question, str):
            raise APIInputError(f"question: expected a string, got {type(question).__name__}")
        if not question.strip():
            raise APIInputError("question: please type a question")
        start = parse_iso_day(since, "since")
        end = parse_iso_day(until, "until")
        if start and end and start > end:
            raise APIInputError(
                f"since ({start.isoformat()}) is after until ({end.isoformat()}): "
                "no day is in that range"
            )
        day = parse_iso_day(as_of, "as_of")
        if start and day and start > day:
            raise APIInputError(
                f"since ({start.isoformat()}) is after as_of ({day.isoformat()}): "
                "no article is that old and that new"
            )
        return self.answerer.ask(
            question, since=start, until=end, sources=parse_sources(sources), as_of=day
        )

    def ask(
        self,
        question: str,
        since: str | None = None,
        until: str | None = None,
        sources: list[str] | None = None,
        as_of: str | None = None,
    ) -> dict[str, Any]:
        """Answer ``question`` from the indexed articles, as data.

        Args:
            question: the question.
            since: earliest publication date, "YYYY-MM-DD", or empty.
            until: latest publication date, "YYYY-MM-DD", or empty.
            sources: outlet names to search (empty: all).
            as_of: answer as of this day, "YYYY-MM-DD", or empty (the newest article's date).

        Returns:
            :func:`answer_to_dict` of the answer.

        Raises:
            gradio.Error: an input was refused or the index failed; the message says why.
        """
        try:
            return answer_to_dict(self.answer(question, since, until, sources, as_of))
        except (APIInputError, NewsqaError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None
