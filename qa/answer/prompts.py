"""Every text newsqa sends to an LLM or shows as a canned answer, in one place.

The answer prompt is kept lean because a small local model on two CPU cores reads prompts slowly
(scripts/README.md): time to first token is mostly prompt length. The system prompt is fixed and
comes first, so a llama.cpp server reuses its cached state and pays for it only once; the
per-question part (passages, question) is bounded by the context budget (see
:mod:`qa.answer.context`). The worked examples (a yes/no question and a "which" question) show the
exact layout the parser expects: the short answer alone on the first line, then cited sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..types import Passage, TimelineEvent

ABSTAIN_TEXT = "The indexed articles don't answer this."

#: What the model must write when the passages do not answer.
MODEL_ABSTAIN = "The articles don't say."

#: Replies that mean "the passages don't answer" (the model does not always use the exact words).
MODEL_ABSTAIN_PATTERN = re.compile(
    r"(articles?|passages?|sources?|texts?|context)\s+(?:do|does)\s*(?:n[o’']t|not)\s+"
    r"(?:say|answer|mention|contain|provide|specify|state|include)"
    r"|insufficient information|not enough information|no (?:relevant )?information"
    r"|cannot be (?:determined|answered)|can ?not answer|unable to (?:answer|determine)"
    r"|\bi (?:do not|don[’']t) know\b|not (?:mentioned|stated|specified) in the",
    re.IGNORECASE,
)

SYSTEM = (
    "You answer questions about news using only the numbered passages the user gives.\n"
    "Reply in this layout:\n"
    "Line 1: the short answer alone. For a yes/no question write Yes or No. "
    "Otherwise a name or a short phrase.\n"
    "Line 2: one to three sentences that explain it. "
    "End each sentence with the number of the passage it comes from, like [2].\n"
    "Use only facts written in the passages, never your own knowledge.\n"
    "Outlets named in the question (TechCrunch, The Verge ...) say where facts were reported; "
    "they are not the answer unless the question asks for an outlet.\n"
    f"If the passages are about something else and hold no answer, reply only: {MODEL_ABSTAIN}\n"
    "\n"
    "Example\n"
    "Passages:\n"
    "[1] Acme to buy Widget Co | TechCrunch | 2023-10-02\n"
    "Acme agreed to buy Widget Co for $2 billion, the companies said on Monday.\n"
    "[2] Rain delays final | Sporting News | 2023-10-03\n"
    "The final was moved to Sunday because of heavy rain.\n"
    "Question: Did TechCrunch report that Acme is buying Widget Co?\n"
    "Answer:\n"
    "Yes\n"
    "TechCrunch reported on 2 October 2023 that Acme agreed to buy Widget Co for $2 billion [1].\n"
    "Question: Which company agreed to buy Widget Co, according to TechCrunch?\n"
    "Answer:\n"
    "Acme\n"
    "TechCrunch reported that Acme agreed to buy Widget Co for $2 billion [1]."
)

REWRITE_SYSTEM = (
    "Rewrite the user's last question so it can be understood without the conversation.\n"
    'Resolve pronouns and references ("it", "they", "that company", "and Baku?") '
    "from the conversation.\n"
    "An outlet, person or period the last question names replaces the one of the same kind "
    'asked about before ("And what did Reuters say?" after a question about what TechCrunch '
    "reported asks about Reuters only); one it does not name carries over from before.\n"
    "Reply with the rewritten question only, on one line. "
    "If it already stands alone, repeat it unchanged."
)


TIMELINE_SYSTEM = (
    "You summarise how a news story developed, using only the dated events the user lists.\n"
    "Write two to four sentences that follow the events in the order listed. "
    "End each sentence with the numbers of the events it uses, like [2].\n"
    "Keep the dates as listed. Use only facts written in the events, never your own knowledge."
)


def timeline_message(question: str, timeline: Sequence[TimelineEvent]) -> str:
    """The user turn of a timeline overview: the events oldest first, each with its citation
    number (events of one passage share it), then the question.

    Args:
        question: the (standalone) question.
        timeline: the extractive timeline's events, in order.
    """
    lines = [f"[{e.citation}] {e.label}: {' '.join(e.text.split())}" for e in timeline]
    joined = "\n".join(lines)
    return f"Events, oldest first:\n{joined}\nQuestion: {question}\nSummary:"


def passage_block(number: int, passage: Passage, text: str | None = None) -> str:
    """One passage as shown to the model: number, headline, outlet, date, then its text.

    Args:
        number: the prompt number ``[n]`` the model cites it by.
        passage: the passage (its metadata goes on the header line).
        text: the text to show (an excerpt), default the whole passage.
    """
    meta = [passage.title]
    if passage.source:
        meta.append(passage.source)
    if passage.published:
        meta.append(passage.published.isoformat())
    body = " ".join((text if text is not None else passage.text).split())
    return f"[{number}] {' | '.join(meta)}\n{body}"


YES_NO_HINT = "(Answer Yes or No on the first line.)"


def as_of_line(day: date) -> str:
    """The line telling the model the day it answers on, so that its "yesterday" or "last week"
    means what the search meant (the passages carry their own dates)."""
    return f"Today is {day.isoformat()} ({day.strftime('%A')})."


def user_message(
    question: str, blocks: Sequence[str], yes_no: bool = False, as_of: date | None = None
) -> str:
    """The user turn: the passages, then the question, in the examples' layout.

    The as-of line goes in this per-question turn, not in :data:`SYSTEM`, which stays fixed so
    that a llama.cpp server keeps reusing its cached state.

    Args:
        question: the (standalone) question.
        blocks: :func:`passage_block` of each passage, in prompt order.
        yes_no: add :data:`YES_NO_HINT`: small models miss that "Between X and Y, was there
            ...?" is a yes/no question.
        as_of: the day the question is answered as of (:func:`as_of_line` before the
            question), or None.
    """
    joined = "\n".join(blocks)
    hint = f" {YES_NO_HINT}" if yes_no else ""
    today = f"{as_of_line(as_of)}\n" if as_of else ""
    return f"Passages:\n{joined}\n{today}Question: {question}{hint}\nAnswer:"


def rewrite_message(history: Sequence[tuple[str, str]], question: str) -> str:
    """The recent conversation and the follow-up, for the rewrite prompt (last three turns)."""
    lines = []
    for user, assistant in history[-3:]:
        lines.append(f"User: {user}")
        if assistant:
            lines.append(f"Assistant: {' '.join(assistant.split())[:300]}")
    lines.append(f"User (last question): {question}")
    return "\n".join(lines)
