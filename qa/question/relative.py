"""Relative dates in questions ("yesterday", "last week", "in the past 3 days"), resolved
against a reference day.

The reference is the day a question is asked "as of": the caller's ``as_of``, by default the
newest indexed article's publication date, so that "last week" over a corpus of last year's news
means the corpus's last week, not the calendar's. This module only says which days an expression
covers; whether it restricts the *publication* date is decided where calendar dates are read
(:mod:`qa.question.periods`): only after a publication word ("reported last week", "news from
yesterday", "articles in the past 3 days") or as the owner of one ("last week's coverage").

What each expression covers (``ref`` is the reference day; weeks run Monday to Sunday):

* "today", "yesterday", "the day before yesterday", "N days ago": that one day;
* "N weeks/months/years ago": the calendar week, month or year N before ref's;
* "last week", "previous month", "last year": the calendar one before ref's ("last month" on
  10 November is October);
* "this week", "this month", "this year": from its first day to ref (nothing after ref exists
  as of ref);
* "the past week", "the last month", "(the) past N days", "(the) last N weeks": the rolling span
  ending on ref, one unit more generous than the count ("the past 3 days" on 10 November: 7 to
  10 November), because time zones shift publication dates by a day.

"recently", "lately" and "latest" name no span, so they are not resolved: the as-of date already
keeps every later article out, and a guessed window would drop evidence that no ranking can bring
back.

Only lower-case words count: "USA Today", "Business Today" and "This Week in Tech" are names.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_COUNTS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_COUNT = r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?:day|week|month|year)s?"

#: One relative date expression (lower case only, whatever flags the caller compiles with).
RELATIVE_WORDS = (
    r"(?-i:"
    rf"(?:the\s+)?(?:past|last|previous)\s+{_COUNT}\s+{_UNIT}"
    r"|the\s+(?:past|last|previous)\s+(?:week|month|year)"
    r"|(?:last|previous|this)\s+(?:week|month|year)"
    rf"|(?:{_COUNT}|an?)\s+{_UNIT}\s+ago"
    r"|(?:the\s+)?day\s+before\s+yesterday|yesterday|today"
    r")"
)
#: :data:`RELATIVE_WORDS` standing for a time: not "the last week of October" (a week of a
#: month), nor "last year's results" (a possessive, read by the caller when it wants one).
RELATIVE = rf"{RELATIVE_WORDS}(?!\s+of\b|['’]s\b)"
_RELATIVE = re.compile(rf"(?<![\w-]){RELATIVE}(?![\w-])")

_ROLLING = re.compile(
    rf"(?:the )?(?:past|last|previous) (?P<n>{_COUNT}) (?P<unit>day|week|month|year)s?"
    r"|the (?:past|last|previous) (?P<unit1>week|month|year)"
)
_CALENDAR = re.compile(r"(?P<which>last|previous|this) (?P<unit>week|month|year)")
_AGO = re.compile(rf"(?P<n>{_COUNT}|an?) (?P<unit>day|week|month|year)s? ago")


def _count(word: str) -> int:
    if word in ("a", "an"):
        return 1
    return int(word) if word.isdigit() else _COUNTS[word]


def _months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months (the day clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _calendar_span(unit: str, ref: date, back: int) -> tuple[date, date]:
    """The calendar ``unit`` (day, week, month, year) ``back`` units before ref's own."""
    if unit == "day":
        day = ref - timedelta(days=back)
        return day, day
    if unit == "week":
        monday = ref - timedelta(days=ref.weekday() + 7 * back)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _months_before(ref.replace(day=1), back)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return date(ref.year - back, 1, 1), date(ref.year - back, 12, 31)


def _rolling_span(unit: str, ref: date, count: int) -> tuple[date, date]:
    """The ``count`` units of time up to and including ``ref``, one day more generous."""
    if unit == "day":
        return ref - timedelta(days=count), ref
    if unit == "week":
        return ref - timedelta(days=7 * count), ref
    months = count if unit == "month" else 12 * count
    return _months_before(ref, months), ref


def resolve_relative(text: str, reference: date | None = None) -> tuple[date, date] | None:
    """The first and last day a relative date expression covers (see the module docstring).

    Args:
        text: the expression alone ("last week", "the past 3 days", "yesterday"), lower case.
        reference: the day it is relative to; default today.

    Returns:
        (first, last), or None when ``text`` is not a relative date expression (or reaches
        outside the calendar).
    """
    ref = reference or date.today()
    words = " ".join(text.split())
    try:
        if words == "today":
            return ref, ref
        if words == "yesterday":
            return _calendar_span("day", ref, 1)
        if words in ("day before yesterday", "the day before yesterday"):
            return _calendar_span("day", ref, 2)
        match = _ROLLING.fullmatch(words)
        if match:
            if match["unit1"]:
                return _rolling_span(match["unit1"], ref, 1)
            return _rolling_span(match["unit"], ref, _count(match["n"]))
        match = _CALENDAR.fullmatch(words)
        if match:
            back = 0 if match["which"] == "this" else 1
            first, last = _calendar_span(match["unit"], ref, back)
            return first, min(last, ref) if back == 0 else last
        match = _AGO.fullmatch(words)
        if match:
            return _calendar_span(match["unit"], ref, _count(match["n"]))
    except (ValueError, OverflowError):  # "900 years ago" before year 1
        return None
    return None


def relative_days(text: str, reference: date | None = None) -> list[tuple[int, int, date]]:
    """The relative expressions in ``text`` that name one day ("yesterday", "3 days ago").

    Args:
        text: the text (a question or part of one).
        reference: the day they are relative to; default today.

    Returns:
        (start, end, day) for each, in order of appearance.
    """
    out = []
    for match in _RELATIVE.finditer(text):
        span = resolve_relative(match.group(0), reference)
        if span is not None and span[0] == span[1]:
            out.append((match.start(), match.end(), span[0]))
    return out
