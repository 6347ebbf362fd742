"""The reader: the short answer itself ("$1.3 billion", "Satya Nadella"), a span of a sentence.

Given the question's plan (its expected answer type, focus and words) and the scored sentences
of the retrieved passages, :func:`read` finds candidate spans in the best sentences, scores each
with a small trained model, and returns the best one with the sentence that holds it and how
likely it is that the passages answer the question at all.

Candidates (:func:`collect`) come from patterns (money, percentages, counts, measures, durations,
dates; runs of capitalised words for names) and from spaCy's entities and noun phrases
(:mod:`qa.answer.nlp`). Words the question already names are cut off: "Who founded Acme?" is
never answered "Acme".

Each candidate mention has the features of :data:`CANDIDATE_FEATURES`: how its sentence matches
the question (dense and lexical), its passage's retrieval rank, its closeness in words to the
question's words and focus ("How much did the bridge cost?" is answered next to "cost"), whether
a pattern or spaCy's label fits the expected type, its length and overlap with the question, and
agreement (the same answer in several sentences, articles, passages and outlets). A logistic
model scores them; a second one scores the question (:data:`QUESTION_FEATURES`: the best
candidate's score and margin, the evidence's strength, names of the question no top passage
mentions) and gives :attr:`Reading.confidence`; under the model's threshold the answerer abstains.
Both are trained on SQuAD 2.0's development part only, and the threshold is set there for few
false abstentions (``python -m bench.train_reader``; the weights, their training data and
figures are in ``qa/answer/reader_model.json``).

Yes/no questions, quotes, reasons, lists and questions offering a choice of names get no reading
(``None``): the caller keeps the sentence answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..question.answer_type import AnswerType
from ..question.periods import MONTH
from ..question.plan import QuestionPlan
from .nlp import Annotation, annotate
from .nlp import available as nlp_available
from .sentences import SentenceTable

__all__ = [
    "CANDIDATE_FEATURES",
    "QUESTION_FEATURES",
    "READ_TYPES",
    "Candidate",
    "LinearModel",
    "ReaderConfig",
    "ReaderModel",
    "Reading",
    "candidates",
    "collect",
    "default_model",
    "normalise",
    "question_features",
    "read",
    "readable",
]

#: The shipped weights (bench/train_reader.py writes them).
MODEL_FILE = Path(__file__).with_name("reader_model.json")

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
        T.OTHER,
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
    """Which sentences the reader reads and what it takes as a candidate."""

    # Only the best sentences are read: a span of a weak sentence is rarely the answer.
    top_sentences: int = 8
    # The passage's retrieval rank counts when the sentences to read are chosen.
    rank_weight: float = 0.4
    max_words: int = 8
    # spaCy's entities and noun phrases as candidates (patterns alone when off).
    use_nlp: bool = True
    # Abstain when the answerability model's confidence is under its threshold.
    abstain: bool = True
    # A typed question ("how much", "when", "who") is answered only by a span of its type;
    # when the best sentences hold none, the reader finds no answer (and abstains).
    require_type: bool = True


@dataclass(frozen=True)
class Reading:
    """The reader's answer: a span and the sentence that holds it.

    Attributes:
        text: the span, as written in the passage; "" when the question asks for a kind of
            answer (an amount, a date, a name) that no sentence read holds.
        passage_index: the passage holding it (an index into the table's passages).
        start: character offset of the span in ``passage.text``.
        end: offset one past its end.
        sentence_start: offset of the sentence holding it in ``passage.text``.
        sentence_end: offset one past the sentence's end.
        score: the candidate model's log-odds for it.
        support: how many sentences (of passages read) hold the same normalised candidate.
        confidence: the answerability model's probability that the passages answer the
            question with this candidate.
        answered: ``confidence`` clears the model's threshold (otherwise: abstain).
    """

    text: str
    passage_index: int
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    score: float
    support: int = 1
    confidence: float = 1.0
    answered: bool = True


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
    r"(?:years?|months?|weeks?|days?)\sold|GB|TB|MB|gigabytes?|terabytes?|"
    r"[kMGT]?Hz|(?:kilo|mega|giga)?hertz|nanomet(?:er|re)s?|nm|micromet(?:er|re)s?|microns?|"
    r"µm|mAh|volts?|kV|pixels?|GWh|TWh|decibels?|dB"
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
            r"\b(?:[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en|"
            r"[Ee]leven|[Tt]welve|[Dd]ozens|[Hh]undreds|[Tt]housands|[Mm]illions)"
            rf"(?:\s(?!(?:{_TIME_UNIT}|{_STOP})\b)[a-z][a-z-]+)?\b"
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
    if re.match(rf"[\s-](?:{_TIME_UNIT})\b", after, _I):
        return True  # "four years" is a duration
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


def _type_cues(answer_type: AnswerType, sentence: str, start: int, end: int) -> list[float]:
    """Cues of the expected type around a span, one feature each: a locative preposition before
    a place ("at the entrance to [the Lachin Corridor]"), a title before a person ("Dr"), a
    company suffix for an organisation ("Corp"), a full date (day, month and year) rather than
    a bare weekday; and a company suffix on a span asked to be a person (a misfit)."""
    span = sentence[start:end]
    before = sentence[max(0, start - 14) : start]
    place = answer_type == T.PLACE and bool(_PLACE_CUE.search(before))
    person = answer_type == T.PERSON and bool(_PERSON_CUE.search(sentence[:start]))
    org_suffix = bool(_ORG_SUFFIX.search(span)) or (span.isupper() and len(span) > 1)
    organisation = answer_type == T.ORGANISATION and org_suffix
    full_date = answer_type == T.DATE and bool(
        re.search(r"\d", span) and re.search(r"[A-Za-z]", span)
    )
    misfit = answer_type == T.PERSON and org_suffix
    return [float(place), float(person), float(organisation), float(full_date), float(misfit)]


# --- Candidates and their features ----------------------------------------------------------

# spaCy's entity labels, as the answer types they can answer.
_LABEL_TYPES: dict[str, frozenset[AnswerType]] = {
    "PERSON": frozenset({T.PERSON}),
    "ORG": frozenset({T.ORGANISATION, T.ENTITY}),
    "GPE": frozenset({T.PLACE}),
    "LOC": frozenset({T.PLACE}),
    "FAC": frozenset({T.PLACE, T.ENTITY}),
    "NORP": frozenset({T.ENTITY}),
    "PRODUCT": frozenset({T.ENTITY}),
    "EVENT": frozenset({T.ENTITY}),
    "WORK_OF_ART": frozenset({T.ENTITY}),
    "LAW": frozenset({T.ENTITY}),
    "LANGUAGE": frozenset({T.ENTITY}),
    "DATE": frozenset({T.DATE, T.DURATION}),
    "TIME": frozenset({T.DATE, T.DURATION}),
    "MONEY": frozenset({T.MONEY}),
    "PERCENT": frozenset({T.PERCENTAGE}),
    "QUANTITY": frozenset({T.MEASURE}),
    "CARDINAL": frozenset({T.COUNT}),
    "ORDINAL": frozenset(),
}
_NAME_TYPES = frozenset({T.PERSON, T.ORGANISATION, T.PLACE, T.ENTITY})
# Questions whose answer is not of a fixed kind: any noun phrase may answer them.
_UNTYPED = frozenset({T.ENTITY, T.OTHER})

#: The candidate features, in the order of the model's weights (see :func:`collect`).
CANDIDATE_FEATURES = (
    "sentence",
    "dense",
    "lexical",
    "passage_rank",
    "sentence_rank",
    "near_question",
    "near_focus",
    "type_pattern",
    "type_entity",
    "other_entity",
    "name_pattern",
    "noun_phrase",
    "noun_phrase_untyped",
    "typed_question",
    "cue_place",
    "cue_person",
    "cue_organisation",
    "cue_full_date",
    "cue_misfit",
    "words",
    "long",
    "question_overlap",
    "sentence_support",
    "article_support",
    "passage_share",
    "outlets",
    "in_headline",
    "opens_sentence",
    "window_2",
    "window_4",
    "window_10",
    "sentence_share",
    "after_question_word",
    "before_question_word",
    "label_person",
    "label_organisation",
    "label_place",
    "label_date",
    "label_number",
    "label_other",
    "tree_distance",
    "head_in_question",
    "dep_subject",
    "dep_object",
    "dep_preposition",
    "dep_apposition",
    "dep_modifier",
    "cut_phrase",
    "cut_name",
)

# spaCy labels grouped for the label features (a DATE is more often an answer than a NORP).
_LABEL_GROUPS = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "DATE": "date",
    "TIME": "date",
    "MONEY": "number",
    "PERCENT": "number",
    "QUANTITY": "number",
    "CARDINAL": "number",
    "ORDINAL": "number",
}
_GROUPS = ("person", "organisation", "place", "date", "number", "other")

#: The question features of the answerability model (see :func:`question_features`).
QUESTION_FEATURES = (
    "best",
    "margin",
    "top_dense",
    "top_lexical",
    "best_lexical",
    "missing_salient",
    "missing_terms",
    "type_found",
    "typed_question",
    "candidates",
    "best_share",
    "best_window",
    "type_anywhere",
    "salient_missing_sentence",
    "salient_missing_passage",
)


@dataclass(frozen=True)
class Candidate:
    """One mention of a candidate answer, with its features.

    Attributes:
        text: the span, whitespace collapsed.
        key: its normalised form (:func:`normalise`): mentions with one key are one answer.
        passage_index: the passage holding it.
        start: character offset of the span in ``passage.text``.
        end: offset one past its end.
        sentence_start: offset of its sentence in ``passage.text``.
        sentence_end: offset one past the sentence's end.
        features: one value per name of :data:`CANDIDATE_FEATURES`.
    """

    text: str
    key: str
    passage_index: int
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    features: tuple[float, ...]


@dataclass(frozen=True)
class _Mention:
    start: int  # in the sentence
    end: int
    pattern: bool  # a pattern of the expected type found it
    entity: bool  # spaCy labelled it with a label of the expected type
    other_entity: bool  # spaCy labelled it as something else
    name: bool  # the capitalised-name pattern found it
    phrase_only: bool  # only as a noun phrase
    group: str = ""  # the group of spaCy's label (_LABEL_GROUPS), "" when not an entity
    cut: bool = False  # what is left of a longer span once the question's words were cut off


def _mentions(sentence: str, answer_type: AnswerType, annotation: Annotation | None):
    """Typed spans of one sentence, by every source, merged by offsets."""
    found: dict[tuple[int, int], dict[str, bool]] = {}
    groups: dict[tuple[int, int], str] = {}

    def add(span: tuple[int, int], source: str, group: str = "") -> None:
        start, end = _trim(sentence, *span)
        if end > start:
            found.setdefault((start, end), {})[source] = True
            if group:
                groups[start, end] = group

    if answer_type in _PATTERNS:
        for span in candidates(sentence, answer_type):
            add(span, "pattern")
    if answer_type in _NAME_TYPES or answer_type == T.OTHER:
        for span in _names(sentence):
            add(span, "name")
    if annotation is not None:
        for ent in annotation.entities:
            kind = "entity" if answer_type in _LABEL_TYPES.get(ent.label, ()) else "other"
            add((ent.start, ent.end), kind, _LABEL_GROUPS.get(ent.label, "other"))
        for np_ in annotation.noun_phrases:
            add(_drop_determiner(sentence, np_.start, np_.end), "phrase")
    for (start, end), sources in found.items():
        yield _Mention(
            start,
            end,
            pattern=sources.get("pattern", False),
            entity=sources.get("entity", False),
            other_entity=sources.get("other", False) and not sources.get("entity", False),
            name=sources.get("name", False),
            phrase_only=set(sources) == {"phrase"},
            group=groups.get((start, end), ""),
        )


_NOUNS = frozenset({"NOUN", "PROPN", "NUM"})


def _has_noun(annotation: Annotation | None, start: int, end: int) -> bool:
    """True when the span holds a noun, name or number (always, without a parse)."""
    if annotation is None or not annotation.tokens:
        return True
    return any(t.pos in _NOUNS for t in annotation.tokens if t.start >= start and t.end <= end)


def _merge(a: _Mention, b: _Mention) -> _Mention:
    """One mention found by two sources (or cut to the same span from two longer ones)."""
    entity = a.entity or b.entity
    return _Mention(
        a.start,
        a.end,
        pattern=a.pattern or b.pattern,
        entity=entity,
        other_entity=(a.other_entity or b.other_entity) and not entity,
        name=a.name or b.name,
        phrase_only=a.phrase_only and b.phrase_only,
        group=a.group or b.group,
        cut=a.cut and b.cut,
    )


def _drop_determiner(sentence: str, start: int, end: int) -> tuple[int, int]:
    m = re.match(
        r"(?:the|a|an|this|that|these|those|its|their|his|her)\s+", sentence[start:end], _I
    )
    return (start + m.end(), end) if m else (start, end)


_WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|where|when|how)\b", _I)
_OR_CHOICE = re.compile(r"\b[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*,?\s+or\s+(?:the\s+)?[A-Z]")


def readable(plan: QuestionPlan) -> bool:
    """True when the reader states a short answer to ``plan``'s question.

    Yes/no, quotes, reasons and lists keep the sentence answer, and so do statements and
    requests with no question word; so does a question that offers a choice between names it
    gives ("Which was first, Acme or Corvane?"): its answer is a word of
    the question, which the reader never chooses.
    """
    if plan.answer_type not in READ_TYPES:
        return False
    if plan.answer_type == T.OTHER and not _WH_WORD.search(plan.question):
        return False  # a statement or a request ("Tell me about ..."): nothing to name
    return not (plan.comparative and _OR_CHOICE.search(plan.question))


def collect(
    plan: QuestionPlan,
    table: SentenceTable,
    scored: Sequence[_Scored],
    config: ReaderConfig = ReaderConfig(),
) -> list[Candidate]:
    """Every candidate mention in the best sentences, with its features.

    The best ``config.top_sentences`` sentences (sentence score plus a bonus for the passage's
    retrieval rank) are read; candidates are the spans of the expected type found by the
    patterns, spaCy's entities (any label: the model weighs a label that does not fit), names
    and noun phrases, less the words the question already names.

    Args:
        plan: the question's plan.
        table: the retrieved passages' sentence table.
        scored: the table's sentences scored against the question, best first.
        config: how many sentences are read, how long a candidate may be.

    Returns:
        The mentions, in reading order (several may share a key).
    """
    ranked = sorted(scored, key=lambda c: _read_order(c, config), reverse=True)
    ranked = ranked[: config.top_sentences]
    if not ranked:
        return []
    q_words = _question_words(plan)
    focus = {_stem(w) for w in _WORD.findall(plan.focus) if w.lower() not in _Q_STOP}
    typed = plan.answer_type not in _UNTYPED
    texts = [table.passages[c.passage_index].text[c.start : c.end] for c in ranked]
    annotations: Sequence[Annotation | None] = (
        annotate(texts) if config.use_nlp and nlp_available() else [None] * len(texts)
    )
    raw: list[tuple[int, Any, _Mention, str, str]] = []
    for rank, (cand, sentence, annotation) in enumerate(zip(ranked, texts, annotations)):
        # Spans as they are after cutting the question's words off, each source's evidence
        # merged: spaCy's "Baku" and the name pattern's "Baku on April 23" cut to "Baku" are
        # one mention, labelled and capitalised.
        merged: dict[tuple[int, int], _Mention] = {}
        for mention in _mentions(sentence, plan.answer_type, annotation):
            spans = [(mention.start, mention.end)]
            if not mention.pattern:
                spans = _strip_question_words(sentence, mention.start, mention.end, q_words)
            for s, e in spans:
                was_cut = (s, e) != (mention.start, mention.end)
                cut = replace(mention, start=s, end=e, cut=was_cut)
                merged[s, e] = _merge(merged[s, e], cut) if (s, e) in merged else cut
        for (s, e), mention in sorted(merged.items()):
            if mention.phrase_only and not _has_noun(annotation, s, e):
                continue  # "the only road" cut to "only": no thing named is left
            text = " ".join(sentence[s:e].split())
            if not text or _in_question(text, q_words, plan.question):
                continue
            if len(text.split()) > config.max_words:
                continue
            key = normalise(text)
            if key and key not in _NOT_NAMES:
                raw.append((rank, cand, mention, text, key))
    # Agreement: the same key in several sentences, articles, passages and outlets.
    sentences: dict[str, set[tuple[str, int]]] = {}
    articles: dict[str, set[str]] = {}
    for _, cand, _, _, key in raw:
        passage = table.passages[cand.passage_index]
        sentences.setdefault(key, set()).add((passage.article_id, passage.start + cand.start))
        articles.setdefault(key, set()).add(passage.article_id)
    bodies = [f" {normalise(p.text)} " for p in table.passages]
    titles = [f" {normalise(p.title)} " for p in table.passages]
    out = []
    for rank, cand, mention, text, key in raw:
        sentence = texts[rank]
        s, e = mention.start, mention.end
        holding = [i for i, body in enumerate(bodies) if f" {key} " in body]
        words = len(text.split())
        features = (
            cand.score,
            getattr(cand, "dense", cand.score),
            getattr(cand, "lexical", 0.0),
            1.0 / (1 + cand.passage_index),
            1.0 / (1 + rank),
            _closeness(sentence, s, e, q_words),
            _closeness(sentence, s, e, focus),
            float(mention.pattern),
            float(mention.entity),
            float(typed and mention.other_entity),
            float(mention.name),
            float(mention.phrase_only),
            float(mention.phrase_only and not typed),
            float(typed),
            *_type_cues(plan.answer_type, sentence, s, e),
            min(words, 8) / 8,
            float(words > 4),
            _overlap(text, q_words),
            math.log(len(sentences[key])),
            math.log(len(articles[key])),
            len(holding) / len(bodies),
            math.log(1 + len({table.passages[i].source for i in holding})),
            float(any(f" {key} " in t for t in titles)),
            float(len(_WORD.findall(sentence[:s])) <= 2),
            *_window_features(sentence, s, e, q_words),
            *(float(mention.group == g) for g in _GROUPS),
            *_parse_features(annotations[rank], sentence, s, e, q_words),
            # "a converted car ferry" cut to "car" is a fragment; "Acme chief Jane Doe" cut
            # to "Jane Doe" is a name: two weights.
            float(mention.cut and mention.phrase_only),
            float(mention.cut and not mention.phrase_only),
        )
        passage_start = cand.start
        out.append(
            Candidate(
                text=text,
                key=key,
                passage_index=cand.passage_index,
                start=passage_start + s,
                end=passage_start + e,
                sentence_start=cand.start,
                sentence_end=cand.end,
                features=features,
            )
        )
    return out


def _window_features(sentence: str, start: int, end: int, q_words: set[str]) -> list[float]:
    """The question's words around a candidate: the share of them within 2, 4 and 10 words on
    either side and anywhere in the sentence outside it, and whether one sits right before or
    after it ("designed by [Marta Okonkwo]")."""
    before = [_stem(w) for w in _WORD.findall(sentence[:start])]
    after = [_stem(w) for w in _WORD.findall(sentence[end:])]
    n = max(len(q_words), 1)
    shares = [len(set(before[-w:] + after[:w]) & q_words) / n for w in (2, 4, 10)]
    shares.append(len(set(before + after) & q_words) / n)
    shares.append(float(bool(before) and before[-1] in q_words))
    shares.append(float(bool(after) and after[0] in q_words))
    return shares


_FEATURE = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
_NUMBER = re.compile(rf"\d|\b(?:{_NUM_WORDS.replace('|a|an|', '|')})\b")


def _fits_type(answer_type: AnswerType, mention: Candidate) -> bool:
    """A mention that can be the kind of answer asked: an amount for "how much", a date for
    "when", a name for "who" (any span for "what" and other untyped questions)."""
    if answer_type in _UNTYPED:
        return True
    f = mention.features
    if answer_type in _NAME_TYPES:
        if not any(c.isupper() for c in mention.text):
            return False  # a name is capitalised ("2021" names nobody)
        if f[_FEATURE["type_entity"]]:
            return True
        # Capitalised only because it opens the sentence ("Ultimately", "Are"): not a name.
        opener = f[_FEATURE["opens_sentence"]] and len(mention.text.split()) == 1
        return bool(f[_FEATURE["name_pattern"]]) and not (
            opener and mention.start == mention.sentence_start
        )
    if answer_type == T.COUNT and not _NUMBER.search(mention.text):
        return False  # "how many" is answered by a number ("ten Hag" is not one)
    return bool(f[_FEATURE["type_pattern"]] or f[_FEATURE["type_entity"]])


def _read_order(sentence: _Scored, config: ReaderConfig) -> float:
    """What the sentences are read in: their score plus a bonus for the passage's rank."""
    return sentence.score + config.rank_weight / (1 + sentence.passage_index)


def ranked_first(scored: Sequence[_Scored], config: ReaderConfig) -> _Scored:
    """The sentence read first (see :func:`_read_order`)."""
    return max(scored, key=lambda c: _read_order(c, config))


# Dependency labels of a span's root, grouped (spaCy's English labels).
_DEP_GROUPS = (
    frozenset({"nsubj", "nsubjpass", "csubj", "expl"}),
    frozenset({"dobj", "attr", "oprd", "dative"}),
    frozenset({"pobj"}),
    frozenset({"appos"}),
    frozenset({"compound", "amod", "nummod", "poss", "npadvmod", "nmod"}),
)


def _parse_features(
    annotation: Annotation | None, sentence: str, start: int, end: int, q_words: set[str]
) -> list[float]:
    """Where the span sits in the sentence's dependency parse: 1 / (1 + the number of arcs
    to the nearest word of the question), whether its head word is a question word ("designed
    by [Okonkwo]": the head "by" hangs from "designed"), and its root's relation (subject,
    object, object of a preposition, apposition, modifier). Zeros without a parse."""
    if annotation is None or not annotation.tokens:
        return [0.0] * (2 + len(_DEP_GROUPS))
    tokens = annotation.tokens
    inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
    if not inside:
        return [0.0] * (2 + len(_DEP_GROUPS))
    root = next((i for i in inside if tokens[i].head not in inside), inside[0])
    neighbours: dict[int, list[int]] = {}
    for i, t in enumerate(tokens):
        if t.head != i:
            neighbours.setdefault(i, []).append(t.head)
            neighbours.setdefault(t.head, []).append(i)
    matches = {
        i
        for i, t in enumerate(tokens)
        if i not in inside and _stem(sentence[t.start : t.end]) in q_words
    }
    distance = 0.0
    seen, frontier, steps = set(inside), list(inside), 0
    while frontier and matches and not distance:
        steps += 1
        nxt = []
        for i in frontier:
            for j in neighbours.get(i, []):
                if j not in seen:
                    seen.add(j)
                    nxt.append(j)
        if any(j in matches for j in nxt):
            distance = 1.0 / (1 + steps)
        frontier = nxt
    head = tokens[root].head
    # a preposition's head is the word it attaches to ("designed" in "designed by X")
    if tokens[head].dep == "prep" and tokens[head].head != head:
        head = tokens[head].head
    head_word = _stem(sentence[tokens[head].start : tokens[head].end])
    dep = tokens[root].dep
    return [
        distance,
        float(head != root and head_word in q_words),
        *(float(dep in group) for group in _DEP_GROUPS),
    ]


def _overlap(text: str, question_words: set[str]) -> float:
    words = [_stem(w) for w in _WORD.findall(text)]
    words = [w for w in words if w and w not in _JOINERS]
    return sum(w in question_words for w in words) / len(words) if words else 0.0


_SALIENT = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w'’.-]+|\d[\d,.]*)")


def question_features(
    plan: QuestionPlan,
    table: SentenceTable,
    scored: Sequence[_Scored],
    mentions: Sequence[Candidate],
    logits: Sequence[float],
) -> tuple[float, ...]:
    """The answerability model's features of a question (:data:`QUESTION_FEATURES`).

    Args:
        plan: the question's plan.
        table: the retrieved passages' sentence table.
        scored: the scored sentences, best first.
        mentions: :func:`collect`'s candidates.
        logits: the candidate model's score of each mention.
    """
    best_logit, second = -10.0, -10.0
    best: Candidate | None = None
    by_key: dict[str, float] = {}
    for mention, logit in zip(mentions, logits):
        by_key[mention.key] = max(by_key.get(mention.key, -10.0), logit)
        if best is None or logit > best_logit:
            best, best_logit = mention, logit
    if best is not None:
        second = max((v for k, v in by_key.items() if k != best.key), default=-10.0)
    top = scored[0] if scored else None
    # Names and numbers of the question that no top passage mentions: the question is about
    # something else than what was found ("the 1992 report", "Jane Doe's statement").
    salient = {m.group().lower().strip(".,") for m in _SALIENT.finditer(plan.question)}
    salient = {w for w in salient if w not in _NOT_NAMES and w not in _Q_STOP}
    near = " ".join(p.text.lower() for p in table.passages[:3])
    missing = sum(w not in near for w in salient) / len(salient) if salient else 0.0
    q_words = _question_words(plan)
    if best is not None:
        passage = table.passages[best.passage_index]
        words = {
            _stem(w) for w in _WORD.findall(passage.text[best.sentence_start : best.sentence_end])
        }
        missing_terms = sum(w not in words for w in q_words) / len(q_words) if q_words else 0.0
        features = dict(zip(CANDIDATE_FEATURES, best.features))
        best_lexical = features["lexical"]
        type_found = max(features["type_pattern"], features["type_entity"])
        best_share, best_window = features["sentence_share"], features["window_10"]
    else:
        missing_terms, best_lexical, type_found = 1.0, 0.0, 0.0
        best_share = best_window = 0.0
    # The question's names and numbers missing where the answer was found: "revenue in 2022"
    # answered from a sentence about 2021 is not answered.
    if best is not None and salient:
        passage = table.passages[best.passage_index]
        sentence = passage.text[best.sentence_start : best.sentence_end].lower()
        missing_sentence = sum(w not in sentence for w in salient) / len(salient)
        missing_passage = sum(w not in passage.text.lower() for w in salient) / len(salient)
    else:
        missing_sentence = missing_passage = 0.0 if best is not None else 1.0
    type_index = CANDIDATE_FEATURES.index("type_pattern"), CANDIDATE_FEATURES.index("type_entity")
    type_anywhere = float(any(m.features[i] for m in mentions for i in type_index))
    return (
        best_logit,
        min(best_logit - second, 5.0),
        getattr(top, "dense", 0.0) if top else 0.0,
        getattr(top, "lexical", 0.0) if top else 0.0,
        best_lexical,
        missing,
        missing_terms,
        type_found,
        float(plan.answer_type not in _UNTYPED),
        math.log(1 + len(by_key)),
        best_share,
        best_window,
        type_anywhere,
        missing_sentence,
        missing_passage,
    )


# --- The model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearModel:
    """A logistic model over named features: standardised inputs, weights, bias."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logits(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """The model's log-odds of each row of feature values."""
        if not len(rows):
            return np.zeros(0)
        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        return x @ np.asarray(self.weights) + self.bias

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModel:
        """The model as :meth:`to_dict` wrote it."""
        names = tuple(data["features"])
        return cls(
            features=names,
            mean=tuple(float(data["mean"][n]) for n in names),
            scale=tuple(float(data["scale"][n]) for n in names),
            weights=tuple(float(data["weights"][n]) for n in names),
            bias=float(data["bias"]),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, each value named by its feature."""
        return {
            "features": list(self.features),
            "mean": dict(zip(self.features, self.mean)),
            "scale": dict(zip(self.features, self.scale)),
            "weights": dict(zip(self.features, self.weights)),
            "bias": self.bias,
        }


@dataclass(frozen=True)
class ReaderModel:
    """The reader's two trained models and its abstention threshold.

    Attributes:
        candidate: scores a candidate mention (is it the answer?).
        answerable: scores a question from its best candidate and evidence (do the passages
            answer it?).
        threshold: the answerable probability under which the reader abstains.
        about: where the weights came from (training data, date, figures).
    """

    candidate: LinearModel
    answerable: LinearModel
    threshold: float
    about: dict[str, Any]

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ReaderModel:
        """The model saved at ``path`` (by default the one shipped with newsqa)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        candidate = LinearModel.from_dict(data["candidate"])
        answerable = LinearModel.from_dict(data["answerable"])
        if candidate.features != CANDIDATE_FEATURES or answerable.features != QUESTION_FEATURES:
            raise ValueError(f"{path}: trained on other features; retrain (bench/train_reader.py)")
        return cls(candidate, answerable, float(data["threshold"]), data.get("about", {}))

    def save(self, path: Path) -> None:
        """Write the model as JSON (what :meth:`load` reads)."""
        data = {
            "about": self.about,
            "threshold": self.threshold,
            "candidate": self.candidate.to_dict(),
            "answerable": self.answerable.to_dict(),
        }
        Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def default_model() -> ReaderModel:
    """The shipped model (``qa/answer/reader_model.json``), loaded once."""
    return ReaderModel.load()


def read(
    plan: QuestionPlan,
    table: SentenceTable,
    scored: Sequence[_Scored],
    config: ReaderConfig = ReaderConfig(),
    model: ReaderModel | None = None,
) -> Reading | None:
    """The short answer to a planned question, read from the best sentences.

    Args:
        plan: the question's plan (answer type, focus, question).
        table: the retrieved passages' sentence table.
        scored: the table's sentences scored against the question, best first (the extractive
            answerer's :meth:`~qa.answer.extractive.ExtractiveAnswerer.score_sentences`).
        config: which sentences are read.
        model: the trained scores (default: the shipped :func:`default_model`).

    Returns:
        The best candidate, the sentence that holds it and how likely the passages answer the
        question at all (:attr:`Reading.confidence`), or None when the question's type is not
        read (:func:`readable`) or no sentence holds a candidate outside the question.
    """
    if not readable(plan):
        return None
    model = model or default_model()
    mentions = collect(plan, table, scored, config)
    if not mentions:
        return None
    logits = model.candidate.logits([m.features for m in mentions])
    fits = [_fits_type(plan.answer_type, m) for m in mentions]
    if config.require_type and not any(fits):
        # "How much did it cost?" and no amount in the best sentences: nothing to state.
        best = ranked_first(scored, config)
        return Reading(
            text="",
            passage_index=best.passage_index,
            start=best.start,
            end=best.start,
            sentence_start=best.start,
            sentence_end=best.end,
            score=float("-inf"),
            support=0,
            confidence=0.0,
            answered=not config.abstain,
        )
    allowed = np.where(fits, logits, -np.inf) if config.require_type else logits
    chosen = mentions[int(np.argmax(allowed))]
    q = question_features(plan, table, scored, mentions, logits.tolist())
    confidence = float(1 / (1 + math.exp(-model.answerable.logits([q])[0])))
    support = len({(m.passage_index, m.sentence_start) for m in mentions if m.key == chosen.key})
    return Reading(
        text=chosen.text,
        passage_index=chosen.passage_index,
        start=chosen.start,
        end=chosen.end,
        sentence_start=chosen.sentence_start,
        sentence_end=chosen.sentence_end,
        score=float(np.max(allowed)),
        support=support,
        confidence=confidence,
        answered=confidence >= model.threshold or not config.abstain,
    )
