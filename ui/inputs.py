"""Parsing what people type into the filter controls.

Dates are read with the index's own date parser, so "2023-10-01", "1 Oct 2023" and "Oct 1, 2023"
all work; anything else is refused with a message saying what was not understood instead of
being silently ignored (a filter the user believes is active but is not would mislead).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from index.dates import parse_date
from qa import Filters


class FilterInputError(ValueError):
    """A filter value could not be understood; the message is shown to the user."""


def parse_day(value: object, label: str) -> date | None:
    """A date typed in a filter box.

    Args:
        value: the box's value (a string, a datetime, a timestamp or empty).
        label: the box's name, for the error message.

    Returns:
        The date, or None when the box is empty.

    Raises:
        FilterInputError: the value is not a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_date(value)
    if day is None:
        raise FilterInputError(
            f"The {label} date {str(value)[:40]!r} is not a date; use YYYY-MM-DD."
        )
    return day


def parse_as_of(value: object, since: object = None) -> date | None:
    """The "As of" box: answer as of this day (empty: the newest article's date).

    Args:
        value: the box's value.
        since: the "from" box, which must not be later.

    Returns:
        The date, or None when the box is empty.

    Raises:
        FilterInputError: the value is not a date, or it is before the "from" date.
    """
    day = parse_day(value, "as-of")
    start = parse_day(since, "from")
    if day and start and start > day:
        raise FilterInputError(
            f"Nothing to search: 'from' ({start.isoformat()}) is after 'as of' ({day.isoformat()})."
        )
    return day


def parse_filters(since: object, until: object, sources: Sequence[str] | str | None) -> Filters:
    """The filter controls' values as :class:`qa.Filters` for the next question.

    Raises:
        FilterInputError: a date is unreadable, or the range is empty.
    """
    start = parse_day(since, "from")
    end = parse_day(until, "to")
    if start and end and start > end:
        raise FilterInputError(
            f"The date range is empty: 'from' ({start.isoformat()}) is after "
            f"'to' ({end.isoformat()})."
        )
    if isinstance(sources, str):
        sources = [sources]
    outlets = tuple(s for s in (sources or ()) if s)
    return Filters(start, end, outlets or None)
