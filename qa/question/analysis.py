"""Question analysis: the outlets, dates and publication period a question names.

"What did The Verge publish in October 2023 about ..." names an outlet and a period. The
analysis finds outlets by matching the names of the indexed outlets (full name, or the part
before " | " or " - ": "The Roar | Sports Writers Blog" is also "The Roar"), and dates and
periods by pattern (:mod:`qa.question.periods`). It then decides what becomes a hard filter, carefully,
because a filter that drops an evidence article cannot be undone by ranking:

* a date is usually the date of an *event* ("the checkpoint set up on April 23"), not of the
  article, so only a period stated as the publication date ("published on", "articles from",
  "reported between ... and ...", "coverage since ...") can become a filter;
* a question comparing reports ("Did TechCrunch's October 7 report and The Verge's later
  article agree?", several outlets, "both", "while", "before/after", "consistent") needs every
  one of its articles, so its periods stay hints (each clause's search focuses on its own
  date, see :mod:`qa.question.decompose`) and never filter the whole search;
* one publication period in a question that compares nothing becomes the filter; a single
  publication day is widened by a day either side (time zones shift publication dates);
* outlets are never a filter: each gets its own sub-query, so every named outlet contributes
  evidence (a user restricts outlets explicitly with ``sources``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .periods import find_dates, find_periods, widen

__all__ = [
    "QuestionAnalysis",
    "analyse",
    "find_dates",
    "find_outlets",
    "outlet_aliases",
    "outlet_spans",
]

_COMPARATIVE = re.compile(
    r"\b(before|after|later|earlier|prior|subsequent(?:ly)?|following|preceding|previous|"
    r"compared?|comparison|compare[sd]?|both|while|whereas|versus|vs\.?|change[ds]?|"
    r"consistent|inconsistent|consistency|agree[sd]?|agreement|disagree|differ(?:s|ent|ed)?|"
    r"same|between)\b",
    re.IGNORECASE,
)
_LATEST = re.compile(r"\b(latest|most recent|newest|recently|recent)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question says about where to look.

    Attributes:
        outlets: indexed outlets the question names, in order of mention.
        dates: calendar dates the question names (events or publication; hints only).
        since: start of the publication period the question is scoped to (a filter), or None.
        until: end of that period, or None.
        comparative: the question relates several reports or events (never filtered by date).
        wants_latest: the question asks for the most recent coverage.
        notes: plain words on what was found, for display.
    """

    outlets: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()
    since: date | None = None
    until: date | None = None
    comparative: bool = False
    wants_latest: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)


def outlet_aliases(source: str) -> list[str]:
    """Names a question may use for an outlet: its full name and its part before ' | ', ' - '
    or ': ' ("The Roar" for "The Roar | Sports Writers Blog")."""
    names = {source.strip()}
    for sep in (" | ", " - ", ": "):
        if sep in source:
            names.add(source.split(sep)[0].strip())
    lowered = {n for n in names if len(n) >= 3}
    return sorted(lowered, key=len, reverse=True)


def outlet_spans(question: str, sources: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where ``question`` names indexed outlets: (start, end, outlet), in order of mention.

    Longer names win where mentions overlap, so "The Independent - Sports" is not also read as
    every other "The Independent - ..." section; a bare "The Independent" names all sections.
    """
    candidates: list[tuple[int, int, str]] = []
    for source in sources:
        for alias in outlet_aliases(source):
            pattern = r"(?<![\w])" + re.escape(alias) + r"(?![\w])"
            flags = 0 if alias.isupper() and len(alias) <= 4 else re.IGNORECASE
            for match in re.finditer(pattern, question, flags):
                candidates.append((match.start(), match.end(), source))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, source in candidates:
        clash = [t for t in taken if t[0] < end and start < t[1]]
        if not clash or all((t[0], t[1]) == (start, end) for t in clash):
            taken.append((start, end, source))
    return sorted(taken)


def find_outlets(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """Indexed outlets named in ``question`` (by full name or short name), in order of mention."""
    return tuple(dict.fromkeys(source for _, _, source in outlet_spans(question, sources)))


def analyse(
    question: str, sources: Iterable[str] = (), reference: date | None = None
) -> QuestionAnalysis:
    """Analyse a question (see the module docstring for what becomes a filter).

    Args:
        question: the user's question.
        sources: the outlets present in the index.
        reference: "today" for dates without a year (the retriever passes the newest
            article's date, so "in November" means the corpus's November); default today.

    Returns:
        The :class:`QuestionAnalysis`.
    """
    outlets = find_outlets(question, sources)
    dates = find_dates(question, reference)
    periods = find_periods(question, reference)
    # "published between 3 and 9 November" states a period; it compares nothing.
    rest = question
    for period in periods:
        rest = rest.replace(period.text, " ")
    comparative = bool(_COMPARATIVE.search(rest)) or len(outlets) > 1 or len(periods) > 1
    since = until = None
    notes: list[str] = []
    if len(periods) == 1 and not comparative:
        period = periods[0]
        since, until = period.since, period.until
        if since is not None and since == until:
            since, until = widen(since)
        notes.append(f"publication period from {period.text!r}")
    elif periods:
        notes.append("dates compare reports: used per clause, not as a filter")
    return QuestionAnalysis(
        outlets=outlets,
        dates=dates,
        since=since,
        until=until,
        comparative=comparative,
        wants_latest=bool(_LATEST.search(question)),
        notes=tuple(notes),
    )
