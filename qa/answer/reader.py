"""The reader: the short answer itself ("$1.3 billion", "Satya Nadella"), a span of a sentence.

Given the question's plan (its expected answer type, focus and words) and the scored sentences
of the retrieved passages, :func:`read` finds typed candidate spans in the best sentences with
patterns, scores them and returns the best one with the sentence that holds it. No model and no
new dependency: regexes for money, percentages, counts, measures, durations and dates, and runs
of capitalised words for people, organisations, places and other named things.

A candidate's score adds, as weights in :class:`ReaderConfig`:

* its sentence's match to the question (the extractive scorer's dense + lexical score) and the
  passage's retrieval rank, as the extractive answer ranks sentences;
* closeness, in words, to the question's words and focus in that sentence: the answer to "How
  much did the bridge cost?" sits next to "cost", not next to the year the bridge opened;
* agreement: the same normalised candidate found in several sentences, more in several
  articles, is more likely the answer than a single mention.

A candidate made only of the question's words is never chosen: "Who founded Acme?" is not
answered "Acme". Question types the reader does not state yet (yes/no, quotes, reasons, lists,
descriptions) and comparisons or multi-clause questions get no reading (``None``), so the caller
keeps the sentence answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..question.answer_type import AnswerType
from ..question.periods import MONTH
from ..question.plan import QuestionPlan
from .sentences import SentenceTable

__all__ = ["READ_TYPES", "ReaderConfig", "Reading", "candidates", "read"]

T = AnswerType

#: The answer types the reader states; others keep the sentence answer.
READ_TYPES = frozenset(
    {
        T.PERSON,
        T.ORGANISATION,
        T.PLACE,
        T.DATE,
        T.DURATION,
        T.COUNT,
        T.MONEY,
        T.PERCENTAGE,
        T.MEASURE,
        T.ENTITY,
    }
)


class _Scored(Protocol):
    passage_index: int
    start: int
    end: int

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class ReaderConfig:
    """Weights of the reader's candidate score (see the module docstring)."""

    # Only the best sentences are read: a span of a weak sentence is rarely the answer.
    top_sentences: int = 8
    rank_weight: float = 0.4
    # Closeness to the question's words: weight / (1 + words between) for the nearest one.
    near_weight: float = 0.3
    focus_weight: float = 0.2
    # Each further sentence holding the same candidate, and each further article.
    sentence_agreement: float = 0.1
    article_agreement: float = 0.15
    max_words: int = 8


@dataclass(frozen=True)
class Reading:
    """The reader's answer: a span and the sentence that holds it.

    Attributes:
        text: the span, as written in the passage.
        passage_index: the passage holding it (an index into the table's passages).
        start: character offset of the span in ``passage.text``.
        end: offset one past its end.
        sentence_start: offset of the sentence holding it in ``passage.text``.
        sentence_end: offset one past the sentence's end.
        score: the candidate's score, agreement included.
        support: how many sentences hold the same normalised candidate.
    """

    text: str
    passage_index: int
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    score: float
    support: int = 1


# --- Patterns --------------------------------------------------------------------------------

_NUM_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|a\s+dozen|dozens|hundreds|thousands|"
    r"millions|a|an|several|half\s+a"
)
_NUM = r"\d+(?:[,.]\d+)*"
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|m|k)\b)"
_CURRENCY_WORDS = (
    r"dollars?|euros?|pounds?|sterling|crowns?|kronor|krona|kroner|yen|yuan|renminbi|rupees?|"
    r"francs?|pesos?|won|roubles?|rubles?|rand|reais|real|lira|shekels?|dirhams?|riyals?"
)
_WEEKDAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_TIME_UNIT = r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century"
_MEASURE_UNIT = (
    r"miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|m|feet|foot|ft|inch(?:es)?|centimet(?:er|re)s?|"
    r"cm|millimet(?:er|re)s?|mm|yards?|tons?|tonnes?|kilograms?|kg|kilos?|grams?|g|pounds?|lbs?|"
    r"ounces?|degrees?(?:\s(?:Celsius|Fahrenheit|C|F))?|°[CF]?|mph|km/h|kph|knots?|acres?|"
    r"hectares?|square\s(?:miles?|kilomet(?:er|re)s?|met(?:er|re)s?|feet)|sq\s?(?:km|m|ft)|"
    r"cubic\s(?:met(?:er|re)s?|feet)|gallons?|lit(?:er|re)s?|barrels?|megawatts?|gigawatts?|"
    r"kilowatts?|watts?|MW|GW|kW|kWh|MWh|GWh|TWh|horsepower|hp|storeys?|stories|floors|"
    r"(?:years?|months?|weeks?|days?)\sold|GB|TB|MB|gigabytes?|terabytes?"
)

# Words that end a counted phrase ("1,200 and" is "1,200").
_STOP = (
    r"and|or|to|of|in|on|at|by|for|from|with|as|than|the|a|an|is|are|was|were|that|which|who|"
    r"had|has|have|more|less|about|after|before|during|since|until|per|each|other|were"
)
_I = re.IGNORECASE
_PATTERNS: dict[AnswerType, tuple[re.Pattern[str], ...]] = {
    T.MONEY: (
        re.compile(rf"(?:US|A|C|HK|NZ)?[$€£¥₹]\s?{_NUM}{_SCALE}?", _I),
        re.compile(rf"\b(?:USD|EUR|GBP|JPY|CNY|SEK|NOK|DKK|CHF|INR)\s?{_NUM}{_SCALE}?"),
        re.compile(
            rf"\b{_NUM}{_SCALE}?\s(?:(?:US|Swedish|Danish|Norwegian|Hong\sKong)\s)?"
            rf"(?:{_CURRENCY_WORDS})\b",
            _I,
        ),
    ),
    T.PERCENTAGE: (
        re.compile(rf"\b{_NUM}\s?(?:%|percent\b|per\scent\b|percentage\spoints?\b)", _I),
    ),
    T.DURATION: (
        re.compile(rf"\b(?:{_NUM}|{_NUM_WORDS})(?:[\s-](?:and\sa\shalf\s)?)(?:{_TIME_UNIT})\b", _I),
    ),
    T.MEASURE: (
        re.compile(rf"\b{_NUM}{_SCALE}?[\s-]?(?:{_MEASURE_UNIT})(?![\w])", _I),
        re.compile(rf"\b(?:{_NUM_WORDS})[\s-](?:{_MEASURE_UNIT})(?![\w])", _I),
        re.compile(rf"\b{_NUM}-year-old\b", _I),
    ),
    T.DATE: (
        re.compile(rf"\b(?:{MONTH})\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s\d{{4}})?\b"),
        re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?(?:{MONTH})(?:,?\s\d{{4}})?\b"),
        re.compile(rf"\b(?:(?:early|mid|late)[\s-])?(?:{MONTH})\s\d{{4}}\b"),
        re.compile(rf"\b(?:(?:last|next|this|on)\s)?(?:{_WEEKDAYS})\b"),
        re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
        re.compile(r"\b(?:1[5-9]\d\d|20\d\d)s?\b"),
        re.compile(rf"\b(?:{MONTH})\b(?=\s(?:of\s)?\d{{4}}|\s*[,.;]|\s(?:this|last|next))"),
    ),
    T.COUNT: (
        re.compile(
            rf"\b(?<![$€£¥.,\d]){_NUM}{_SCALE}?(?:\s(?!(?:{_TIME_UNIT}|percent|{_STOP})\b)"
            rf"[a-z][a-z-]+)?",
            _I,
        ),
        re.compile(
            r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|"
            rf"hundreds|thousands|millions)(?:\s(?!(?:{_STOP})\b)[a-z][a-z-]+)?\b",
            _I,
        ),
    ),
}
# A name: capitalised words, joined by a few small words ("Bank of England", "Jean de Gaulle").
_NAME = re.compile(
    r"(?<![\w'])(?:[A-Z][\w'’&.-]*|\d+[A-Z][\w]*)"
    r"(?:\s+(?:(?:of|de|del|da|di|du|van|von|der|al|bin|la|le|and|&|for|on|the)\s+)?"
    r"(?:[A-Z][\w'’&.-]*|\d+))*"
)
# Capitalised words that name nothing on their own (sentence starts, titles, calendar words).
_NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i you his her their our my
    in on at by for from to with of as and or but if when while after before since during
    however meanwhile also yet so then there here according last next mr mrs ms dr prof sir
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december today yesterday tomorrow
    ceo chief president minister officials official said says report reports some many most
    all both several other another such each every few no none one two three first second
    despite although though because unlike like under over""".split()
)
_PLACE_CUE = re.compile(r"\b(?:in|at|from|near|to|into|across|outside|inside)\s+(?:the\s+)?$", _I)
_PERSON_CUE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+$")
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Corp|Corporation|Ltd|LLC|plc|Group|Bank|Company|Co|Holdings|Technologies|"
    r"Systems|Motors|Airlines|Labs|Capital|Partners|Association|University|Institute|Agency|"
    r"Ministry|Department|Council|Committee|Party|Union|Foundation|Fund|Network|Media|News|"
    r"Times|Post|Journal|AI)\.?$"
)
_WORD = re.compile(r"[\w'’.$€£%-]+")
_Q_STOP = frozenset(
    """a an the of to in on at by for from with as and or but is are was were be been being do
    does did has have had will would can could should may might must what which who whom whose
    when where why how many much long this that these those it its their his her they he she
    there about into over than then so not no yes according report reported article""".split()
)


def candidates(sentence: str, answer_type: AnswerType) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``sentence`` of the spans that could answer as ``answer_type``.

    Args:
        sentence: a sentence of a passage.
        answer_type: the question's expected answer type (one of :data:`READ_TYPES`).

    Returns:
        Spans in text order, no two overlapping (the longer one wins).
    """
    if answer_type in _PATTERNS:
        found = [m.span() for p in _PATTERNS[answer_type] for m in p.finditer(sentence)]
        if answer_type == T.COUNT:
            found = [s for s in found if not _is_other_number(sentence, *s)]
    else:
        found = list(_names(sentence))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int]] = []
    for start, end in found:
        start, end = _trim(sentence, start, end)
        if end <= start:
            continue
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


def _is_other_number(sentence: str, start: int, end: int) -> bool:
    """A count candidate that is really a year, money, a percentage or part of a date."""
    token = sentence[start:end].split()[0]
    if re.fullmatch(r"(?:1[5-9]\d\d|20\d\d)", token):
        return True
    before, after = sentence[max(0, start - 12) : start], sentence[end : end + 12]
    if re.search(r"[$€£¥]\s?$", before) or re.match(r"\s?(?:%|percent|per cent)", after, _I):
        return True
    return bool(re.search(rf"(?:{MONTH})\s$", before))


def _names(sentence: str):
    for match in _NAME.finditer(sentence):
        words = match.group().split()
        # Drop leading and trailing words that name nothing ("The", "In", "Monday").
        while words and words[0].lower().strip(".,") in _NOT_NAMES:
            words = words[1:]
        while words and (
            words[-1].lower().strip(".,") in _NOT_NAMES or words[-1].lower() in _JOINERS
        ):
            words = words[:-1]
        if not words:
            continue
        text = " ".join(words)
        start = sentence.find(words[0], match.start())
        end = sentence.find(words[-1], start) + len(words[-1])
        if start >= 0 and end > start and " ".join(sentence[start:end].split()) == text:
            yield start, end


_JOINERS = frozenset("of de del da di du van von der al bin la le and & for on the".split())


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    while end > start and sentence[end - 1] in " ,;:'’\"”)":
        end -= 1
    if (
        end > start
        and sentence[end - 1] == "."
        and not re.search(r"\b[A-Z][a-z]?\.$|\d\.$", sentence[start:end])
    ):
        end -= 1
    while start < end and sentence[start] in " \"“(‘'":
        start += 1
    return start, end


# --- Scoring ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """The key that makes two mentions the same candidate ("$1.3 bn" and "$1.3 billion" stay
    apart; case, punctuation, "the" and possessives do not)."""
    text = text.replace("’", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[^\w$€£¥%. ]|\.(?!\d)", " ", text)
    words = [w for w in text.split() if w not in {"the", "a", "an", "on"}]
    return " ".join(words)


def _stem(word: str) -> str:
    word = word.lower().strip(".,'’\"")
    return word[:5] if len(word) > 5 else word


def _question_words(plan: QuestionPlan) -> set[str]:
    return {
        _stem(w) for w in _WORD.findall(plan.question) if w.lower() not in _Q_STOP and len(w) > 1
    }


def _in_question(span: str, question_words: set[str], question: str) -> bool:
    """True when every word of the span is a word of the question (or the span is quoted)."""
    if normalise(span) and normalise(span) in normalise(question):
        return True
    words = [_stem(w) for w in _WORD.findall(span)]
    words = [w for w in words if w and w not in _JOINERS]
    return bool(words) and all(w in question_words for w in words)


def _strip_question_words(
    sentence: str, start: int, end: int, question_words: set[str]
) -> list[tuple[int, int]]:
    """A name span cut at the words the question names ("Acme chief Jane Doe" -> "Jane Doe")."""
    parts: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for m in _WORD.finditer(sentence, start, end):
        if _stem(m.group()) in question_words:
            if current:
                parts.append(current)
            current = None
        else:
            current = (current[0], m.end()) if current else m.span()
    if current:
        parts.append(current)
    out = []
    for s, e in parts:
        s, e = _trim(sentence, s, e)
        words = sentence[s:e].split()
        while words and (words[-1].lower() in _JOINERS or words[-1].lower() in _NOT_NAMES):
            e = s + sentence[s:e].rfind(words[-1])
            words = words[:-1]
            s, e = _trim(sentence, s, e)
        while words and (words[0].lower() in _JOINERS or words[0].lower() in _NOT_NAMES):
            s = sentence.find(words[1], s + len(words[0])) if len(words) > 1 else e
            words = words[1:]
        if words and e > s:
            out.append((s, e))
    return out


def _closeness(sentence: str, start: int, end: int, targets: set[str]) -> float:
    """1 / (1 + words between the span and the nearest target word in the sentence); 0 if none."""
    if not targets:
        return 0.0
    best: int | None = None
    before = _WORD.findall(sentence[:start])
    after = _WORD.findall(sentence[end:])
    for gap, word in enumerate(reversed(before)):
        if _stem(word) in targets:
            best = gap
            break
    for gap, word in enumerate(after):
        if _stem(word) in targets:
            best = gap if best is None else min(best, gap)
            break
    return 0.0 if best is None else 1.0 / (1.0 + best)


def _type_bonus(answer_type: AnswerType, sentence: str, start: int, end: int) -> float:
    span = sentence[start:end]
    words = span.split()
    if answer_type == T.PERSON:
        bonus = 0.1 if 2 <= len(words) <= 4 else 0.0
        if _PERSON_CUE.search(sentence[:start]):
            bonus += 0.1
        if _ORG_SUFFIX.search(span):
            bonus -= 0.2
        return bonus
    if answer_type == T.ORGANISATION:
        return 0.15 if _ORG_SUFFIX.search(span) or span.isupper() else 0.0
    if answer_type == T.PLACE:
        return 0.15 if _PLACE_CUE.search(sentence[max(0, start - 14) : start]) else 0.0
    if answer_type == T.DATE:
        # a full date says more than a bare weekday or year
        return 0.1 if re.search(r"\d", span) and re.search(r"[A-Za-z]", span) else 0.0
    return 0.0


def read(
    plan: QuestionPlan,
    table: SentenceTable,
    scored: Sequence[_Scored],
    config: ReaderConfig = ReaderConfig(),
) -> Reading | None:
    """The short answer to a planned question, read from the best sentences.

    Args:
        plan: the question's plan (answer type, focus, question).
        table: the retrieved passages' sentence table.
        scored: the table's sentences scored against the question, best first (the extractive
            answerer's :meth:`~qa.answer.extractive.ExtractiveAnswerer.score_sentences`).
        config: the score's weights.

    Returns:
        The best candidate and the sentence that holds it, or None when the question's type is
        not read, the question compares or has several clauses, or no sentence holds a
        candidate outside the question.
    """
    if plan.answer_type not in READ_TYPES or plan.comparative:
        return None
    if plan.parts() or len(plan.statements()) >= 2:
        return None
    ranked = sorted(
        scored,
        key=lambda c: c.score + config.rank_weight / (1 + c.passage_index),
        reverse=True,
    )[: config.top_sentences]
    q_words = _question_words(plan)
    focus = {_stem(w) for w in _WORD.findall(plan.focus) if w.lower() not in _Q_STOP}
    best: dict[str, Reading] = {}
    sentences: dict[str, set[tuple[str, int]]] = {}
    articles: dict[str, set[str]] = {}
    for cand in ranked:
        passage = table.passages[cand.passage_index]
        sentence = passage.text[cand.start : cand.end]
        base = cand.score + config.rank_weight / (1 + cand.passage_index)
        for start, end in candidates(sentence, plan.answer_type):
            spans = [(start, end)]
            if plan.answer_type in {T.PERSON, T.ORGANISATION, T.PLACE, T.ENTITY}:
                spans = _strip_question_words(sentence, start, end, q_words)
            for s, e in spans:
                text = " ".join(sentence[s:e].split())
                if not text or _in_question(text, q_words, plan.question):
                    continue
                if len(text.split()) > config.max_words:
                    continue
                key = normalise(text)
                if not key:
                    continue
                score = (
                    base
                    + config.near_weight * _closeness(sentence, s, e, q_words)
                    + config.focus_weight * _closeness(sentence, s, e, focus)
                    + _type_bonus(plan.answer_type, sentence, s, e)
                )
                sentences.setdefault(key, set()).add(
                    (passage.article_id, passage.start + cand.start)
                )
                articles.setdefault(key, set()).add(passage.article_id)
                if key not in best or score > best[key].score:
                    best[key] = Reading(
                        text=text,
                        passage_index=cand.passage_index,
                        start=cand.start + s,
                        end=cand.start + e,
                        sentence_start=cand.start,
                        sentence_end=cand.end,
                        score=score,
                    )
    if not best:
        return None

    def total(key: str) -> float:
        return (
            best[key].score
            + config.sentence_agreement * (len(sentences[key]) - 1)
            + config.article_agreement * (len(articles[key]) - 1)
        )

    key = max(best, key=total)
    chosen = best[key]
    return Reading(
        text=chosen.text,
        passage_index=chosen.passage_index,
        start=chosen.start,
        end=chosen.end,
        sentence_start=chosen.sentence_start,
        sentence_end=chosen.sentence_end,
        score=total(key),
        support=len(sentences[key]),
    )
