"""Question analysis: outlets, dates and periods named in a question.

"What did The Verge report in October 2023 about ..." names an outlet and a period. The analysis
finds them (outlets by matching the names of the indexed outlets, dates and months by pattern) and
decides which become hard filters:

* a period stated as the scope of the question ("in October 2023", "between 1 and 15 November",
  "published on October 7, 2023") restricts the search when the question is not comparing
  events across time;
* outlets are used for one sub-query each (so every named outlet contributes evidence) rather
  than as a hard filter, because multi-outlet questions need all of them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"

_FULL_DATE = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(\d{{4}}))?", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(rf"\b(?:in|during|of|throughout)\s+(?:early\s+|late\s+|mid-?)?{_MONTH_RE}(?:\s+(\d{{4}}))?(?!\s+\d)", re.I)
_COMPARATIVE = re.compile(
    r"\b(before|after|later|earlier|prior|subsequent(?:ly)?|then|since|until|following|preceding|previous|compared?|comparison|both|while|whereas|change[ds]?|consistent|agree)\b",
    re.I,
)
# Dates in a question usually date the event ("set up a checkpoint on April 23"), not the
# article; only a question that talks about publication turns a date into a filter.
_PUBLICATION = re.compile(r"\b(published|publish|reported|articles?|coverage|news|stories|story|wrote|posted)\b", re.I)
_LATEST = re.compile(r"\b(latest|most recent|newest|recently)\b", re.I)


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question says about where to look.

    Attributes:
        outlets: indexed outlet names the question mentions, in order of mention.
        dates: specific dates mentioned.
        since: start of a period the question is scoped to (hard filter), or None.
        until: end of that period, or None.
        comparative: the question relates several events or reports (before/after, both ...).
        wants_latest: the question asks for the most recent coverage.
    """

    outlets: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()
    since: date | None = None
    until: date | None = None
    comparative: bool = False
    wants_latest: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)


def outlet_aliases(source: str) -> list[str]:
    """Names a question may use for an outlet: the full name and its part before ' | ' or ' - '."""
    names = {source.strip()}
    for sep in (" | ", " - ", ": "):
        if sep in source:
            names.add(source.split(sep)[0].strip())
    lowered = {n for n in names if len(n) >= 3}
    return sorted(lowered, key=len, reverse=True)


def find_outlets(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """Indexed outlets named in ``question`` (by full name or short name), in order of mention."""
    found: list[tuple[int, str]] = []
    for source in sources:
        for alias in outlet_aliases(source):
            pattern = r"(?<![\w])" + re.escape(alias) + r"(?![\w])"
            flags = 0 if alias.isupper() and len(alias) <= 4 else re.I
            match = re.search(pattern, question, flags)
            if match:
                found.append((match.start(), source))
                break
    found.sort()
    seen: list[str] = []
    for _, source in found:
        if source not in seen:
            seen.append(source)
    return tuple(seen)


def _year_for(month: int, explicit: str | None, reference: date | None) -> int:
    if explicit:
        return int(explicit)
    ref = reference or date.today()
    # "in November" with no year: the latest November not after the reference date.
    return ref.year if month <= ref.month else ref.year - 1


def find_dates(question: str, reference: date | None = None) -> tuple[date, ...]:
    """Specific calendar dates in ``question`` ("October 7, 2023", "7 Oct", "2023-10-07")."""
    out: list[date] = []
    for match in _ISO_DATE.finditer(question):
        try:
            out.append(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            pass
    for match in _FULL_DATE.finditer(question):
        month = _MONTHS[match[1].lower().rstrip(".")]
        try:
            out.append(date(_year_for(month, match[3], reference), month, int(match[2])))
        except ValueError:
            pass
    for match in _DAY_MONTH.finditer(question):
        month = _MONTHS[match[2].lower().rstrip(".")]
        try:
            out.append(date(_year_for(month, match[3], reference), month, int(match[1])))
        except ValueError:
            pass
    return tuple(dict.fromkeys(out))


def analyse(question: str, sources: Iterable[str] = (), reference: date | None = None) -> QuestionAnalysis:
    """Analyse a question.

    Args:
        question: the user's question.
        sources: the outlets present in the index.
        reference: "today" for questions without a year (defaults to the newest article date
            the caller knows, else today).

    Returns:
        The :class:`QuestionAnalysis`.
    """
    outlets = find_outlets(question, sources)
    dates = find_dates(question, reference)
    comparative = bool(_COMPARATIVE.search(question)) or len(outlets) > 1
    since = until = None
    notes: list[str] = []
    if not comparative and _PUBLICATION.search(question):
        month = _MONTH_YEAR.search(question)
        if len(dates) == 1:
            since, until = widen(dates[0])
            notes.append(f"date {dates[0].isoformat()}")
        elif month and not dates:
            m = _MONTHS[month[1].lower().rstrip(".")]
            year = _year_for(m, month[2], reference)
            since = date(year, m, 1)
            until = date(year, m, calendar.monthrange(year, m)[1])
            notes.append(f"period {since:%B %Y}")
    return QuestionAnalysis(
        outlets=outlets,
        dates=dates,
        since=since,
        until=until,
        comparative=comparative,
        wants_latest=bool(_LATEST.search(question)),
        notes=tuple(notes),
    )


def widen(day: date, days: int = 1) -> tuple[date, date]:
    """A date range of ``days`` either side of ``day`` (time zones shift publication dates)."""
    return day - timedelta(days=days), day + timedelta(days=days)
