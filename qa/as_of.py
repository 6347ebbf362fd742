"""The as-of date: answer a question as it would have been answered on a given day.

``ask(question, as_of=day)`` searches only articles published on or before ``day`` and resolves
the question's relative dates ("yesterday", "last week", "this year") against it. Without one,
the reference day is the newest indexed article's publication date, which keeps no article out
but still gives "last week" a meaning that fits the corpus (a corpus of last year's news asked
about "last week" means its own last week, not the calendar's).

How it combines with the other date restrictions: the as-of date is the latest day any search
may see, so it caps an explicit ``until`` and a period the question names ("published in
December" as of 10 November reads the December before, and a period reaching past the as-of
date is cut at it); ``since`` is kept. The cap shows as ``Answer.filters.until``, and
``Answer.as_of`` says which day was used and whether the caller chose it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from index.errors import QuestionError

from .types import AsOf

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_as_of(value: object) -> date | None:
    """An ``as_of`` option as a date.

    Args:
        value: a :class:`datetime.date`, a :class:`datetime.datetime` (its date is used, in its
            own time zone), an ISO string ``"YYYY-MM-DD"``, or None (no as-of date).

    Returns:
        The date, or None.

    Raises:
        TypeError: ``value`` is of another type.
        QuestionError: a string that is not an ISO date of a real day.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"as_of must be a date, a datetime or a 'YYYY-MM-DD' string, got {type(value).__name__}"
        )
    text = value.strip()
    if _ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise QuestionError(f"as_of: {value[:40]!r} is not a date; use YYYY-MM-DD (e.g. 2023-11-10)")


def reference_day(as_of: date | None, newest: date | None) -> AsOf:
    """The day a question is asked as of.

    Args:
        as_of: the day the caller chose, or None.
        newest: the newest indexed article's publication date, or None when none has a date.

    Returns:
        ``as_of`` marked as given; else the newest article's date (today when there is none).
    """
    if as_of is not None:
        return AsOf(as_of, given=True)
    return AsOf(newest or date.today(), given=False)


def cap_until(until: date | None, as_of: AsOf) -> date | None:
    """The latest publication day a search may see: ``until`` capped at a given as-of date.

    Args:
        until: the latest day asked for (explicitly, or by the question), or None.
        as_of: the reference day; a default one caps nothing.

    Returns:
        ``min(until, as_of.day)`` when the as-of date was given, else ``until``.
    """
    if not as_of.given:
        return until
    return as_of.day if until is None or until > as_of.day else until
