"""The question plan: everything retrieval and answering read from a question, worked out once.

:func:`plan_question` analyses a question once: the indexed outlets it names
(:mod:`qa.question.outlets`), its dates and publication periods (:mod:`qa.question.periods`),
its clauses (:mod:`qa.question.decompose`), whether it asks for a name, the expected
answer type and its focus (:mod:`qa.question.answer_type`), and whether it asks for a
timeline (:mod:`qa.question.timeline`). The retriever
searches by the :class:`QuestionPlan` and hands it on in its result, so the extractive answerer
reads the same clauses, outlets and dates and nothing splits or parses the question twice.

What becomes a hard filter is decided here, carefully, because a filter that drops an evidence
article cannot be undone by ranking:

* a date is usually the date of an *event* ("the checkpoint set up on April 23"), not of the
  article, so only a period stated as the publication date ("published on", "articles from",
  "reported between ... and ...", "coverage since ...", "reported last week", "yesterday's
  news") can become a filter;
* relative dates ("yesterday", "last week", "the past 3 days") are resolved against the
  reference date, the day the question is asked as of (:mod:`qa.question.relative`); the same
  rules then apply to them as to calendar dates. "latest" and "recently" name no span and never
  filter: the as-of date already keeps every later article out;
* a question comparing reports ("Did TechCrunch's October 7 report and The Verge's later
  article agree?", several outlets, "both", "while", "before/after", "consistent") needs every
  one of its articles, so its periods stay hints (each clause's search focuses on its own
  date) and never filter the whole search;
* one publication period in a question that compares nothing becomes the filter; a single
  publication day is widened by a day either side (time zones shift publication dates);
* outlets are never a filter: each gets its own sub-query, so every named outlet contributes
  evidence (a user restricts outlets explicitly with ``sources``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from .answer_type import AnswerType, expected_answer
from .decompose import Clause, split_clauses
from .outlets import find_outlets
from .periods import find_dates, find_periods, widen
from .timeline import TimelineRequest, read_timeline

__all__ = ["QuestionPlan", "plan_question"]

_COMPARATIVE = re.compile(
    r"\b(before|after|later|earlier|prior|subsequent(?:ly)?|following|preceding|previous|"
    r"compared?|comparison|compare[sd]?|both|while|whereas|versus|vs\.?|change[ds]?|"
    r"consistent|inconsistent|consistency|agree[sd]?|agreement|disagree|differ(?:s|ent|ed)?|"
    r"same|between)\b",
    re.IGNORECASE,
)
_LATEST = re.compile(r"\b(latest|most recent|newest|recently|recent)\b", re.IGNORECASE)
# "Which company ...", "Who is ...": evidence that shares a name the question leaves out.
_ASKS_NAME = re.compile(r"^\W*(?:who|whom|whose|which|what)\b", re.IGNORECASE)
_STATEMENT_END = re.compile(
    r",\s*(?:while|whereas|and|but|with)\s+|;\s*|\s+while\s+|\s+whereas\s+|,\s+and\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionPlan:
    """What a question asks and where to look, as :func:`plan_question` read it.

    Attributes:
        question: the (standalone) question.
        outlets: indexed outlets the question names, in order of mention.
        dates: calendar dates the question names (events or publication; hints only).
        since: start of the publication period the question is scoped to (a filter), or None.
        until: end of that period, or None.
        comparative: the question relates several reports or events (never filtered by date).
        wants_latest: the question asks for the most recent coverage.
        clauses: the question's clauses in order, each with the outlets and dates it names
            itself; a question without separators is one clause.
        asks_for_name: the question asks for a name ("Which company ...", "Who ..."), the
            kind whose evidence shares a name the question leaves out.
        answer_type: the kind of answer expected (a person, money, a date, yes/no ...), for the
            reader that states short answers.
        focus: words from the question naming what the answer is about ("cost", "market
            share", "chief executive"), or "".
        reference: the day relative dates and dates without a year were resolved against
            (the as-of date), or None for today.
        timeline: for a question asking for a chronological account ("How did X develop?",
            "What happened after Y?"), its story and anchor; None otherwise.
        notes: plain words on what became a filter, for display.
    """

    question: str
    outlets: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()
    since: date | None = None
    until: date | None = None
    comparative: bool = False
    wants_latest: bool = False
    clauses: tuple[Clause, ...] = ()
    asks_for_name: bool = False
    answer_type: AnswerType = AnswerType.OTHER
    focus: str = ""
    reference: date | None = None
    timeline: TimelineRequest | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def parts(self, inherit_outlets: bool = True) -> tuple[Clause, ...]:
        """The clauses to search and answer one by one: none when the question has one.

        Args:
            inherit_outlets: a clause naming no outlet takes the outlets the whole question
                names ("Which company, known for X and Y, as reported by TechCrunch?").

        Returns:
            Two or more clauses, or ``()``.
        """
        if len(self.clauses) < 2:
            return ()
        if not inherit_outlets:
            return self.clauses
        return tuple(c if c.outlets else replace(c, outlets=self.outlets) for c in self.clauses)

    def statements(self, min_words: int = 5) -> tuple[str, ...]:
        """The question cut plainly at ", while", "; ", ", and", ", but", "whereas".

        A plainer cut than :attr:`clauses` (outlet names and dates unprotected, short pieces
        dropped, not merged). The extractive answer falls back to it when the question has one
        clause: a comparison of two dated reports ("... consistent between the report published
        on October 2 and the one published on October 7?") is one clause, and answered as one
        it cites more sentences than with the fallback, and no more of them hold the evidence
        (bench/README.md, "Figures quoted by the code"). The calibration pairs these pieces with
        passages (``bench/calibrate.py``).

        Args:
            min_words: shorter pieces are dropped.

        Returns:
            The pieces, stripped of " ?,", in order (may be empty).
        """
        pieces = _STATEMENT_END.split(self.question)
        return tuple(p.strip(" ?,") for p in pieces if len(p.split()) >= min_words)


def plan_question(
    question: str, known_outlets: Iterable[str] = (), newest_date: date | None = None
) -> QuestionPlan:
    """Read a question once (see the module docstring for what becomes a filter).

    Args:
        question: the (standalone) question.
        known_outlets: the outlets present in the index.
        newest_date: the reference date, "today" for relative dates and dates without a year:
            the as-of date, by default the newest article's date (so "in November" means the
            corpus's November and "last week" its last week); None: today.

    Returns:
        The :class:`QuestionPlan`.
    """
    known_outlets = list(known_outlets)
    expected = expected_answer(question)
    outlets = find_outlets(question, known_outlets)
    periods = find_periods(question, newest_date)
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
    return QuestionPlan(
        question=question,
        outlets=outlets,
        dates=find_dates(question, newest_date),
        since=since,
        until=until,
        comparative=comparative,
        wants_latest=bool(_LATEST.search(question)),
        clauses=tuple(split_clauses(question, known_outlets, newest_date)),
        asks_for_name=bool(_ASKS_NAME.search(question)),
        answer_type=expected.answer_type,
        focus=expected.focus,
        reference=newest_date,
        timeline=read_timeline(question),
        notes=tuple(notes),
    )
