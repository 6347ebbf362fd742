"""Follow-up questions rewritten to stand alone before retrieval.

"And what did Baku say?" retrieves nothing useful on its own. With an LLM configured, the model
rewrites the follow-up from the last three turns. Without one (or when the call fails) a local
rule does, for a question that looks like a follow-up (it opens with "and", "what about", ...,
leans on a pronoun, or is very short).

The local rule reads three kinds of mention in the follow-up and in the question before it:
indexed outlets (:mod:`qa.question.outlets`), periods (months, years and dates, as
:mod:`qa.question.periods` reads them, with a preposition before them: "in November") and
persons (a run of two or more capitalised words that are not function words, "Sam Altman", or one
after a title, "Mr Sunak"; a single capitalised word is as often a company, place or product as a
person, so it stays with the topic). A follow-up that names a mention of one kind replaces the
previous question's mentions of that kind; one that names none keeps them:

* a follow-up made only of mentions ("And The Verge?", "What about in November?") is the previous
  question with them put in place of the old ones ("What did TechCrunch report in October about
  Nvidia's chip?" becomes "What did TechCrunch report in November about Nvidia's chip?"), or,
  where it had none of that kind, added in parentheses;
* any other follow-up keeps its own words and borrows, in parentheses, the previous question's
  content words and the mentions of the kinds it does not name (an outlet whole, "The Verge"; a
  publication period with its verb, "published in October", so it stays a filter), plus the
  previous short answer when that was a name or phrase (so "what did he do next?" after "Sam
  Altman" searches for Sam Altman).

The previous question is itself rewritten first when it was a follow-up, so a chain of them keeps
the subject. Retrieval and the extractive scorer work on words, so this carries the topic forward
without pretending to resolve grammar.

The LLM is asked only when the question looks like a follow-up: a call costs seconds on a
local model, and a question that stands alone needs no rewrite.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.text import FOLLOW_UP_STOP_WORDS, FUNCTION_WORDS, NOT_NAMES, QUESTION_FRAME_WORDS

from ..answer.citations import strip_markers
from ..answer.llm import ChatModel, LLMError
from ..answer.prompts import REWRITE_SYSTEM, rewrite_message
from .outlets import outlet_spans
from .periods import date_spans, find_periods

History = Sequence[tuple[str, str]]

_LEADING = re.compile(
    r"^\s*(?:and|but|also|so|then|what about|how about|and what about|same for|what of)\b[\s,]*",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"\b(?:it|its|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there"
    r"|the same|the company|the team|the firm|the club|the player|the article)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w][\w'’.-]*")
_MAX_REWRITE_CHARS = 400

_OUTLET, _PERIOD, _PERSON = "outlet", "period", "person"

# Months written out and capitalised ("may" is also a verb); dates with a day ("Oct 7") come
# from periods.date_spans.
_MONTH_NAMES = "|".join(calendar.month_name[1:])
_TIME = re.compile(
    rf"\b(?:(?i:early|mid|late)[\s-]+)?(?:{_MONTH_NAMES})\b(?:\s+(?:19|20)\d{{2}}\b)?"
    r"|\b(?:19|20)\d{2}\b"
)
_TIME_PREPOSITION = re.compile(
    r"\b(?:in|on|during|from|since|after|before|until|till|through|by|between)\s+$",
    re.IGNORECASE,
)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’&.-]*(?:[ \t]+[A-Z][\w'’&.-]*)*")
_TITLES = frozenset({"mr", "mrs", "ms", "dr"})
# Capitalised words that do not start or end a person's name: "Did", "What", "Tell", "Will".
_NOT_PERSON = (
    NOT_NAMES
    | QUESTION_FRAME_WORDS
    | FOLLOW_UP_STOP_WORDS
    | frozenset("will would can could should might must shall".split())
)
# Words a follow-up made only of mentions may hold besides them ("in", "the"); a question word
# other than "what" asks something new ("When in November?"), so that follow-up keeps its words.
_FRAGMENT_WORDS = FUNCTION_WORDS - frozenset("how when where which who whom whose why".split())
_JOINER_BEFORE = re.compile(r"(?:\s*,\s*|\s+(?:and|or|&)\s+)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Mention:
    """An outlet, period or person named in a question: ``text[start:end]``, with a preposition
    from ``lead`` ("in November"; ``lead == start`` when there is none)."""

    kind: str
    start: int
    end: int
    lead: int


def looks_like_follow_up(question: str) -> bool:
    """True when ``question`` probably depends on the conversation before it."""
    words = question.split()
    return bool(_LEADING.match(question) or _PRONOUN.search(question) or len(words) <= 4)


def local_rewrite(question: str, history: History, outlets: Iterable[str] = ()) -> str:
    """Rewrite a follow-up without an LLM (the rule is in the module docstring).

    Args:
        question: the follow-up.
        history: earlier (question, answer text) turns, oldest first.
        outlets: the indexed outlets, so a newly named one replaces the old one.

    Returns:
        ``question`` itself when there is no history or it stands alone; else the previous
        question with the follow-up's mentions in place of its own, or the follow-up with the
        borrowed words in parentheses.
    """
    if not history or not looks_like_follow_up(question):
        return question
    known = list(outlets)
    previous = history[0][0]
    for (asked, _), (_, answer) in zip(history[1:], history[:-1]):
        previous = _follow_on(asked, previous, answer, known)
    return _follow_on(question, previous, history[-1][1], known)


def rewrite_question(
    question: str,
    history: History,
    llm: ChatModel | None = None,
    outlets: Iterable[str] = (),
) -> str:
    """A follow-up rewritten to stand alone (LLM when given, else :func:`local_rewrite`).

    Args:
        question: the latest question.
        history: earlier (question, answer text) turns, oldest first.
        llm: the chat model, or None.
        outlets: the indexed outlets (for the local rule).

    Returns:
        The standalone question (``question`` unchanged when it needs no rewrite).
    """
    if not history or not looks_like_follow_up(question):
        return question
    if llm is not None:
        try:
            reply = llm.complete(REWRITE_SYSTEM, rewrite_message(history, question), max_tokens=80)
            rewritten = _clean(reply)
            if rewritten:
                return rewritten
        except LLMError:
            pass  # the local rule still gives retrieval the topic
    return local_rewrite(question, history, outlets)


def _follow_on(question: str, previous: str, previous_answer: str, outlets: list[str]) -> str:
    """``question`` made to stand alone after ``previous`` (a standalone question)."""
    if not looks_like_follow_up(question):
        return question
    body = _LEADING.sub("", question).strip() or question
    named = _mentions(body, outlets)
    if named and _only_mentions(body, named):
        return _substitute(previous, _mentions(previous, outlets), body, named)
    body = body[0].upper() + body[1:]
    kinds = {m.kind for m in named}
    own = {w.lower().strip(".'’") for w in _WORD.findall(body)}
    borrowed: list[str] = []
    seen: set[str] = set()
    for phrase, kind in _pieces(previous, outlets):
        key = phrase.lower().strip(".'’")
        if kind is not None:
            if kind in kinds or key in body.lower() or key in seen:
                continue
        elif not key or key in FOLLOW_UP_STOP_WORDS or key in own or key in seen:
            continue
        seen.add(key)
        borrowed.append(phrase.strip(".'’"))
    short = _short_answer(previous_answer)
    if (
        short
        and short.lower() not in body.lower()
        and not kinds & {m.kind for m in _mentions(short, outlets)}
    ):
        borrowed.insert(0, short)
    return f"{body} ({' '.join(borrowed)})" if borrowed else body


def _mentions(text: str, outlets: Sequence[str]) -> list[_Mention]:
    """The outlets, periods and persons ``text`` names, in order, none overlapping."""
    found = [_Mention(_OUTLET, s, e, s) for s, e, _ in outlet_spans(text, outlets)]
    times = [m.span() for m in _TIME.finditer(text)] + date_spans(text)
    for start, end in sorted(times, key=lambda span: (span[0], span[0] - span[1])):
        if not any(start < m.end and m.start < end for m in found):
            lead = _TIME_PREPOSITION.search(text, 0, start)
            found.append(_Mention(_PERIOD, start, end, lead.start() if lead else start))
    masked = list(text)
    for m in found:
        masked[m.start : m.end] = "#" * (m.end - m.start)
    for run in _CAPITALISED_RUN.finditer("".join(masked)):
        words = [
            (run.start() + w.start(), run.start() + w.start() + len(_bare(w.group(0))))
            for w in re.finditer(r"\S+", run.group(0))
        ]
        title: tuple[int, int] | None = None
        while words and _bare(text[slice(*words[0])]).lower() in _NOT_PERSON:
            first = words.pop(0)
            title = first if _bare(text[slice(*first)]).lower() in _TITLES else None
        while words and _bare(text[slice(*words[-1])]).lower() in _NOT_PERSON:
            words.pop()
        if title and words:
            words.insert(0, title)
        if len(words) >= 2:
            found.append(_Mention(_PERSON, words[0][0], words[-1][1], words[0][0]))
    return sorted(found, key=lambda m: m.start)


def _bare(word: str) -> str:
    """A word without trailing punctuation or possessive ("Altman's" -> "Altman")."""
    return re.sub(r"(?:['’]s?|[.,;:!?])+$", "", word)


def _only_mentions(body: str, named: list[_Mention]) -> bool:
    """True when ``body`` says nothing beyond its mentions and function words ("And in May?")."""
    rest = body
    for m in reversed(named):
        rest = rest[: m.lead] + " " + re.sub(r"^['’]s\b", "", rest[m.end :])
    return all(w.lower().strip(".'’") in _FRAGMENT_WORDS for w in _WORD.findall(rest))


def _substitute(previous: str, old: list[_Mention], body: str, named: list[_Mention]) -> str:
    """``previous`` with ``named`` (mentions of ``body``) in place of its mentions of the same
    kinds; a kind it lacks is added in parentheses."""
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    for kind in dict.fromkeys(m.kind for m in named):
        new = [m for m in named if m.kind == kind]
        replaced = [m for m in old if m.kind == kind]
        if not replaced:
            added.append(" and ".join(body[m.lead : m.end] for m in new))
            continue
        lead = body[new[0].lead : new[0].start]
        names = " and ".join(body[m.start : m.end] for m in new)
        first = replaced[0]
        edits.append((first.lead if lead else first.start, first.end, lead + names))
        for m in replaced[1:]:
            joiner = _JOINER_BEFORE.search(previous, 0, m.lead)
            edits.append((joiner.start() if joiner else m.lead, m.end, ""))
    text = previous
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    text = re.sub(r"\s+([?.,)])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return f"{text} ({' '.join(added)})" if added else text


def _pieces(question: str, outlets: Sequence[str]) -> list[tuple[str, str | None]]:
    """``question`` as borrowable pieces in order: each mention whole with its kind (a
    publication period with its verb, "published in October"), each other word with None."""
    spans = [(m.lead, m.end, m.kind) for m in _mentions(question, outlets)]
    for period in find_periods(question):
        start = question.find(period.text)
        if start < 0:
            continue
        end = start + len(period.text)
        inside = [s for s in spans if s[2] == _PERIOD and start <= s[0] and s[1] <= end]
        if inside:
            spans = [s for s in spans if s not in inside] + [(start, end, _PERIOD)]
    spans.sort()
    out: list[tuple[str, str | None]] = []
    position = 0
    for start, end, kind in spans:
        out += [(w, None) for w in _WORD.findall(question[position:start])]
        out.append((question[start:end], kind))
        position = end
    out += [(w, None) for w in _WORD.findall(question[position:])]
    return out


def _clean(reply: str) -> str:
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = re.sub(
        r"^(?:rewritten(?: question)?|question|standalone question)\s*:\s*",
        "",
        lines[0],
        flags=re.IGNORECASE,
    )
    line = line.strip().strip('"“”').strip()
    return line if 3 <= len(line) <= _MAX_REWRITE_CHARS else ""


def _short_answer(answer: str) -> str:
    """The first line of a previous answer when it is a short name or phrase (not Yes/No)."""
    first = strip_markers(answer).strip().split("\n", 1)[0].strip().rstrip(".")
    if not first or len(first.split()) > 6 or first.lower() in {"yes", "no"}:
        return ""
    if first.lower().startswith("the indexed articles"):
        return ""
    return first
