"""The values a sentence states: amounts, counts, percentages, measures, dates and speakers.

Corroboration and conflict detection (:mod:`qa.answer.crosscheck`) compare statements by the
values they hold: two reports of one statement hold the same values; two reports that disagree
hold different values for the same thing. This module finds the values in a sentence and says
when two of them agree.

Numbers are read as intervals, so that a rounded or hedged figure agrees with a precise one:

* a written figure stands for what rounds to it: "30,000" for 30,000 ± 2% (at most half of its
  last non-zero digit: "30,112" is 30,112 ± 0.5), "1.3 billion" for 1.251 to 1.349 billion
  (half a unit of its last written digit, a little less, so that 1.3 and 1.4 stay apart);
* a hedge widens it: "about"/"around"/"roughly" ±10%, "nearly"/"almost" up to 10% below,
  "more than"/"over"/"at least" anything above, "up to"/"less than"/"under" anything below;
* a range ("between 25,000 and 30,000", "25,000-30,000") is its two ends;
* scales are multiplied out ("$1.3 billion", "$1,300 million" and "$1.3bn" are one amount).

Two numeric values *agree* when their intervals overlap. They are *comparable* only when they
are of one kind and one unit: a currency, a measure's unit, the noun a count counts ("30,000
people" and "5,000 homes" are not compared). Dates agree when every part both give (year,
month, day) is equal ("March 2023" agrees with "March 5, 2023"). A speaker is the capitalised
name a statement is attributed to ("Netanyahu said", "according to Yoav Gallant"); two agree
when one name's words hold the other's last word ("Netanyahu", "Benjamin Netanyahu").

Values are found by patterns, not by a parser: about 0.1 ms a sentence, so every retrieved
sentence can be read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..question.periods import MONTH, MONTH_NUMBERS

__all__ = ["Value", "agree", "comparable", "values_in"]

#: The kinds of value, in the order their patterns claim text (an amount's digits are never
#: read again as a count).
KINDS = ("money", "percent", "date", "duration", "measure", "count", "speaker")


_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_CURRENCY_SIGNS = {"$": "$", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = {
    "dollar": "$",
    "euro": "EUR",
    "pound": "GBP",
    "sterling": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupee": "INR",
    "franc": "CHF",
    "peso": "MXN",
    "won": "KRW",
    "rouble": "RUB",
    "ruble": "RUB",
    "shekel": "ILS",
    "crown": "SEK",
    "krona": "SEK",
    "kronor": "SEK",
}
_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "INR", "CHF", "AUD", "CAD", "SEK", "NOK", "DKK")
# A currency prefix before the sign: "US$" is the dollar; "A$", "C$", "HK$" are others.
_PREFIXES = {"US": "$", "A": "AUD", "AU": "AUD", "C": "CAD", "CA": "CAD", "HK": "HKD", "NZ": "NZD"}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDNUM = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn)\b|(?:k|m|b)\b)"
_UNITS = (
    r"miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet|foot|ft|inch(?:es)?|centimet(?:er|re)s?|"
    r"cm|millimet(?:er|re)s?|mm|yards?|tons?|tonnes?|kilograms?|kg|kilos?|grams?|pounds?|lbs?|"
    r"ounces?|degrees?|mph|km/h|kph|knots?|acres?|hectares?|square\s(?:miles?|kilomet(?:er|re)s?|"
    r"met(?:er|re)s?|feet)|gallons?|lit(?:er|re)s?|barrels?|megawatts?|gigawatts?|kilowatts?|"
    r"watts?|MW|GW|kW|kWh|MWh|GWh|TWh|GB|TB|MB|gigabytes?|terabytes?|GHz|MHz|mAh|storeys?|"
    r"floors|points?|goals?|runs?|yards"
)
_TIME_UNITS = r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?"
# A hedge before a number, and how it turns the number into an interval.
_HEDGE = (
    r"(?:(?P<hedge>about|around|roughly|approximately|some|nearly|almost|close\sto|"
    r"more\sthan|over|at\sleast|upwards\sof|in\sexcess\sof|exceeding|up\sto|less\sthan|"
    r"fewer\sthan|under|below|at\smost|an\sestimated|estimated|just\sover|just\sunder)\s)?"
)
_I = re.IGNORECASE

_MONEY = re.compile(
    _HEDGE
    + rf"(?P<prefix>US|AU|A|CA|C|HK|NZ)?(?P<sign>[$€£¥₹])\s?(?P<num>{_NUM})(?P<scale>{_SCALE})?"
    + rf"(?:\s?(?:-|to|and)\s?[$€£¥₹]?\s?(?P<num2>{_NUM})(?P<scale2>{_SCALE})?)?",
    _I,
)
_MONEY_WORDS = re.compile(
    _HEDGE
    + rf"(?P<num>{_NUM})(?P<scale>{_SCALE})?\s(?:(?P<code>{'|'.join(_CODES)})\b|"
    + rf"(?P<word>(?:US\s)?(?:{'|'.join(_CURRENCY_WORDS)})s?)\b)",
    _I,
)
_MONEY_CODE = re.compile(
    _HEDGE + rf"\b(?P<code>{'|'.join(_CODES)})\s?(?P<num>{_NUM})(?P<scale>{_SCALE})?"
)
_PERCENT = re.compile(
    _HEDGE
    + rf"(?P<num>{_NUM})(?:\s?(?:-|to|and)\s?(?P<num2>{_NUM}))?\s?"
    + r"(?P<unit>%|percent\b|per\scent\b|percentage\spoints?\b)",
    _I,
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|20)\d{2}"
_DATES = (
    re.compile(rf"\b(?P<month>{MONTH})\s(?P<day>{_DAY})\b(?:,?\s(?P<year>{_YEAR})\b)?"),
    re.compile(rf"\b(?P<day>{_DAY})\s(?:of\s)?(?P<month>{MONTH})(?:,?\s(?P<year>{_YEAR})\b)?"),
    re.compile(r"\b(?P<year>\d{4})-(?P<monthn>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b(?P<month>{MONTH})\s(?P<year>{_YEAR})\b"),
    re.compile(rf"\b(?:in|since|by|until|of|from)\s(?P<year>{_YEAR})\b(?![-\d])"),
)
_DURATION = re.compile(
    rf"\b(?P<num>{_NUM}|{_WORDNUM})[\s-](?P<unit>{_TIME_UNITS})(?:[\s-]long|[\s-]old)?\b", _I
)
_MEASURE = re.compile(
    _HEDGE + rf"(?P<num>{_NUM})(?P<scale>{_SCALE})?[\s-]?(?P<unit>{_UNITS})(?![\w/])",
    _I,
)
_COUNT = re.compile(
    _HEDGE
    + rf"(?<![\w$€£¥₹.,-])(?P<num>{_NUM}|{_WORDNUM})(?P<scale>{_SCALE})?"
    + rf"(?:\s?(?:-|to|and)\s?(?P<num2>{_NUM}))?"
    + r"(?:\s(?P<noun>[a-z][a-z-]{2,}))?(?![\w%])",
    _I,
)
_RANGE_START = re.compile(r"\bbetween\s$", _I)
# A name: one to four capitalised words, perhaps joined by "de", "van", "bin" ...
_NAME = r"[A-Z][\w'’.-]+(?:\s(?:(?:de|van|von|der|al|bin|da|di|le|la)\s)?[A-Z][\w'’.-]+){0,3}"
_SAID = r"(?:said|says|told|added|stated|wrote|announced|explained|warned|insisted|claimed)"
_SPEAKERS = (
    re.compile(rf"(?P<name>{_NAME})(?:,\s[^,]{{3,60}},)?\s{_SAID}\b"),
    re.compile(rf"\b{_SAID}\s(?P<name>{_NAME})"),
    re.compile(rf"\baccording\sto\s(?P<name>{_NAME})"),
)
# Capitalised words that name no one: sentence openers, calendar words, and the titles and
# offices before a name ("Interior Minister Lucia Ferrand" is Lucia Ferrand).
_NOT_SPEAKERS = frozenset(
    """the a an it he she they we i you this that there his her their our officials official
    police but and so then however meanwhile also in on at later earlier monday tuesday
    wednesday thursday friday saturday sunday prime minister president vice chancellor
    secretary interior foreign finance defence defense health justice economy trade energy
    education home state chief executive ceo cfo cto coo officer founder co-founder cofounder
    chairman chairwoman chair spokesperson spokesman spokeswoman director governor senator
    sen rep representative mayor general gen coach manager head analyst professor prof dr mr
    mrs ms sir dame lord lady judge attorney ambassador king queen prince pope
    commissioner inspector sergeant captain colonel""".split()
)
# Counts that are not counts: ordinals and parts of names or times.
_NOT_COUNTED = frozenset(
    """and or to of in on at by for from with as than the that which who were was is are had
    has have per percent cent am pm""".split()
)


@dataclass(frozen=True)
class Value:
    """One value a sentence states.

    Attributes:
        kind: "money", "percent", "date", "duration", "measure", "count" or "speaker".
        text: the value as written ("$1.3 billion", "30,000 people", "Oct. 20",
            "Yoav Gallant"), for the answer to quote.
        start: character offset of ``text`` in the sentence.
        end: offset one past its end.
        low: the least number it stands for (numeric kinds; 0.0 otherwise).
        high: the greatest (``math.inf`` for "more than"; 0.0 when not numeric).
        unit: what is counted or measured: a currency ("$", "EUR"), "%" or "pp", a unit
            ("km", "year"), the noun a count counts ("people"), or "" when unknown.
        date: (year, month, day) of a date, each 0 when not given.
        name: a speaker's name, lower-cased.
    """

    kind: str
    text: str
    start: int
    end: int
    low: float = 0.0
    high: float = 0.0
    unit: str = ""
    date: tuple[int, int, int] = (0, 0, 0)
    name: str = ""

    @property
    def numeric(self) -> bool:
        """True for amounts, percentages, measures, durations and counts."""
        return self.kind not in ("date", "speaker")


def _number(text: str) -> tuple[float, float]:
    """The number written in ``text`` and the rounding its digits allow."""
    word = text.lower()
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word]), 0.0
    digits = text.replace(",", "")
    value = float(digits)
    if "." in digits:
        # A decimal's precision is what it writes: 1.3 stands for 1.25 to 1.35 (a little less,
        # so that 1.3 and 1.4 do not touch).
        return value, 0.49 * 10.0 ** -len(digits.split(".")[1])
    # A whole number stands for what rounds to it: "13" for 12.51 to 13.49 (so 3 and 4 stay
    # apart), "30,000" for up to 2% either side (not the 5,000 its zeros would allow).
    zeros = len(digits) - len(digits.rstrip("0")) if value else 0
    return value, min(0.49 * 10.0**zeros, max(0.49, 0.02 * value))


def _scale(raw: str | None) -> float:
    return _SCALES.get((raw or "").strip().lower(), 1.0)


def _interval(match: re.Match[str]) -> tuple[float, float]:
    """The interval a numeric match stands for: its rounding, hedge and range."""
    groups = match.groupdict()
    value, tolerance = _number(groups["num"])
    scale = _scale(groups.get("scale"))
    low, high = (value - tolerance) * scale, (value + tolerance) * scale
    second = groups.get("num2")
    if second:
        other, other_tol = _number(second)
        # "$1.3-1.5 billion": the scale written once serves both ends.
        other_scale = _scale(groups.get("scale2")) if groups.get("scale2") else scale
        low, high = (
            min(low, (other - other_tol) * other_scale),
            max(high, (other + other_tol) * other_scale),
        )
    hedge = (groups.get("hedge") or "").lower().replace("\n", " ")
    hedge = " ".join(hedge.split())
    if hedge in (
        "about",
        "around",
        "roughly",
        "approximately",
        "some",
        "close to",
        "estimated",
        "an estimated",
    ):
        low, high = low * 0.9, high * 1.1
    elif hedge in ("nearly", "almost", "just under"):
        low = low * 0.9
    elif hedge in ("more than", "over", "at least", "upwards of", "in excess of", "exceeding"):
        high = math.inf
    elif hedge == "just over":
        high = high * 1.1
    elif hedge in ("up to", "less than", "fewer than", "under", "below", "at most"):
        low = 0.0
    return low, high


def _singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


# One name per unit, so that "7-inch" and "7 inches", "km" and "kilometres" are compared.
_UNIT_NAMES = {
    "inch": "in",
    "in": "in",
    "foot": "ft",
    "feet": "ft",
    "ft": "ft",
    "mile": "mi",
    "kilometer": "km",
    "kilometre": "km",
    "km": "km",
    "meter": "m",
    "metre": "m",
    "centimeter": "cm",
    "centimetre": "cm",
    "millimeter": "mm",
    "millimetre": "mm",
    "kilogram": "kg",
    "kilo": "kg",
    "kg": "kg",
    "gram": "g",
    "tonne": "t",
    "ton": "t",
    "pound": "lb",
    "lb": "lb",
    "liter": "l",
    "litre": "l",
    "gigabyte": "gb",
    "terabyte": "tb",
    "storey": "floor",
    "story": "floor",
}


def _unit(raw: str) -> str:
    word = _singular(raw.replace(" ", ""))
    return _UNIT_NAMES.get(word, word.lower())


def _taken(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in spans)


def _numeric(kind: str, sentence: str, match: re.Match[str], unit: str) -> Value:
    low, high = _interval(match)
    start = match.start("num")
    if match.groupdict().get("sign"):
        start = match.start("prefix") if match.group("prefix") else match.start("sign")
    if match.groupdict().get("code") and match.start("code") < start:
        start = match.start("code")
    hedge_start = match.start("hedge") if match.groupdict().get("hedge") else start
    between = _RANGE_START.search(sentence[:hedge_start])
    if between:
        hedge_start = between.start()  # the range's text, for the answer to quote
    end = match.end()
    return Value(kind, sentence[hedge_start:end].strip(), hedge_start, end, low, high, unit)


@lru_cache(maxsize=4096)
def values_in(sentence: str) -> tuple[Value, ...]:
    """Every value ``sentence`` states, in text order, no two overlapping.

    Args:
        sentence: one sentence.

    Returns:
        The values; a number is read once, as the first kind whose pattern takes it (an
        amount before a percentage, a date, a duration, a measure, a count).
    """
    found: list[Value] = []
    taken: list[tuple[int, int]] = []

    def add(value: Value, span: tuple[int, int]) -> None:
        if not _taken(taken, *span):
            found.append(value)
            taken.append(span)

    for pattern in (_MONEY, _MONEY_CODE, _MONEY_WORDS):
        for m in pattern.finditer(sentence):
            groups = m.groupdict()
            if groups.get("sign"):
                prefix = (groups.get("prefix") or "").upper()
                unit = _PREFIXES.get(prefix, "") or _CURRENCY_SIGNS[groups["sign"]]
                if prefix == "US":
                    unit = "$"
            elif groups.get("code"):
                unit = groups["code"].upper().replace("USD", "$")
            else:
                word = _singular(groups["word"].split()[-1])
                unit = _CURRENCY_WORDS.get(word, _CURRENCY_WORDS.get(word + "s", word))
            value = _numeric("money", sentence, m, unit)
            add(value, (value.start, value.end))
    for m in _PERCENT.finditer(sentence):
        unit = "pp" if m.group("unit").lower().startswith("percentage") else "%"
        value = _numeric("percent", sentence, m, unit)
        add(value, (value.start, value.end))
    for pattern in _DATES:
        for m in pattern.finditer(sentence):
            groups = m.groupdict()
            start = m.start("month") if groups.get("month") else m.start()
            if groups.get("day") and groups.get("month") and m.start("day") < m.start("month"):
                start = m.start("day")
            if not groups.get("month") and not groups.get("monthn"):
                start = m.start("year")
            month = groups.get("month")
            month_number = (
                MONTH_NUMBERS.get(month.lower().rstrip("."), 0)
                if month
                else int(groups.get("monthn") or 0)
            )
            day = int(re.sub(r"\D", "", groups.get("day") or "") or 0)
            year = int(groups.get("year") or 0)
            if day > 31 or month_number > 12:
                continue
            text = sentence[start : m.end()].rstrip(".,")
            add(
                Value("date", text, start, start + len(text), date=(year, month_number, day)),
                (start, m.end()),
            )
    for m in _DURATION.finditer(sentence):
        value = _numeric("duration", sentence, m, _singular(m.group("unit")))
        add(value, (value.start, value.end))
    for m in _MEASURE.finditer(sentence):
        value = _numeric("measure", sentence, m, _unit(m.group("unit")))
        add(value, (value.start, value.end))
    for m in _COUNT.finditer(sentence):
        number = m.group("num")
        if re.fullmatch(r"(?:1[89]|20)\d{2}", number) and not m.group("noun"):
            continue  # a year standing alone
        if number.lower() in _WORD_NUMBERS and (not m.group("noun") or number.lower() == "one"):
            continue  # "two of the ...", "one man's quest": words, not figures
        noun = m.group("noun") or ""
        end = m.end()
        if noun.lower() in _NOT_COUNTED:
            end = (
                m.end("num2")
                if m.group("num2")
                else m.end("scale")
                if m.group("scale")
                else (m.end("num"))
            )
            noun = ""
        value = _numeric("count", sentence, m, _singular(noun) if noun else "")
        value = Value(
            "count",
            sentence[value.start : end].strip(),
            value.start,
            end,
            value.low,
            value.high,
            value.unit,
        )
        add(value, (value.start, value.end))
    for pattern in _SPEAKERS:
        for m in pattern.finditer(sentence):
            words = m.group("name").split()
            while words and words[0].lower().strip(".,") in _NOT_SPEAKERS:
                words = words[1:]
            while words and words[-1].lower().strip(".,") in _NOT_SPEAKERS:
                words = words[:-1]
            if not words:
                continue
            name = " ".join(words).rstrip(".,'’")
            name = re.sub(r"['’]s$", "", name)
            # The value's span keeps the title, so that "Prime Minister" is not read as words
            # of the statement; the name alone is compared.
            start = m.start("name")
            end = sentence.find(words[-1], sentence.find(words[0], start)) + len(words[-1])
            add(Value("speaker", name, start, end, name=name.lower()), (start, end))
    found.sort(key=lambda v: v.start)
    return tuple(found)


def comparable(a: Value, b: Value) -> bool:
    """True when ``a`` and ``b`` could be two reports of one value: one kind, one unit.

    A count whose noun is unknown is comparable with any count; two named nouns must be the
    same ("30,000 people" and "5,000 homes" are not compared).
    """
    if a.kind != b.kind:
        return False
    if a.kind == "count":
        return not a.unit or not b.unit or a.unit == b.unit
    if a.kind in ("money", "percent", "measure", "duration"):
        return a.unit == b.unit
    return True


def agree(a: Value, b: Value) -> bool:
    """True when comparable values ``a`` and ``b`` can both be true of one thing.

    Numbers agree when their intervals overlap (rounding, hedges and ranges allowed for);
    dates when every part both give is equal; speakers when one name holds the other's last
    word. Values that are not :func:`comparable` never agree.
    """
    if not comparable(a, b):
        return False
    if a.numeric:
        return a.low <= b.high and b.low <= a.high
    if a.kind == "date":
        return all(x == y or not x or not y for x, y in zip(a.date, b.date))
    first, second = a.name.split(), b.name.split()
    return first[-1] in second or second[-1] in first
