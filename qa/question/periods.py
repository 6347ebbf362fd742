"""Dates and publication periods written in questions.

Two different things are parsed here:

* :func:`find_dates`: every calendar date a question names ("October 7, 2023", "7 Oct",
  "2023-10-07"). Most date an *event* ("the checkpoint set up on April 23"), so they are only
  hints (a clause's date focuses that clause's search, see :mod:`qa.question.decompose`).
* :func:`find_periods`: spans of time stated as the *publication* date of the articles wanted:
  the date expression must follow a publication word ("published on October 7", "articles from
  November 2023", "reported between 1 and 15 November", "coverage since October 10", "stories
  published before December", "reported last week", "news from yesterday", "articles in the
  past 3 days"), or owns one ("last week's coverage", "yesterday's news"). Only these can
  become filters.

Both read relative dates too (:mod:`qa.question.relative`): :func:`find_dates` the ones that
name a single day ("yesterday", "3 days ago"), :func:`find_periods` any after a publication
word. A bare "last week" ("Who won the match last week?") dates an event and, naming no one
day, is left to the words of the question.

Everything is resolved against the reference date: the day the question is asked as of (the
caller's ``as_of``, by default the newest article of the index). A date without a year takes the
latest such day not after it, so "in November" means the November the corpus has, and
"yesterday" the day before it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .relative import RELATIVE, RELATIVE_WORDS, relative_days, resolve_relative

#: Month names and abbreviations, lower case, to their numbers ("sept" too).
MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTH_NUMBERS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTH_NUMBERS["sept"] = 9
#: A month name or abbreviation (case as written; callers choose the flags).
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"

_FULL_DATE = re.compile(rf"\b({MONTH})\s+({_DAY})\b(?:,?\s+({_YEAR})\b)?", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b({_DAY})\s+(?:of\s+)?({MONTH})(?:,?\s+({_YEAR})\b)?", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# One point or span of time: a relative date ("last week", first: "2000 days ago" is not the
# year 2000), a full date, a day and month, an ISO date, a month (optionally "early"/"mid"/"late"
# and a year), or a year.
_WHEN = (
    rf"(?:{RELATIVE}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|{MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
    rf"|{_DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{_YEAR})?"
    rf"|(?:(?:early|mid|late)[\s-]+)?{MONTH}(?:\s+{_YEAR})?"
    rf"|{_YEAR})"
)
_PUBLISHED = (
    r"(?:publish(?:ed)?|post(?:ed)?|report(?:ed|s)?|released|written|wr[oi]te|dated|appeared|ran|"
    r"covered|articles?|stories|story|coverage|news|pieces?|headlines)"
)
_PERIOD = re.compile(
    rf"\b{_PUBLISHED}\s+(?:(?:that\s+)?(?:were|was)\s+)?(?:published\s+|posted\s+)?"
    rf"(?P<rel>on|in|during|from|of|between|since|after|before|until|till|through|by|over|within|"
    rf"prior\s+to|up\s+to)?\s*"
    rf"(?:the\s+(?:start|beginning|end)\s+of\s+)?"
    rf"(?P<a>{_WHEN})"
    rf"(?:\s*(?:and|to|until|through|-|–)\s*(?P<b>{_WHEN}))?(?![\w-])",
    re.IGNORECASE,
)

# "last week's coverage", "yesterday's news": the relative date owns the articles.
_OWNED = re.compile(
    rf"(?<![\w-])(?P<a>{RELATIVE_WORDS})['’]s\s+"
    r"(?:news|articles?|stories|story|coverage|reports?|reporting|headlines|pieces?|papers?)\b",
    re.IGNORECASE,
)

# "published between 1 and 15 November", "articles from November 1-15, 2023".
_DAY_RANGE = re.compile(
    rf"\b{_PUBLISHED}\s+(?:published\s+)?(?:on|in|from|between|during)?\s*"
    rf"(?:(?P<d1>{_DAY})\s*(?:and|to|-|–)\s*(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m1>{MONTH})"
    rf"|(?P<m2>{MONTH})\s+(?P<d3>{_DAY})\s*(?:and|to|-|–)\s*(?P<d4>{_DAY}))"
    rf"(?:,?\s+(?P<y>{_YEAR}))?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """A publication period a question states.

    Attributes:
        since: first day (inclusive), or None for open.
        until: last day (inclusive), or None for open.
        text: the words it was read from.
    """

    since: date | None
    until: date | None
    text: str


def _year_for(month: int, day: int, explicit: str | None, reference: date | None) -> int:
    if explicit:
        return int(explicit)
    ref = reference or date.today()
    return ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1


def _day(value: str) -> int:
    return int(re.match(r"\d+", value).group(0))  # type: ignore[union-attr]


def find_dates(question: str, reference: date | None = None) -> tuple[date, ...]:
    """Calendar dates in ``question`` ("October 7, 2023", "7 Oct", "2023-10-07", and the single
    days of relative dates: "yesterday", "3 days ago"), in order.

    Args:
        question: the text.
        reference: "today", for dates without a year and relative dates (default: today).

    Returns:
        Distinct valid dates in order of appearance.
    """
    found: list[tuple[int, date]] = [(s, day) for s, _, day in relative_days(question, reference)]
    for match in _ISO_DATE.finditer(question):
        try:
            found.append((match.start(), date(int(match[1]), int(match[2]), int(match[3]))))
        except ValueError:
            pass
    for pattern, month_group, day_group in ((_FULL_DATE, 1, 2), (_DAY_MONTH, 2, 1)):
        for match in pattern.finditer(question):
            month = MONTH_NUMBERS[match[month_group].lower().rstrip(".")]
            day = _day(match[day_group])
            try:
                found.append(
                    (match.start(), date(_year_for(month, day, match[3], reference), month, day))
                )
            except ValueError:
                pass
    found.sort()
    return tuple(dict.fromkeys(d for _, d in found))


def date_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the dates :func:`find_dates` reads in ``text`` (which may hold commas:
    "Oct 7, 2023")."""
    spans = [m.span() for p in (_ISO_DATE, _FULL_DATE, _DAY_MONTH) for m in p.finditer(text)]
    spans += [(start, end) for start, end, _ in relative_days(text)]
    return sorted(spans)


def parse_when(text: str, reference: date | None = None) -> tuple[date, date] | None:
    """The first and last day of one date expression ("October 7, 2023", "late November",
    "2023", "last week", "the past 3 days").

    Args:
        text: the expression alone.
        reference: "today", for dates without a year and relative dates (default: today).

    Returns:
        (first, last), or None when ``text`` is not a date expression.
    """
    text = text.strip()
    relative = resolve_relative(text, reference)
    if relative is not None:
        return relative
    dates = find_dates(text, reference)
    if dates:
        return dates[0], dates[0]
    match = re.fullmatch(
        rf"(?:(early|mid|late)[\s-]+)?({MONTH})(?:\s+({_YEAR}))?", text, re.IGNORECASE
    )
    if match:
        month = MONTH_NUMBERS[match[2].lower().rstrip(".")]
        year = int(match[3]) if match[3] else _year_for(month, 1, None, reference)
        last = calendar.monthrange(year, month)[1]
        first_day, last_day = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}.get(
            (match[1] or "").lower(), (1, last)
        )
        return date(year, month, first_day), date(year, month, last_day)
    if re.fullmatch(_YEAR, text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    return None


def find_periods(question: str, reference: date | None = None) -> list[Period]:
    """Publication periods stated in ``question`` ("published on October 7", "articles from
    November", "reported between 1 and 15 November", "published after October 10", "reported
    last week", "yesterday's news").

    Args:
        question: the question.
        reference: "today", for dates without a year and relative dates (default: today).

    Returns:
        The periods in order of appearance (a bare date far from a publication word is not one).
    """
    # Relative words are matched in lower case only ("USA Today" names no day), so a question
    # opening with one ("Yesterday's news ...", "Last week's coverage ...") is read in lower case.
    question = question[:1].lower() + question[1:]
    out: list[Period] = []
    taken: list[tuple[int, int]] = []
    for match in _DAY_RANGE.finditer(question):
        month = MONTH_NUMBERS[(match["m1"] or match["m2"]).lower().rstrip(".")]
        low, high = (match["d1"], match["d2"]) if match["m1"] else (match["d3"], match["d4"])
        year = int(match["y"]) if match["y"] else _year_for(month, _day(low), None, reference)
        try:
            since, until = date(year, month, _day(low)), date(year, month, _day(high))
        except ValueError:
            continue
        if since <= until:
            out.append(Period(since, until, match.group(0)))
            taken.append(match.span())
    for match in _PERIOD.finditer(question):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        first = parse_when(match["a"], reference)
        if first is None:
            continue
        second = parse_when(match["b"], reference) if match["b"] else None
        relation = " ".join((match["rel"] or "").lower().split())
        since, until = first
        if second is not None:
            until = second[1]
            if until < since:
                continue
        elif relation in ("since",):
            until = None
        elif relation == "after":
            since, until = first[1] + timedelta(days=1), None
        elif relation in ("before", "prior to"):
            since, until = None, first[0] - timedelta(days=1)
        elif relation in ("until", "till", "through", "up to", "by"):
            since, until = None, first[1]
        out.append(Period(since, until, match.group(0)))
        taken.append(match.span())
    for match in _OWNED.finditer(question):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        span = resolve_relative(match["a"], reference)
        if span is not None:
            out.append(Period(span[0], span[1], match.group(0)))
    return sorted(out, key=lambda p: question.find(p.text))


def widen(day: date, days: int = 1) -> tuple[date, date]:
    """A date range of ``days`` either side of ``day`` (time zones shift publication dates)."""
    return day - timedelta(days=days), day + timedelta(days=days)
