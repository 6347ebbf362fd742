"""When an event happened, read from the sentence that reports it, its article, or its date line.

A timeline orders events, not reports, so each event sentence gets the date the text states for
it when there is one, and the article's publication date only otherwise. :func:`date_event`
reads, in order:

1. **A date in the sentence itself**: "November 17, 2023", "Nov. 17", "17 November", an ISO
   date; a month ("in October", "October 2023", "late November", "around April", "an August
   video"); a year after a preposition ("in 2015", "in 1865"; before 1700 only where the clause
   goes on as after a year: "in 1620, ...", not "in 1500 stores"); a holiday ("on Christmas Day
   2021", "on Thanksgiving"); or a date relative to the article: "yesterday", "today",
   "tonight", "this morning", "tomorrow", a weekday ("on Tuesday", "last Friday", "Monday
   night"), "last weekend", "over the weekend", "last week", "this week", "last month", "earlier
   this month", "earlier this year", "next year" (in the future tense), a span ago ("three days
   ago", "two weeks ago", "a year ago": a year ago is read as that year, being only roughly
   twelve months).
   The most precise one wins (a day over a month over a year), the first of equal precision.
   A year alone elsewhere ("the 2020 ceasefire") is often part of a name and is not read here
   (:func:`bare_years` lists such years, from 1900, for a caller that parses).
   A span after the last date the text before it states ("He joined MK Dons in 2010. Two
   years later he joined Southampton": 2012; "the following year"; "a decade later"; "six
   months later" after a month), or an age after the birth year it states ("Born in 1983,
   ... At 18 he returned": 2001), is read when the sentence states no date of its own.
2. **The date line of its section**: live blogs and timeline articles put a date on a line of
   its own ("November 20") or open a line with it ("Sept. 24: Swift attends Chiefs game"); every
   sentence below it, up to the next such line, took place that day.
3. **The article's publication date**.

Dates relative to the article ("on Tuesday", a date without a year) are resolved against the
section's date when there is one, else the publication date, and by tense: a sentence that
speaks of the future in the clause that holds the date ("will", "is set to", "scheduled",
"next") takes the next such day, any other the latest one. A day and month without a year
in the past tense may lie up to :data:`UPDATE_SLACK_DAYS` after the publication date, or after
the latest full date the article states (:func:`last_update`), because articles (live
timelines, "everything you need to know" pages) are updated after the date they were first
published.

Names that hold a weekday or month ("Black Friday", "Thursday Night Football", "Super Bowl
Sunday") are not dates, nor is a weekday's possessive ("Saturday's attacks" dates the attacks,
not the sentence's event); month names count only capitalised ("in May", not "may"); a month of
"that year" (one named before) and the year of a record ("the first time since 2005") are
not read.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from ..question.periods import MONTH_NUMBERS

__all__ = [
    "UPDATE_SLACK_DAYS",
    "DateSource",
    "EventDate",
    "Precision",
    "bare_years",
    "date_clauses",
    "date_event",
    "date_in_text",
    "date_mentions",
    "dated_entries",
    "last_update",
    "section_date",
    "sentence_reference",
]

#: A past-tense day and month may lie this many days after the reference date (articles are
#: updated after their publication date).
UPDATE_SLACK_DAYS = 31
#: A full date stated more than this after the publication date is not an update's date.
_UPDATE_HORIZON = timedelta(days=366)


class Precision(StrEnum):
    """How precisely an event date is known."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class DateSource(StrEnum):
    """Where an event date comes from."""

    TEXT = "text"  # stated in the article: in the sentence, or its section's date line
    PUBLISHED = "published"  # the article's publication date


@dataclass(frozen=True)
class EventDate:
    """The date of an event.

    Attributes:
        day: the day; for a week, month or year its first day.
        precision: how precisely it is known.
        source: stated in the text, or the article's publication date.
        phrase: the words it was read from ("on Tuesday", "November 20"); "" for a
            publication date.
    """

    day: date
    precision: Precision
    source: DateSource
    phrase: str = ""

    @property
    def last_day(self) -> date:
        """The last day the date may stand for (the day itself for day precision)."""
        if self.precision is Precision.WEEK:
            return self.day + timedelta(days=6)
        if self.precision is Precision.MONTH:
            return self.day.replace(day=calendar.monthrange(self.day.year, self.day.month)[1])
        if self.precision is Precision.YEAR:
            return self.day.replace(month=12, day=31)
        return self.day


_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
# Capitalised month names only: "march", "may" and "august" are words too ("in May" is read,
# "he may" is not).
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# A year a date or a preposition states: 1700 to 2099 ("in 1865", "July 4, 1776").
_YEAR = r"(?:1[7-9]|20)\d{2}"
# A year before 1700 after a preposition ("in 1620 -- and", "in 1619 in Virginia"), only where
# the clause goes on as after a year: "in 1500 stores" is a count.
_OLD_YEAR = (
    r"1[0-6]\d{2}(?=\s*[,.;:)\u2014\u2013]|\s+(?:and|in|when|with|at|on|as|by|after|before|"
    r"under|during|until)\b|\s*$)"
)
# A year standing alone may be a count ("1800 homes"), so only 1900 to 2099 are read as one.
_RECENT_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# A year named relative to the reference after a month or a day: "in March last year", "on
# June 3 of this year", "in October of next year".
_OF_YEAR = r",?\s+(?:of\s+)?(?P<rel>(?i:last|this|next))\s+year\b(?!['’])"
_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>{_DAY})\b(?!:\d)(?:,?\s+(?P<y>{_YEAR})\b|{_OF_YEAR})?"
)
_DAY_MONTH = re.compile(
    rf"\b(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?(?:,?\s+(?P<y>{_YEAR})\b|{_OF_YEAR})?"
)
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_MONTH_YEAR = re.compile(
    rf"\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<m>{_MONTH})\.?,?\s+(?:of\s+)?(?P<y>{_YEAR})\b"
)
# "in September of that year": a month of a year the text named before, not of this one.
_THAT_YEAR = r",?\s+(?:of\s+)?(?:that|the\s+same|the\s+following|the\s+next|the\s+previous)\s+year"
# "for the first time since 2005", "the lowest since 1980": a record's reference, not the date.
_RECORD_SINCE = re.compile(
    r"\b(?:first|only|most|least|lowest|highest|best|worst|biggest|largest|longest|fewest)\b"
    r"[^,;.]{0,60}\bsince\s+$",
    re.IGNORECASE,
)
_MONTH_ALONE = re.compile(
    rf"\b(?P<prep>in|since|during|until|by|from|through|of|early|mid|late|last|this|next|"
    rf"around|about|circa)[\s-]+(?P<m>{_MONTH})\b(?!\.?\s*\d)(?!{_THAT_YEAR})(?:{_OF_YEAR})?",
    re.IGNORECASE,
)
# "in an August video", "the October vote": a month naming a thing of its own (full names only,
# less "May" and "March", which are also a name and a noun: "the May government").
_MONTH_BEFORE_NOUN = re.compile(
    r"\b(?P<prep>[Aa]n?|[Tt]he)\s+(?P<m>January|February|April|June|July|August|September|"
    r"October|November|December)(?=\s+[a-z])"
)
# "in 2015", "in early 2022", "by mid-2022", and a season named by its first year: "during the
# 2013-14 Red Tour".
_YEAR_ALONE = re.compile(
    rf"\b(?i:in|since|during|until|by|from|through)\s+(?:the\s+(?={_YEAR}[-–]\d{{2}}\b))?"
    r"(?:(?i:early|mid|late)[\s-]+)?"
    rf"(?P<y>{_YEAR}|{_OLD_YEAR})"
    rf"(?:\b(?!-)|(?=[-–]\d{{2}}\b(?![-–])))"
)
# "Saturday's attacks", "Monday's game": the weekday dates another thing than the sentence's
# event, so the possessive form is not read.
_WEEKDAY_REF = re.compile(
    rf"\b(?:(?P<q>(?i:last|next|this|this\s+past|this\s+coming|coming|past))\s+)?"
    rf"(?P<w>{_WEEKDAY})\b"
    r"(?!['’]s\b)",
)
_NOT_WEEKDAY_BEFORE = re.compile(r"\b(?:Black|Cyber|Super\s+Bowl|Super|Good|Ash|Palm|Easter)\s+$")
_NOT_WEEKDAY_AFTER = re.compile(
    r"^\s+(?:Night\s+(?:Football|Baseball|Raw|Live)|Times|Night\s+Live)\b"
)
# Holidays of a fixed day, or a fixed weekday of a month (the US ones: the corpus's news is
# mostly American). One whose name is also a title ("Halloween", "Independence Day" are films;
# "Thanksgiving dinner" is a meal) needs a preposition or a year to be read as a day: "on
# Thanksgiving", "Halloween 2022"; "Christmas Day" and the like are days by their name.
_HOLIDAY_NAMES = {
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "boxing day": (12, 26),
    "valentine's day": (2, 14),
    "st patrick's day": (3, 17),
    "veterans day": (11, 11),
    "halloween": (10, 31),
    "independence day": (7, 4),
    "fourth of july": (7, 4),
    "thanksgiving": (11, 3, 4),  # the fourth Thursday of November
    "thanksgiving day": (11, 3, 4),
    "memorial day": (5, 0, -1),  # the last Monday of May
    "labor day": (9, 0, 1),  # the first Monday of September
}
_HOLIDAY = re.compile(
    r"(?P<prep>\b(?i:on|before|after|until|since|by|over|at)\s+)?\b(?P<h>Christmas\s+(?:Day|Eve)|"
    r"New\s+Year['’]s\s+(?:Day|Eve)|Boxing\s+Day|Valentine['’]s\s+Day|St\.?\s+Patrick['’]s\s+Day|"
    r"Veterans\s+Day|Halloween|Independence\s+Day|Fourth\s+of\s+July|Thanksgiving(?:\s+Day)?|"
    rf"Memorial\s+Day|Labor\s+Day)\b(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_NAMED_DAYS = ("Day", "Eve")
_TITLE_DAYS = frozenset({"Independence Day"})  # named a day, but also a film
# "today's networks", "today's young adults": the present day, not a day something happened
# on (the sentence's other date, if any, dates it).
_RELATIVE_DAY = re.compile(
    r"\b(?P<w>yesterday|today(?!['’]s\b)|tonight|tomorrow|this\s+(?:morning|afternoon|evening)|"
    r"last\s+night|earlier\s+today)\b",
    re.IGNORECASE,
)
_RELATIVE_SPAN = re.compile(
    r"\b(?P<w>last\s+weekend|(?:this\s+past|over\s+the)\s+weekend|"
    r"last\s+week|this\s+week|earlier\s+this\s+week|next\s+week|last\s+month|"
    r"earlier\s+this\s+month|this\s+month|next\s+month|last\s+year|next\s+year)\b",
    re.IGNORECASE,
)
# "a year ago", "two weeks ago", "earlier this year": spans counted back from the reference.
_AGO = re.compile(
    r"\b(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
    r"(?P<unit>day|week|month|year)s?\s+ago\b|\b(?P<this>earlier\s+this\s+year)\b",
    re.IGNORECASE,
)
_YEAR_SHIFT = {"last": -1, "this": 0, "next": 1}
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNTS.update(seven=7, eight=8, nine=9, ten=10)
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|'ll|(?:is|are|was|were)\s+(?:set|due|expected|scheduled|slated|"
    r"poised|planning|going)\s+to|scheduled\s+(?:for|to)|plans?\s+to|upcoming|next|"
    r"this\s+coming|later\s+this)\b",
    re.IGNORECASE,
)
# " that " opens a reported clause: "Announced March 23 that it plans to cut jobs" is past for
# March 23, whatever the plan.
_CLAUSE_MARKS = (",", ";", ":", "—", "–", "(", ")", " that ")
# A line that is a date, or opens with one: "November 20", "Monday, Nov. 20, 2023",
# "Sept. 24: Swift attends Chiefs game", "Oct. 3 — Jury selection begins", "December 2023".
_DATE_LINE = re.compile(
    rf"^\s*(?:{_WEEKDAY},?\s+)?(?P<date>{_MONTH}\.?\s+{_DAY}(?:,?\s+{_YEAR})?|"
    rf"{_DAY}\s+{_MONTH}\.?(?:,?\s+{_YEAR})?|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\.?,?\s+{_YEAR})\s*"
    r"(?:$|[:|–—-]\s*(?P<title>.*)$)"
)
#: A date line's title is a headline, not a paragraph.
_MAX_TITLE_WORDS = 16


@dataclass(frozen=True)
class _Found:
    start: int
    precision: Precision
    day: date
    phrase: str
    # A calendar date ("Dec. 3") says more than a weekday beside it ("Sunday, Dec. 3").
    calendar: bool = False


def date_event(
    sentence: str,
    published: date | None,
    before: str = "",
    updated: date | None = None,
) -> EventDate | None:
    """The date of the event ``sentence`` reports (see the module docstring).

    Args:
        sentence: the sentence.
        published: the article's publication date (None when unknown).
        before: the article's text before the sentence (for its section's date line); "" when
            unknown.
        updated: the latest day the article is known to speak from (:func:`last_update`), for
            the year of a day and month in an article updated after its publication date.

    Returns:
        The :class:`EventDate`, or None when neither the text nor the article gives one.
    """
    section = section_date(before, published) if before else None
    found = date_in_text(sentence, _reference(section, published), updated)
    if found is not None:
        return found
    found = _later(sentence, before) or _aged(sentence, before)
    if found is not None and (published is None or found.day <= published):
        return found
    if section is not None:
        return section
    if published is not None:
        return EventDate(published, Precision.DAY, DateSource.PUBLISHED)
    return None


# "Two years later", "six months later", "the following year": counted on from the date the text
# stated last, just before the sentence.
_LATER = re.compile(
    r"\b(?:(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
    r"(?P<unit>month|year|decade)s?\s+later|the\s+(?:following|next)\s+(?P<next>year))\b",
    re.IGNORECASE,
)
# "At 18 he returned", "aged 30", "at the age of 12": a life's event counted from the birth
# year the text stated before ("Born in Alice Springs in 1983, ..."). A bare "at 18" only before
# a pronoun ("tied at 18, the Lakers" is a score).
_AGE = re.compile(
    r"\b(?:(?:at\s+the\s+age\s+of|at\s+age|aged)\s+(?P<age>\d{1,2})\b(?!\s*(?:%|per))"
    r"|at\s+(?P<bare>\d{1,2})(?=,?\s+(?:he|she|they|I|we)\b))",
    re.IGNORECASE,
)
_BORN = re.compile(r"\bborn\b[^.;]{0,60}?\b(?P<y>1[7-9]\d\d|20\d\d)\b", re.IGNORECASE)
#: How far back, in characters, an age looks for the birth year it counts from.
BIRTH_WINDOW = 1500
#: How far back, in characters, "later" looks for the date it counts from (about the two
#: sentences before it: further back, the text has usually moved on).
LATER_WINDOW = 400


def _later(sentence: str, before: str) -> EventDate | None:
    """The date of "two years later" or "the following year": the last date the text before
    the sentence states with its year, moved on by that span (a month only when that date
    names its month). None without such a phrase or date."""
    match = _LATER.search(sentence)
    if match is None or not before:
        return None
    stated = _stated(before[-LATER_WINDOW:])
    if stated is None:
        return None
    day, precision = stated
    n = 1 if match["next"] else _COUNTS.get(match["n"].lower()) or int(match["n"])
    unit = "year" if match["next"] else match["unit"].lower()
    if unit != "month":
        years = n * (10 if unit == "decade" else 1)
        return EventDate(date(day.year + years, 1, 1), Precision.YEAR, DateSource.TEXT, match[0])
    if precision is Precision.YEAR:
        return None  # "six months later" than a year: which month is unknown
    months = day.year * 12 + day.month - 1 + n
    later = date(months // 12, months % 12 + 1, 1)
    return EventDate(later, Precision.MONTH, DateSource.TEXT, match[0])


def _aged(sentence: str, before: str) -> EventDate | None:
    """The year of "at 18" or "aged 30": the last birth year stated shortly before, on by the
    age. None without both."""
    match = _AGE.search(sentence)
    if match is None or not before:
        return None
    births = list(_BORN.finditer(before[-BIRTH_WINDOW:]))
    if not births:
        return None
    year = int(births[-1]["y"]) + int(match["age"] or match["bare"])
    return EventDate(date(year, 1, 1), Precision.YEAR, DateSource.TEXT, match[0])


def _stated(text: str) -> tuple[date, Precision] | None:
    """The last date ``text`` states with its year (a full date, a month and year, or a year
    after a preposition), at month or year precision, or None."""
    last: tuple[int, date, Precision] | None = None
    for pattern in (_ISO, _MONTH_DAY, _DAY_MONTH, _MONTH_YEAR, _YEAR_ALONE):
        for match in pattern.finditer(text):
            if not match["y"]:
                continue
            if last is not None and match.start() < last[0]:
                continue
            year = int(match["y"])
            if pattern is _YEAR_ALONE:
                last = (match.start(), date(year, 1, 1), Precision.YEAR)
            else:
                month = match["m"]
                number = int(month) if month.isdigit() else MONTH_NUMBERS[month.lower().rstrip(".")]
                last = (match.start(), date(year, number, 1), Precision.MONTH)
    return None if last is None else (last[1], last[2])


#: A year standing alone, not part of a range ("2022-23"), a date or a number ("2,023").
_BARE_YEAR = re.compile(rf"(?<![\d,.\-–/])\b(?P<y>{_RECENT_YEAR})\b(?![\-–/]\d|,\d)")


def bare_years(sentence: str) -> list[tuple[int, int, int]]:
    """The years ``sentence`` names alone ("the 1987 tournament", "Coachella 2020"), as
    (start, end, year): :func:`date_in_text` reads them only after "in", "since" and the like,
    since elsewhere a year is often part of a name; a caller that parses the sentence can tell
    when the year dates what it tells (:mod:`qa.answer.timeline`)."""
    return [(m.start("y"), m.end("y"), int(m["y"])) for m in _BARE_YEAR.finditer(sentence)]


def sentence_reference(before: str, published: date | None) -> date | None:
    """The day a sentence speaks from, given the article's text before it: its section's date
    line (:func:`section_date`), else the publication date; what :func:`date_event` resolves
    the sentence's dates against."""
    return _reference(section_date(before, published) if before else None, published)


def _reference(section: EventDate | None, published: date | None) -> date | None:
    """The day a sentence speaks from: its section's day, else the publication date (kept
    inside the section's month when the section is a month)."""
    if section is None:
        return published
    if section.precision is Precision.DAY or published is None:
        return section.day
    return min(max(published, section.day), section.last_day)


def date_in_text(
    sentence: str, reference: date | None, updated: date | None = None
) -> EventDate | None:
    """The most precise date ``sentence`` states, resolved against ``reference``.

    Args:
        sentence: the sentence.
        reference: the day the text speaks from (for "on Tuesday", "yesterday", a date
            without a year); None resolves only dates that carry their year.
        updated: a later day the article speaks from too (it was updated): a past day and
            month may lie up to it.

    Returns:
        The :class:`EventDate` (source ``text``), or None when the sentence states no date.
    """
    found = _days(sentence, reference, updated) + _spans(sentence, reference)
    if not found:
        return None
    rank = {Precision.DAY: 0, Precision.WEEK: 1, Precision.MONTH: 2, Precision.YEAR: 3}
    best = min(
        found, key=lambda f: (_aside(sentence, f), rank[f.precision], not f.calendar, f.start)
    )
    return EventDate(best.day, best.precision, DateSource.TEXT, best.phrase.rstrip("."))


# "this week's court filing", "last year's final": a date naming another thing than the
# sentence's event. "until October 7": when a state ended, not when the event happened.
_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
# "not until 2019" is when it happened.
_UNTIL = re.compile(r"(?<!\bnot\s)\b(?:until|till|up\s+to)\s+$", re.IGNORECASE)


def _aside(sentence: str, found: _Found) -> bool:
    """Whether a date stands aside from the sentence's event ("In early 2022, they agreed to a
    truce, according to this week's filing"; "The fence that, until October 7, separated them
    was completed in December 2021"): another date the sentence states is its event's."""
    end = found.start + len(found.phrase)
    # The phrase may hold its preposition ("until 2019") or follow it ("until October 7").
    held = re.match(r"(?i:until|till)\s+", found.phrase)
    lead = sentence[: found.start] + (held[0] if held else "")
    return bool(_POSSESSIVE_AFTER.match(sentence, end) or _UNTIL.search(lead))


def date_clauses(
    sentence: str, reference: date | None, updated: date | None = None
) -> list[tuple[EventDate, int, int]]:
    """The clauses of a sentence that dates two or more events, each with its date: "He had
    been on the board since 1989, taking over as chairman in 2004." is two events.

    The sentence is cut at the first clause mark (a comma, semicolon, colon, dash, bracket or
    " that ") after each date but the last; it is not cut when two dates share a clause ("from
    March 3 to March 5") or when two clauses would give the same date.

    Args:
        sentence: the sentence.
        reference: as for :func:`date_in_text`.
        updated: as for :func:`date_in_text`.

    Returns:
        ``(date, start, end)`` per clause, in text order, ``sentence[start:end]`` its words
        without the mark that ends it; empty when the sentence is one event.
    """
    found: list[_Found] = []
    for f in sorted(_days(sentence, reference, updated) + _spans(sentence, reference), key=_at):
        if not found:
            found.append(f)
            continue
        end = found[-1].start + len(found[-1].phrase)
        # A year inside a date ("Sept. 11, 2001") is that date; so is a weekday beside one
        # ("Sunday, November 19", "Wednesday (November 15)"), which the calendar date says.
        if f.start < end:
            continue
        if _JOINED.fullmatch(sentence[end : f.start]):
            if f.calendar and not found[-1].calendar:
                found[-1] = f
            continue
        found.append(f)
    if len({(f.day, f.precision) for f in found}) < 2:
        return []
    cuts = [0]
    for before, after in pairwise(found):
        end = before.start + len(before.phrase)
        marks = [i for i in (sentence.find(m, end, after.start) for m in _CLAUSE_MARKS) if i >= 0]
        # "... approved in January 2010 and Ozempic was approved in December 2017": "and"
        # opens a clause when words of its own come before the next date ("between March 3
        # and March 5" is one span).
        joined = sentence.find(" and ", end, after.start)
        if joined >= 0 and len(sentence[joined + 5 : after.start].split()) >= 2:
            marks.append(joined)
        if not marks:
            return []
        cuts.append(min(marks) + 1)
    cuts.append(len(sentence))
    clauses = []
    for start, end in pairwise(cuts):
        text = sentence[start:end]
        lead = len(text) - len(text.lstrip())
        trail = len(text.rstrip(" ,;:—–(")) - len(text)
        when = date_in_text(text, reference, updated)
        # "In February 2016, Kenwright sold ... in January 2022": an opening date with no
        # clause of its own dates the clause after it; no cut.
        if when is None or len(text.split()) - len(when.phrase.split()) < _CLAUSE_WORDS:
            return []
        clauses.append((when, start + lead, end + trail))
    # Two days, two months or two years are two events; a year beside a day ("the 2023 World
    # Cup ...: won by Australia on Sunday, November 19") is context of one.
    if len({(c[0].day, c[0].precision) for c in clauses}) < len(clauses):
        return []
    if len({c[0].precision for c in clauses}) > 1:
        return []
    return clauses


# What may stand between two words of one date: "Sunday, November 19", "Wednesday (Nov. 15".
_JOINED = re.compile(r"[\s,(]*")
#: Words a clause needs besides its date to tell an event of its own.
_CLAUSE_WORDS = 3


def _at(found: _Found) -> int:
    return found.start


def section_date(before: str, published: date | None) -> EventDate | None:
    """The date of the last date line in ``before`` (a section heading of a live timeline:
    "November 20", "Sept. 24: Swift attends Chiefs game", "December 2023").

    Args:
        before: the article's text before a sentence.
        published: the article's publication date (for a date line without a year).

    Returns:
        The date (source ``text``; a day, or a month for a month line), or None when no line
        before the sentence is a date line.
    """
    for line in reversed(before.splitlines()):
        match = _DATE_LINE.match(line)
        if match is None:
            continue
        title = (match["title"] or "").strip()
        # A headline: short, and not a sentence ("Oct. 3: The jury was picked." is text).
        if len(title.split()) > _MAX_TITLE_WORDS or title.endswith((".", "?", "!")):
            continue
        words = match["date"].strip()
        month_line = _MONTH_YEAR.fullmatch(words)
        if month_line:
            month = MONTH_NUMBERS[month_line["m"].lower().rstrip(".")]
            first = date(int(month_line["y"]), month, 1)
            return EventDate(first, Precision.MONTH, DateSource.TEXT, words)
        found = _days(words, published)
        if found:
            return EventDate(found[0].day, Precision.DAY, DateSource.TEXT, words)
    return None


def _future(sentence: str, start: int, end: int) -> bool:
    """Whether the clause holding ``sentence[start:end]`` speaks of the future ("... will
    resume on Tuesday"; "As confirmed on Wednesday, he will testify" is past for Wednesday).
    After the date, a second predicate ("pleaded guilty Monday ... and will be sentenced")
    tells another event: the clause ends at its "and" or "but"."""
    before = max(sentence.rfind(mark, 0, start) for mark in _CLAUSE_MARKS)
    afters = [
        i
        for i in (sentence.find(mark, end) for mark in (*_CLAUSE_MARKS, " and ", " but "))
        if i >= 0
    ]
    return bool(_FUTURE.search(sentence[before + 1 : min(afters, default=len(sentence))]))


# An entry of a list flattened into one line opens with its day, perhaps after a short weekday:
# "Tues, Dec. 19 Port Vale 0-3 Middlesbrough", "Oct. 4 Newcastle 4-1 PSG".
_ENTRY_DAY = re.compile(
    rf"(?:\b(?:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    rf"\b{_MONTH}\.?\s+{_DAY}\b(?!:\d)(?!,?\s+{_YEAR})"
)
#: At most this many words in one entry of a flattened list (a sentence says more).
_ENTRY_WORDS = 14
#: At most this share of an entry list's words in lower case: its entries are names and
#: numbers ("Bradford City (L2) 0-2 Middlesbrough (Ch)"), not prose ("and ended on").
_ENTRY_LOWER = 0.25


def dated_entries(
    text: str, reference: date | None, updated: date | None = None, least: int = 3
) -> list[tuple[EventDate, int, int]]:
    """The entries of a dated list flattened into one line, each with its day: a table of
    fixtures and results read as text ("Date Fixture/Result Sept. 19 Milan 0-0 Newcastle Oct. 4
    Newcastle 4-1 PSG ...") is one "sentence" of many events.

    Args:
        text: the line.
        reference: as for :func:`date_in_text` (the days carry no year).
        updated: as for :func:`date_in_text`.
        least: fewer entries are no list (a sentence naming two days is two clauses at most:
            :func:`date_clauses`).

    Returns:
        ``(date, start, end)`` per entry, from its day to the next entry's, in text order; empty
        when the line is not such a list (too few days, words enough between two days to be
        a sentence, or the words of prose).
    """
    days = list(_ENTRY_DAY.finditer(text))
    if len(days) < least or reference is None:
        return []
    # Each entry runs from its day to the next entry's.
    spans = list(zip(days, [*(d.start() for d in days[1:]), len(text)]))
    words = [w for day, end in spans for w in text[day.end() : end].split() if w[0].isalpha()]
    if not words or sum(w[0].islower() for w in words) > _ENTRY_LOWER * len(words):
        return []
    entries = []
    for day, end in spans:
        start = day.start()
        piece = text[start:end].rstrip()
        if len(piece.split()) > _ENTRY_WORDS:
            return []
        found = date_in_text(piece, reference, updated)
        if found is None or found.precision is not Precision.DAY:
            return []
        entries.append((found, start, start + len(piece)))
    return entries


def date_mentions(text: str) -> int:
    """How many dates that carry their own place in time ("November 20", "in 2015", "March
    2022") ``text`` states: many in few words mark a chronology."""
    patterns = (_ISO, _MONTH_DAY, _DAY_MONTH, _MONTH_YEAR, _YEAR_ALONE)
    return sum(len(p.findall(text)) for p in patterns)


def last_update(text: str, published: date | None) -> date | None:
    """The latest day an article speaks from: its publication date, or a later full date
    (with its year) it states in a clause that is not about the future ("— Sam Altman
    (@sama) December 13, 2023" in an article first published in September).

    Args:
        text: the article's text.
        published: its publication date.

    Returns:
        The day, or None when the article has neither.
    """
    latest = published
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            if not match["y"] or _future(text, match.start(), match.end()):
                continue
            month = MONTH_NUMBERS[match["m"].lower().rstrip(".")]
            day = _make(int(match["y"]), month, _day(match["d"]))
            if day is None or (published is not None and day > published + _UPDATE_HORIZON):
                continue
            latest = day if latest is None else max(latest, day)
    return latest


def _days(sentence: str, reference: date | None, updated: date | None = None) -> list[_Found]:
    """Day-precise dates: calendar dates, weekdays and "yesterday"-like words."""
    out: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, day: date | None, phrase: str, calendar: bool = False) -> None:
        if day is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        out.append(_Found(start, Precision.DAY, day, phrase, calendar))

    for match in _ISO.finditer(sentence):
        value = _make(int(match["y"]), int(match["m"]), int(match["d"]))
        add(match.start(), match.end(), value, match[0], calendar=True)
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(sentence):
            month = MONTH_NUMBERS[match["m"].lower().rstrip(".")]
            day = _day(match["d"])
            if match["y"]:
                value = _make(int(match["y"]), month, day)
            elif match["rel"]:
                if reference is None:
                    continue
                value = _make(reference.year + _YEAR_SHIFT[match["rel"].lower()], month, day)
            else:
                future = _future(sentence, match.start(), match.end())
                value = _resolve_day(month, day, reference, future, updated)
            add(match.start(), match.end(), value, match[0], calendar=True)
    for match in _HOLIDAY.finditer(sentence):
        name = " ".join(match["h"].split())
        a_day_by_name = name.endswith(_NAMED_DAYS) and name not in _TITLE_DAYS
        if not (match["prep"] or match["y"] or a_day_by_name):
            continue
        value = _holiday_day(name, match["y"], reference, _future(sentence, *match.span("h")))
        add(match.start("h"), match.end(), value, match[0].strip(), calendar=True)
    for match in _WEEKDAY_REF.finditer(sentence):
        if _NOT_WEEKDAY_BEFORE.search(sentence[: match.start()]) or _NOT_WEEKDAY_AFTER.match(
            sentence[match.end() :]
        ):
            continue
        if reference is None:
            continue
        qualifier = " ".join((match["q"] or "").lower().split())
        weekday = _WEEKDAYS[match["w"].lower()]
        if qualifier in ("next", "this coming", "coming"):
            day = _weekday(weekday, reference, ahead=True)
        elif qualifier in ("last", "past", "this past"):
            day = _weekday(weekday, reference - timedelta(days=1), ahead=False)
        else:
            day = _weekday(weekday, reference, _future(sentence, match.start(), match.end()))
        add(match.start(), match.end(), day, match[0])
    for match in _RELATIVE_DAY.finditer(sentence):
        if reference is None:
            continue
        word = " ".join(match["w"].lower().split())
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        add(match.start(), match.end(), reference + timedelta(days=shift), match[0])
    return out


def _spans(sentence: str, reference: date | None) -> list[_Found]:
    """Weeks, months and years."""
    out: list[_Found] = []
    for match in _MONTH_YEAR.finditer(sentence):
        month = MONTH_NUMBERS[match["m"].lower().rstrip(".")]
        first = {"mid": 11, "late": 21}.get((match["part"] or "").lower(), 1)
        out.append(
            _Found(match.start(), Precision.MONTH, date(int(match["y"]), month, first), match[0])
        )
    months = [*_MONTH_ALONE.finditer(sentence), *_MONTH_BEFORE_NOUN.finditer(sentence)]
    for match in months:
        if reference is None or not match["m"][0].isupper():
            continue
        if any(f.start <= match.start("m") <= f.start + len(f.phrase) for f in out):
            continue
        month = MONTH_NUMBERS[match["m"].lower().rstrip(".")]
        prep = match["prep"].lower()
        if match.groupdict().get("rel"):
            year = reference.year + _YEAR_SHIFT[match["rel"].lower()]
        else:
            ahead = (
                prep == "next"
                if prep in ("next", "last")
                else _future(sentence, match.start(), match.end())
            )
            year = _month_year(month, reference, ahead, this=prep == "this")
        first = {"mid": 11, "late": 21}.get(prep, 1)
        out.append(_Found(match.start(), Precision.MONTH, date(year, month, first), match[0]))
    for match in _YEAR_ALONE.finditer(sentence):
        if any(f.start <= match.start("y") <= f.start + len(f.phrase) for f in out):
            continue
        if _RECORD_SINCE.search(sentence[: match.start("y")]):
            continue
        out.append(_Found(match.start(), Precision.YEAR, date(int(match["y"]), 1, 1), match[0]))
    if reference is not None:
        for match in _RELATIVE_SPAN.finditer(sentence):
            word = " ".join(match["w"].lower().split())
            monday = reference - timedelta(days=reference.weekday())
            if word.endswith("weekend"):
                # The weekend before the reference day; on a weekend, "over the weekend" and
                # "this past weekend" are that one, "last weekend" the one before.
                this_one = reference.weekday() >= 5 and word != "last weekend"
                sunday = monday + timedelta(days=6) if this_one else monday - timedelta(days=1)
                out.append(
                    _Found(match.start(), Precision.WEEK, sunday - timedelta(days=6), match[0])
                )
            elif word == "last week":
                out.append(
                    _Found(match.start(), Precision.WEEK, monday - timedelta(days=7), match[0])
                )
            elif word in ("this week", "earlier this week"):
                out.append(_Found(match.start(), Precision.WEEK, monday, match[0]))
            elif word == "next week":
                out.append(
                    _Found(match.start(), Precision.WEEK, monday + timedelta(days=7), match[0])
                )
            elif word == "last month":
                previous = reference.replace(day=1) - timedelta(days=1)
                out.append(
                    _Found(match.start(), Precision.MONTH, previous.replace(day=1), match[0])
                )
            elif word in ("this month", "earlier this month"):
                out.append(
                    _Found(match.start(), Precision.MONTH, reference.replace(day=1), match[0])
                )
            elif word == "next month":
                following = reference.replace(day=28) + timedelta(days=4)
                out.append(
                    _Found(match.start(), Precision.MONTH, following.replace(day=1), match[0])
                )
            elif word == "last year":
                out.append(
                    _Found(match.start(), Precision.YEAR, date(reference.year - 1, 1, 1), match[0])
                )
            elif _future(_blanked(sentence, match), match.start(), match.end()):
                # "is set to launch next year"; "was not found until next year" tells of a
                # year after some earlier one, which only the story before it says.
                out.append(
                    _Found(match.start(), Precision.YEAR, date(reference.year + 1, 1, 1), match[0])
                )
        out.extend(_ago(sentence, reference))
    return out


def _blanked(sentence: str, match: re.Match) -> str:
    """``sentence`` with the match blanked out (its own "next" is no sign of the future)."""
    return sentence[: match.start()] + " " * len(match[0]) + sentence[match.end() :]


def _ago(sentence: str, reference: date) -> list[_Found]:
    """ "Two weeks ago", "a year ago", "earlier this year", counted back from ``reference``: a
    day for days, a week for weeks, a month for months and a year for years (a year ago is
    only roughly twelve months)."""
    out = []
    for match in _AGO.finditer(sentence):
        if match["this"]:
            precision, day = Precision.YEAR, date(reference.year, 1, 1)
        else:
            n = _COUNTS.get(match["n"].lower()) or int(match["n"])
            unit = match["unit"].lower()
            if unit == "day":
                precision, day = Precision.DAY, reference - timedelta(days=n)
            elif unit == "week":
                back = reference - timedelta(days=7 * n)
                precision, day = Precision.WEEK, back - timedelta(days=back.weekday())
            elif unit == "month":
                months = reference.year * 12 + reference.month - 1 - n
                precision, day = Precision.MONTH, date(months // 12, months % 12 + 1, 1)
            else:
                precision, day = Precision.YEAR, date(reference.year - n, 1, 1)
        out.append(_Found(match.start(), precision, day, match[0]))
    return out


def _resolve_day(
    month: int, day: int, reference: date | None, future: bool, updated: date | None = None
) -> date | None:
    """A day and month without a year: the next such day (future tense) or the latest one up
    to :data:`UPDATE_SLACK_DAYS` after ``reference`` (or after ``updated``, when later)."""
    if reference is None:
        return None
    options = [d for d in (_make(reference.year + k, month, day) for k in (-1, 0, 1, 2)) if d]
    if future:
        ahead = [d for d in options if d >= reference - timedelta(days=1)]
        return min(ahead) if ahead else None
    latest = max(reference, updated) if updated is not None else reference
    behind = [d for d in options if d <= latest + timedelta(days=UPDATE_SLACK_DAYS)]
    return max(behind) if behind else None


def _holiday_day(name: str, year: str | None, reference: date | None, future: bool) -> date | None:
    """The day of a holiday in the year given, else the latest one up to ``reference`` (the
    next one from it in the future tense)."""
    key = name.lower().replace("’", "'").replace("st. ", "st ")
    if year is not None:
        return _holiday_in(key, int(year))
    if reference is None:
        return None
    options = [d for d in (_holiday_in(key, reference.year + k) for k in (-1, 0, 1)) if d]
    if future:
        return min((d for d in options if d >= reference), default=None)
    return max((d for d in options if d <= reference), default=None)


def _holiday_in(key: str, year: int) -> date | None:
    rule = _HOLIDAY_NAMES.get(key)
    if rule is None:
        return None
    if len(rule) == 2:
        return _make(year, *rule)
    month, weekday, nth = rule
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _day(value: str) -> int:
    return int(re.match(r"\d+", value).group(0))  # type: ignore[union-attr]


def _month_year(month: int, reference: date, ahead: bool, this: bool = False) -> int:
    """The year of a month named without one: this year's for "this", else the next such
    month (future) or the latest one not after the reference's month."""
    if this:
        return reference.year
    if ahead:
        return reference.year if month >= reference.month else reference.year + 1
    return reference.year if month <= reference.month else reference.year - 1


def _weekday(weekday: int, reference: date, ahead: bool) -> date:
    """The next such weekday after ``reference`` (``ahead``), else the latest on or before it."""
    if ahead:
        return reference + timedelta(days=(weekday - reference.weekday() - 1) % 7 + 1)
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
