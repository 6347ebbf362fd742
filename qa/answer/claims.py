"""Two sentences compared as statements: the same claim, a disagreement, or neither.

A :class:`Statement` is a sentence read once: its values (:mod:`qa.answer.values`), its content
words outside those values (stemmed, with their positions), and the names it mentions.
:func:`compare` lines up the values of a statement with those of another sentence and measures
how much of the statement's wording the other holds. :class:`ClaimConfig` turns that
comparison into the two verdicts :mod:`qa.answer.crosscheck` needs:

* **same claim** (:meth:`ClaimConfig.same_claim`): the other sentence holds most of the
  statement's words and the names it mentions (or, a shorter report of a long statement, the
  statement holds most of the other's words and names), and every figure and date the statement
  states, with no value the other way. Sharing the topic is not enough: "the toll rose to
  30,000" and "the toll rose to 25,000" share every word and are not the same claim.
* **disagreement** (:meth:`ClaimConfig.disagrees`): the two are worded alike (the words around
  the values), mention the same names, and one of the statement's values meets, in the same
  place of the other sentence, a value of the same kind and unit that cannot be true with it.

Why values are lined up by their neighbours: a value is "about" the words next to it. Each
value has a window of the content words around it (four each side); two values of one kind are
lined up by how alike their windows are and whether their nearest word on each side is the same
("larger at 7.4 inches, compared with the original 7-inch screen": both sizes share a window,
not a neighbour). A value agreeing with one lined up as well as the best is found, even when
another is lined up too ("rose from 2,600 to 3,100" holds 3,100). The two closest words on each
side must not have been swapped for others: "30,000 people were killed" and "25,000 people were
injured" hold the same frame except for the word that says *what* was counted, and are not
a disagreement, while "30,000 were killed in the raid" and "25,000 were killed in the raid on
Tuesday" are. This misses paraphrases ("died" for "killed") on purpose: a false alarm costs
the reader more than a missed one, and the embedding similarity of such phrases cannot tell
"killed" from "injured" (0.90 and 0.97 with all-MiniLM-L6).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.text import CALENDAR_WORDS, FUNCTION_WORDS, NOT_NAMES, stem

from .values import Value, agree, comparable, values_in

__all__ = ["ClaimConfig", "Comparison", "Statement", "compare", "statement"]

_TOKEN = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*\d|\d")
# Words that say a statement was made, not what it states.
_SAYING = frozenset(
    """said says say told tells added stated wrote announced according reported reports
    report reporting noted explained claimed confirmed mr mrs ms dr be been being is are was
    were has have had do does did will would could should can may might not but than then so
    also just very more most he she him his her hers they them their we us our i me my you
    your""".split()
)
# Weekdays and months outside a date say when it was said, not what: "rose to 3,100 on
# Wednesday" and "rose to 3,900 on Thursday" are worded alike.
_STOP = FUNCTION_WORDS | _SAYING | CALENDAR_WORDS


@dataclass(frozen=True)
class Statement:
    """A sentence read as a statement.

    Attributes:
        text: the sentence.
        values: what it states (:func:`qa.answer.values.values_in`).
        terms: stemmed content words outside the values, in text order.
        term_values: for each position of ``terms``, how many values start before it (to
            place each value among the words).
        names: lower-cased capitalised words outside the values (who and what it is about).
    """

    text: str
    values: tuple[Value, ...]
    terms: tuple[str, ...]
    term_values: tuple[int, ...]
    names: frozenset[str]

    @property
    def term_set(self) -> frozenset[str]:
        """The set of :attr:`terms`."""
        return frozenset(self.terms)

    def window(self, value: Value, width: int) -> frozenset[str]:
        """Content words within ``width`` words either side of ``value``."""
        index = self.values.index(value)
        before = [t for t, n in zip(self.terms, self.term_values) if n <= index]
        after = [t for t, n in zip(self.terms, self.term_values) if n > index]
        return frozenset(before[-width:] + after[:width]) if width else frozenset()

    def neighbours(self, value: Value) -> tuple[str | None, str | None]:
        """The content words just before and just after ``value`` (None at an end)."""
        index = self.values.index(value)
        before = [t for t, n in zip(self.terms, self.term_values) if n <= index]
        after = [t for t, n in zip(self.terms, self.term_values) if n > index]
        return (before[-1] if before else None), (after[0] if after else None)

    def masked(self, value: Value) -> str:
        """The sentence with ``value`` left out ("The toll rose to …, officials said.")."""
        return " ".join(f"{self.text[: value.start]}…{self.text[value.end :]}".split())


@lru_cache(maxsize=8192)
def statement(text: str) -> Statement:
    """``text`` read as a :class:`Statement` (cached: one sentence is compared many times)."""
    values = values_in(text)
    words: list[str] = []
    positions: list[int] = []
    names: set[str] = set()
    first = True
    for match in _TOKEN.finditer(text):
        inside = any(v.start <= match.start() < v.end for v in values)
        word = match.group()
        capital = word[0].isupper()
        if not inside and capital and word.lower() not in NOT_NAMES and word.lower() not in _STOP:
            # The sentence's first word is capitalised for being first; it names something
            # only when the next word is capitalised too ("Sam Altman said").
            nxt = text[match.end() : match.end() + 2].strip()
            if not first or (nxt[:1].isupper()):
                names.add(re.sub(r"['’]s$", "", word.lower()).strip("'’"))
        first = False
        if inside:
            continue
        lower = word.lower().replace("’", "'")
        if lower in _STOP or len(lower) < 2 or lower[0].isdigit():
            continue
        words.append(lower.removesuffix("'s"))
        positions.append(sum(1 for v in values if v.end <= match.start()))
    terms = tuple(stem(words)) if words else ()
    return Statement(text, values, terms, tuple(positions), frozenset(names))


@dataclass(frozen=True)
class Comparison:
    """How a statement reads against another sentence.

    Attributes:
        overlap: share of the statement's content words the other holds (values left out).
        reverse: share of the other's content words the statement holds.
        other_terms: how many distinct content words the other has.
        names: share of the statement's names the other mentions (1.0 when it names none).
        names_reverse: share of the other's names the statement mentions (1.0 when the other
            names none).
        found: the statement's values that a value of the other agrees with.
        missing: its values the other states nothing comparable about.
        clashes: (its value, the other's) pairs lined up that cannot both be true.
    """

    overlap: float
    reverse: float
    other_terms: int
    names: float
    names_reverse: float
    found: tuple[Value, ...]
    missing: tuple[Value, ...]
    clashes: tuple[tuple[Value, Value], ...]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _lined_up(a: Statement, v: Value, b: Statement, w: Value) -> float:
    """How surely ``v`` in ``a`` and ``w`` in ``b`` are values of one thing, 0 to 1 (0 when
    a word next to one was swapped for another next to the other)."""
    wide_v, wide_w = a.window(v, 4), b.window(w, 4)
    near_v, near_w = a.window(v, 2), b.window(w, 2)
    # A word next to one value swapped for another word next to the other: a different thing
    # is counted ("killed" / "injured", "revenue" / "profit").
    if (near_v - wide_w) and (near_w - wide_v):
        return 0.0
    # The closest word on each side weighs as much as the whole window: in "larger at 7.4
    # inches, compared with the original 7-inch screen" the windows of both sizes are alike,
    # their neighbours are not.
    sides = [
        x == y and x is not None for x, y in zip(a.neighbours(v), b.neighbours(w), strict=True)
    ]
    return (_jaccard(wide_v, wide_w) + sum(sides) / 2) / 2


def compare(
    a: Statement,
    b: Statement,
    min_lined_up: float = 0.5,
    context: frozenset[str] = frozenset(),
) -> Comparison:
    """``a``'s values and wording, looked for in ``b``.

    Args:
        a: the statement (a cited sentence).
        b: another sentence, read as a statement.
        min_lined_up: the least :func:`_lined_up` score at which two values count as values of
            one thing.
        context: more names ``b`` is about (its article's headline: "the OLED" is the Steam
            Deck OLED of the headline).

    Returns:
        The comparison.
    """
    terms, others = a.term_set, b.term_set
    shared = len(terms & others)
    overlap = shared / len(terms) if terms else 0.0
    reverse = shared / len(others) if others else 0.0
    names = len(a.names & (b.names | context)) / len(a.names) if a.names else 1.0
    names_reverse = len(b.names & a.names) / len(b.names) if b.names else 1.0
    found, missing, clashes = [], [], []
    for v in a.values:
        alike = [w for w in b.values if comparable(v, w)]
        ranked = sorted(((_lined_up(a, v, b, w), i, w) for i, w in enumerate(alike)), key=_key)
        lined = [(score, w) for score, _, w in ranked if score >= min_lined_up]
        if lined:
            best = lined[0][0]
            # The value in the same place agrees, or one placed nearly as well does ("rose from
            # 25,000 to 30,000" holds 30,000 as surely as 25,000).
            if any(agree(v, w) for score, w in lined if score >= best - 0.15):
                found.append(v)
            else:
                clashes.append((v, lined[0][1]))
        elif any(agree(v, w) for w in alike):
            found.append(v)  # worded otherwise, the same value
        else:
            missing.append(v)
    return Comparison(
        overlap,
        reverse,
        len(others),
        names,
        names_reverse,
        tuple(found),
        tuple(missing),
        tuple(clashes),
    )


def _key(item: tuple[float, int, Value]) -> tuple[float, int]:
    return -item[0], item[1]


@dataclass(frozen=True)
class ClaimConfig:
    """When a comparison means the same claim, or a disagreement.

    Attributes:
        same_overlap: least share of a statement's words another sentence must hold to state
            it, when the statement holds a figure or date the other agrees with; or least
            share of the other's words the statement must hold (a shorter report of a long
            statement: "Ohtani agrees to 10-year, $700 million deal" inside The Athletic's
            long sentence), when the other has at least ``min_terms`` words.
        same_overlap_plain: the same for a statement with no value (words are all there is).
        same_names: least share of its names the other must mention.
        conflict_overlap: least share of words (values left out) for two sentences to be
            about one thing when their values differ.
        conflict_names: least share of names they must share.
        lined_up: least window similarity for two values to be values of one thing.
    """

    same_overlap: float = 0.6
    min_terms: int = 3
    same_overlap_plain: float = 0.7
    same_names: float = 0.5
    conflict_overlap: float = 0.5
    conflict_names: float = 0.5
    lined_up: float = 0.5

    def same_claim(self, c: Comparison, a: Statement) -> bool:
        """True when the compared sentence states what ``a`` states."""
        if c.clashes:
            return False
        if any(v.kind != "speaker" for v in c.missing):
            return False  # a figure or date of the statement the other does not give
        if not any(v.kind != "speaker" for v in a.values):
            return c.overlap >= self.same_overlap_plain and c.names >= self.same_names
        if c.overlap >= self.same_overlap and c.names >= self.same_names:
            return True
        # A shorter report of a long statement: the other's words and names are the
        # statement's.
        return (
            c.other_terms >= self.min_terms
            and c.reverse >= self.same_overlap
            and c.names_reverse >= self.same_names
        )

    def disagrees(self, c: Comparison) -> tuple[tuple[Value, Value], ...]:
        """The clashes that make the compared sentences disagree (empty when they do not)."""
        if not c.clashes or c.names < self.conflict_names:
            return ()
        if c.overlap < self.conflict_overlap:
            return ()
        return c.clashes


def first_value_clash(clashes: Sequence[tuple[Value, Value]]) -> tuple[Value, Value]:
    """The clash to state: a figure before a date before a speaker (what readers ask about)."""
    order = {"money": 0, "count": 0, "percent": 0, "measure": 0, "duration": 1, "date": 2}
    return min(clashes, key=lambda pair: order.get(pair[0].kind, 3))
