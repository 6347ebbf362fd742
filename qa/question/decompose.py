"""Decomposition of a multi-part question into clauses, each a sub-query of its own.

"Which company, known for its Prime-themed sale day as reported by Wired and its dominance in the
e-reader space according to The Verge, ..." asks for one thing but needs one article per clause.
A single query mixes the clauses and finds the article of the most distinctive one; a sub-query
per clause, restricted to the outlet and publication date that clause names, finds each.

Splitting is plain punctuation and connective words (commas, semicolons, "while", "whereas",
"but", "compared to", "in contrast to", and "and" before a verb phrase or a new subject), after
protecting outlet names and dates, which contain commas and "and" themselves ("Eos: Earth And
Space Science News", "October 7, 2023"). Then:

* fragments with fewer than :data:`MIN_WORDS` topic words ("South Africa" of a list, "as
  reported by Wired") join a neighbour; one that only says where to look ("the report from
  Fortune on October 6, 2023") joins the fragment after it, which says what about;
* a clause naming two outlets with words of their own between them ("the Fortune article says X,
  unlike the TechCrunch article's Y") is cut before the second outlet's phrase;
* a date after an outlet's clause belongs to that outlet's report; "the same day" repeats the
  date before it.

Words that frame a question rather than carry its topic ("article", "suggest", "portrayal",
"consistent") do not count as topic words and are left out of the sub-queries.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from index.text import QUESTION_FRAME_WORDS

from .outlets import outlet_spans
from .periods import date_spans, find_dates

_SPLIT = re.compile(
    r"\s*(?:[,;:]|\?)\s*(?:and\s+|but\s+|while\s+|whereas\s+|or\s+)?"
    r"|\s+(?:while|whereas|whilst|but|compared\s+(?:to|with)|in\s+contrast\s+(?:to|with)|as\s+opposed\s+to|versus)\s+"
    # "and" joins clauses when a new verb phrase or subject follows, not in "Ireland and Argentina".
    r"|\s+and\s+(?=(?:did|does|do|is|was|were|are|has|have|had|the|a|an|its|their|his|her|for|by|in|on|"
    r"according|as|also|then|later|what|which|who|how|whether)\b|\w+ed\s+by\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
MIN_WORDS = 3


@dataclass(frozen=True)
class Clause:
    """One part of a question.

    Attributes:
        text: the clause as written (outlet names and dates included).
        outlets: indexed outlets the clause names.
        dates: dates the clause names.
        start: character offset of the clause in the question.
        topic: the clause without its outlet names (what to search for within those outlets).
    """

    text: str
    outlets: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()
    start: int = 0
    topic: str = ""


def content_words(text: str) -> list[str]:
    """Words of ``text`` that carry topic (not question framing or function words)."""
    return [w for w in _WORD.findall(text) if w.lower() not in QUESTION_FRAME_WORDS]


def split_clauses(
    question: str, sources: Iterable[str] = (), reference: date | None = None
) -> list[Clause]:
    """Split ``question`` into clauses, each with the outlets and dates it names.

    Args:
        question: the question.
        sources: the outlets present in the index.
        reference: "today", for dates without a year.

    Returns:
        Clauses in question order; a question without separators is one clause.
    """
    outlets = outlet_spans(question, sources)
    protected = [(s, e) for s, e, _ in outlets] + date_spans(question)
    pieces: list[tuple[int, int]] = []
    pos = 0
    for match in _SPLIT.finditer(question):
        if any(s < match.end() and match.start() < e for s, e in protected):
            continue
        if match.start() > pos:
            pieces.append((pos, match.start()))
        pos = match.end()
    if pos < len(question):
        pieces.append((pos, len(question)))

    def named(start: int, end: int) -> tuple[str, ...]:
        return tuple(dict.fromkeys(src for s, e, src in outlets if start <= s and e <= end))

    def topic_words(start: int, end: int) -> int:
        # Outlet names and dates say where to look, not what about.
        text = question[start:end]
        for s, e in sorted(protected, reverse=True):
            if start <= s and e <= end:
                text = text[: s - start] + " " + text[e - start :]
        return len([w for w in content_words(text) if not w.isdigit()])

    merged = _split_at_outlets(
        question, _merge_short(pieces, topic_words, named), outlets, topic_words
    )

    def topic(start: int, end: int) -> str:
        text = question[start:end]
        for s, e, _ in sorted(outlets, reverse=True):
            if start <= s and e <= end:
                text = text[: s - start] + " " + text[e - start :]
        return " ".join(text.split()).strip(" '\"?")

    out: list[Clause] = []
    for start, end in merged:
        text = question[start:end].strip(" \t\n'\"?")
        names = named(start, end)
        dates = find_dates(text, reference)
        previous = out[-1] if out else None
        if not dates and previous and previous.dates and _SAME_DAY.search(text):
            dates = previous.dates
        if dates and not names and previous and previous.outlets and not previous.dates:
            # "reported by X on ..., on October 7": the date belongs to the outlet's report.
            text = question[previous.start : end].strip(" \t\n'\"?")
            out[-1] = Clause(
                text, previous.outlets, dates, previous.start, topic(previous.start, end)
            )
            continue
        out.append(Clause(text, names, dates, start, topic(start, end)))
    return out


_SAME_DAY = re.compile(r"\bsame (?:day|date)\b", re.IGNORECASE)


def _merge_short(pieces: list[tuple[int, int]], topic_words, named) -> list[tuple[int, int]]:
    """Join fragments too short to search alone to a neighbour.

    A fragment that only says where to look ("the report from Fortune on October 6, 2023")
    joins the fragment after it when that one names no outlet ("regarding the Fed's actions");
    a short fragment naming an outlet its neighbours do not name stays a clause of its own
    ("portrayed as an antagonist on The Verge"); other short fragments ("South Africa" of a
    list) join the one before; a short opening ("Which company") joins the one after.
    """
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of a fragment waiting to join the next one
    for i, (start, end) in enumerate(pieces):
        if pending is not None:
            start, pending = pending, None
        words = topic_words(start, end)
        if words >= MIN_WORDS:
            merged.append((start, end))
            continue
        after = pieces[i + 1] if i + 1 < len(pieces) else None
        own = set(named(start, end))
        before = set(named(*merged[-1])) if merged else set()
        if own and after and not named(*after):
            pending = start  # "the report from Fortune on October 6," + "regarding ..."
        elif own and words and not (before and own & before) and (before or not merged):
            merged.append((start, end))  # its own outlet: its own clause
        elif merged:
            merged[-1] = (merged[-1][0], end)
        elif after:
            pending = start
        else:
            merged.append((start, end))
    if pending is not None:
        merged.append((pending, pieces[-1][1]))
    return merged


def _split_at_outlets(
    question: str, pieces: list[tuple[int, int]], outlets, topic_words
) -> list[tuple[int, int]]:
    """Cut a piece that names several outlets with words between them ("the Fortune article
    says X, unlike the TechCrunch article's Y") before each later outlet's phrase."""
    out: list[tuple[int, int]] = []
    for start, end in pieces:
        inside = [(s, e) for s, e, _ in outlets if start <= s and e <= end]
        cuts = [start]
        for (_, prev_end), (s, _) in itertools.pairwise(inside):
            cut = _phrase_start(question, prev_end, s)
            # Only between mentions separated by words of their own ("Fortune, The Verge and
            # TechCrunch" is one list of outlets), and only if both sides keep a topic.
            if (
                cut > cuts[-1]
                and topic_words(prev_end, s) >= MIN_WORDS
                and topic_words(cut, end) >= MIN_WORDS
            ):
                cuts.append(cut)
        out.extend(zip(cuts, [*cuts[1:], end]))
    return out


_LEAD_IN = re.compile(
    r"(?:\b(?:the|a|an|another|other|in|by|from|on|of)\s+|['\"‘“]\s*)+$", re.IGNORECASE
)


def _phrase_start(question: str, low: int, mention: int) -> int:
    """Where the phrase of an outlet mention begins: before "the", "by the", a quote."""
    head = question[low:mention]
    match = _LEAD_IN.search(head)
    return low + (match.start() if match else len(head))
