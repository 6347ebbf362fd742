"""Report order: "Did X report A before Y reported B?" answered by the articles' publication dates.

A question about the order in time of two reports or events names an order word between them
("before", "after", "prior to", "ahead of", "earlier than", "later than", "following",
"subsequent to", "precede", "follow", "preceded by", "followed by") or before both ("After X
reported A, did Y report B?"), or says that one came "first" in a question of two clauses.
:func:`read_order` cuts the question at the order word into two sides, finds the best sentence
for each side with the caller's finder (the extractive answerer's per-clause choice, so the
sentence is chosen one way everywhere) and compares the publication dates of the two passages.

The dates order *publications*: for "Did A happen before B?" the report of A is taken to date A.
What the module refuses to read, on purpose, because a wrong "Yes" is worse than no reading:

* a question that does not expect yes or no ("Which outlet reported first?"), or asks "before
  or after";
* a side that is only a date ("before October 7": the reader compares dates, this module
  compares reports) or has fewer than :data:`MIN_TOPIC_WORDS` topic words and no outlet
  ("after the vote");
* a side naming an outlet facing one that names neither an outlet nor a report ("Did The Verge
  report that shares fell after the earnings call?" asks about the Verge's report, not about
  two reports);
* several order words that each cut the question in two plausible ways;
* a side naming an outlet whose best sentence is another outlet's (the finder falls back to any
  passage when the outlet was not retrieved), both sides read from one article (its date orders
  nothing), or a passage without a date.

Two reports published the same day cannot be ordered by their dates: the reading says so and
answers neither yes nor no.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from ..question.answer_type import AnswerType
from ..question.decompose import Clause, content_words
from ..question.outlets import outlet_spans
from ..question.periods import date_spans, find_dates
from ..question.plan import QuestionPlan
from ..types import Passage
from .sentences import SentenceTable

__all__ = [
    "MIN_TOPIC_WORDS",
    "DatedReport",
    "Order",
    "OrderReading",
    "SentenceFinder",
    "order_sides",
    "read_order",
]

#: A side naming no outlet needs this many topic words to be searched on its own ("after the
#: vote" is too vague to find a report by); a side naming an outlet needs one.
MIN_TOPIC_WORDS = 2


class Order(StrEnum):
    """Where the report asked about stands in time against the other."""

    BEFORE = "before"
    AFTER = "after"


class _Located(Protocol):
    passage_index: int
    start: int
    end: int


#: The best sentence for a clause (``qa.answer.extractive.ScoredSentence`` or alike), or None
#: when no sentence is good enough.
SentenceFinder = Callable[[Clause], _Located | None]


@dataclass(frozen=True)
class DatedReport:
    """One side of an order question and the dated sentence found for it.

    Attributes:
        clause: the side as searched (its text, outlets, dates and topic).
        passage_index: the passage holding the sentence (an index into the table's passages).
        start: character offset of the sentence in ``passage.text``.
        end: offset one past its end.
        published: the passage's publication date.
        source: the passage's outlet ("" when unknown).
    """

    clause: Clause
    passage_index: int
    start: int
    end: int
    published: date
    source: str


@dataclass(frozen=True)
class OrderReading:
    """The answer to an order question, read from two passages' publication dates.

    Attributes:
        answer: "Yes" or "No"; None when both were published the same day.
        order: what the question asks: is ``subject`` before or after ``other``.
        subject: the report the question asks about ("Did *X report A* before Y reported B?").
        other: the report it is compared with.
        statement: one line giving the answer and both dates ("Yes: The Verge reported it on
            2023-11-01, before TechCrunch on 2023-11-05.").
    """

    answer: str | None
    order: Order
    subject: DatedReport
    other: DatedReport
    statement: str

    @property
    def same_day(self) -> bool:
        """True when both were published the same day (the dates cannot order them)."""
        return self.subject.published == self.other.published


_ORDER = re.compile(
    r"\b(?:"
    r"(?P<reversed_before>followed\s+by)|(?P<reversed_after>preceded\s+by)"
    r"|(?P<before>before|prior\s+to|ahead\s+of|in\s+advance\s+of|earlier\s+than|sooner\s+than|"
    r"precede[sd]?|predate[sd]?)"
    r"|(?P<after>after|later\s+than|following|subsequent(?:ly)?\s+to|follow(?:s|ed)?(?!\s+up))"
    r")\b",
    re.IGNORECASE,
)
# "the following day", "the preceding week": an adjective, not an order between two reports.
_ADJECTIVE = re.compile(r"\b(?:the|a|an|its|their|his|her)\s+$", re.IGNORECASE)
_EITHER = re.compile(
    r"\b(?:before|earlier|sooner)\s+or\s+(?:after|later)\b"
    r"|\b(?:after|later)\s+or\s+(?:before|earlier|sooner)\b",
    re.IGNORECASE,
)
_FIRST = re.compile(r"\bfirst\b", re.IGNORECASE)
_REPORT = re.compile(
    r"\b(?:report(?:s|ed|ing)?|articles?|stor(?:y|ies)|pieces?|coverage|publish(?:ed|es)?|"
    r"post(?:s|ed)?|wr[oi]te|written|writes|covered|headlines?)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"['’]s?\b")
_EDGE = " \t\n,;:?!.'\"‘’“”"


def read_order(
    plan: QuestionPlan, table: SentenceTable, best_for: SentenceFinder
) -> OrderReading | None:
    """Answer a question about the order of two reports by their publication dates.

    Args:
        plan: the question's plan (its yes/no type, outlets and dates are read from it).
        table: the retrieved passages' sentence table.
        best_for: the best sentence for one side of the question, or None when none is good
            enough; the extractive answerer's per-clause choice, restricted to the clause's
            outlets and dates.

    Returns:
        The :class:`OrderReading`, or None when the question does not ask about order, a side
        has no sentence or no publication date, or the two sides cannot be told apart (see the
        module docstring).
    """
    sides = order_sides(plan)
    if sides is None:
        return None
    subject_clause, other_clause, order = sides
    subject = _dated(subject_clause, table, best_for)
    other = _dated(other_clause, table, best_for)
    if subject is None or other is None:
        return None
    passages = table.passages
    if passages[subject.passage_index].article_id == passages[other.passage_index].article_id:
        return None
    first, second = passages[subject.passage_index], passages[other.passage_index]
    if subject.published == other.published:
        return OrderReading(
            answer=None,
            order=order,
            subject=subject,
            other=other,
            statement=(
                f"Same day: {_label(first, second)} and {_label(second, first)} both reported "
                f"it on {subject.published.isoformat()}, so their dates cannot order them."
            ),
        )
    actual = Order.BEFORE if subject.published < other.published else Order.AFTER
    answer = "Yes" if actual is order else "No"
    return OrderReading(
        answer=answer,
        order=order,
        subject=subject,
        other=other,
        statement=(
            f"{answer}: {_label(first, second)} reported it on {subject.published.isoformat()}, "
            f"{actual.value} {_label(second, first)} on {other.published.isoformat()}."
        ),
    )


def order_sides(plan: QuestionPlan) -> tuple[Clause, Clause, Order] | None:
    """The two sides of a question about order, and the order it asks about.

    Args:
        plan: the question's plan.

    Returns:
        ``(subject, other, order)``: "Did <subject> ... <order> <other>?", or None when the
        question does not ask whether one report or event came before the other.
    """
    question = plan.question
    if plan.answer_type is not AnswerType.YESNO or _EITHER.search(question):
        return None
    spans = outlet_spans(question, plan.outlets)
    splits = []
    for match in _ORDER.finditer(question):
        if _ADJECTIVE.search(question[: match.start()]):
            continue
        order = _order_of(match)
        head = question[: match.start()]
        if not head.strip(_EDGE):
            # "After X reported A, did Y report B?": the asked report follows the comma.
            comma = question.find(",", match.end())
            if comma < 0:
                continue
            pair = (
                _side(plan, spans, comma + 1, len(question)),
                _side(plan, spans, match.end(), comma),
            )
        else:
            pair = (
                _side(plan, spans, 0, match.start()),
                _side(plan, spans, match.end(), len(question)),
            )
        sides = _balanced(*pair)
        if sides is not None:
            splits.append((*sides, order))
    if not splits and not _ORDER.search(question):
        splits = _first_of_two(plan, spans)
    if len(splits) > 1:
        # Several order words: trust only the one cutting between two named outlets.
        splits = [s for s in splits if s[0].outlets and s[1].outlets]
    return splits[0] if len(splits) == 1 else None


def _order_of(match: re.Match[str]) -> Order:
    if match["before"] or match["reversed_before"]:
        return Order.BEFORE
    return Order.AFTER


def _first_of_two(
    plan: QuestionPlan, spans: Sequence[tuple[int, int, str]]
) -> list[tuple[Clause, Clause, Order]]:
    """ "Did X report A first, compared to Y's report on B?": of two clauses, the one saying
    "first" is asked to come before the other."""
    clauses = plan.parts(inherit_outlets=False)
    if len(clauses) != 2:
        return []
    firsts = [bool(_FIRST.search(c.text)) for c in clauses]
    if sum(firsts) != 1:
        return []
    bounds = []
    for clause in clauses:
        start = plan.question.find(clause.text, clause.start)
        if start < 0:
            return []
        bounds.append((start, start + len(clause.text)))
    subject, other = (bounds[0], bounds[1]) if firsts[0] else (bounds[1], bounds[0])
    sides = _balanced(_side(plan, spans, *subject), _side(plan, spans, *other))
    return [(*sides, Order.BEFORE)] if sides is not None else []


def _side(plan: QuestionPlan, spans: Sequence[tuple[int, int, str]], low: int, high: int) -> Clause:
    """The clause of ``plan.question[low:high]``: its outlets, dates and topic."""
    question = plan.question
    text = question[low:high]
    start = low + len(text) - len(text.lstrip(_EDGE))
    end = high - (len(text) - len(text.rstrip(_EDGE)))
    text = question[start:end]
    inside = [(s, e, src) for s, e, src in spans if start <= s and e <= end]
    topic = text
    for s, e, _ in sorted(inside, reverse=True):
        after = _POSSESSIVE.match(topic, e - start)
        topic = topic[: s - start] + " " + topic[after.end() if after else e - start :]
    # Dates are read with the plan's year: a side alone lacks the question's reference day.
    days = {(d.month, d.day) for d in find_dates(text, plan.reference)}
    dates = tuple(d for d in plan.dates if (d.month, d.day) in days)
    return Clause(
        text=text,
        outlets=tuple(dict.fromkeys(src for _, _, src in inside)),
        dates=dates,
        start=start,
        topic=" ".join(topic.split()).strip(_EDGE),
    )


def _topic_words(clause: Clause) -> int:
    text = clause.topic
    for s, e in sorted(date_spans(text), reverse=True):
        text = text[:s] + " " + text[e:]
    return len([w for w in content_words(text) if not w.isdigit()])


def _balanced(subject: Clause, other: Clause) -> tuple[Clause, Clause] | None:
    """The two sides when both say what to look for and where, else None.

    A side naming only an outlet ("... before The Verge") takes the other side's topic.
    """
    sides = [subject, other]
    words = [_topic_words(s) for s in sides]
    enough = [w >= (1 if s.outlets else MIN_TOPIC_WORDS) for s, w in zip(sides, words)]
    for i, side in enumerate(sides):
        if enough[i]:
            continue
        if not side.outlets or words[i] or not enough[1 - i]:
            return None
        sides[i] = Clause(
            f"{side.text} {sides[1 - i].topic}",
            side.outlets,
            side.dates,
            side.start,
            sides[1 - i].topic,
        )
    named = [bool(s.outlets) for s in sides]
    if named[0] != named[1] and not _REPORT.search(sides[named.index(False)].text):
        return None
    return sides[0], sides[1]


def _dated(clause: Clause, table: SentenceTable, best_for: SentenceFinder) -> DatedReport | None:
    """The best sentence for ``clause``, with its passage's date, or None (see the module
    docstring)."""
    found = best_for(clause)
    if found is None:
        return None
    passage = table.passages[found.passage_index]
    if passage.published is None:
        return None
    if clause.outlets and passage.source not in clause.outlets:
        return None
    return DatedReport(
        clause=clause,
        passage_index=found.passage_index,
        start=found.start,
        end=found.end,
        published=passage.published,
        source=passage.source,
    )


def _label(passage: Passage, other: Passage) -> str:
    """The outlet of ``passage``, or its headline when the outlets do not tell it apart."""
    if passage.source and passage.source != other.source:
        return passage.source
    return f'"{passage.title}"'
