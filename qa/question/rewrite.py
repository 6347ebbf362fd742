"""Follow-up questions rewritten to stand alone before retrieval.

"And what did Baku say?" retrieves nothing useful on its own. With an LLM configured, the model
rewrites the follow-up from the last three turns. Without one (or when the call fails) a local
rule does: a question that looks like a follow-up (it opens with "and", "what about", ... or
leans on a pronoun, or is very short) keeps its own words and borrows the previous question's
content words it lacks, plus the previous short answer when that was a name or phrase (so "what
did he do next?" after "Sam Altman" searches for Sam Altman). Retrieval and the extractive scorer
work on words, so this carries the topic forward without pretending to resolve grammar.

The LLM is asked only when the question looks like a follow-up: a call costs seconds on a
local model, and a question that stands alone needs no rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.text import FOLLOW_UP_STOP_WORDS

from ..answer.citations import strip_markers
from ..answer.llm import ChatModel, LLMError
from ..answer.prompts import REWRITE_SYSTEM, rewrite_message

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


def looks_like_follow_up(question: str) -> bool:
    """True when ``question`` probably depends on the conversation before it."""
    words = question.split()
    return bool(_LEADING.match(question) or _PRONOUN.search(question) or len(words) <= 4)


def local_rewrite(question: str, history: History) -> str:
    """Rewrite a follow-up without an LLM, by carrying the previous turn's key words forward.

    Args:
        question: the follow-up.
        history: earlier (question, answer text) turns, oldest first.

    Returns:
        ``question`` itself when there is no history or it stands alone, else the question
        followed by the borrowed words in parentheses.
    """
    if not history or not looks_like_follow_up(question):
        return question
    previous_question, previous_answer = history[-1]
    own = {w.lower().strip(".'’") for w in _WORD.findall(question)}
    borrowed: list[str] = []
    for word in _WORD.findall(previous_question):
        key = word.lower().strip(".'’")
        if (
            key
            and key not in FOLLOW_UP_STOP_WORDS
            and key not in own
            and key not in {b.lower() for b in borrowed}
        ):
            borrowed.append(word.strip(".'’"))
    short = _short_answer(previous_answer)
    if short and short.lower() not in question.lower():
        borrowed.insert(0, short)
    body = _LEADING.sub("", question).strip() or question
    body = body[0].upper() + body[1:]
    return f"{body} ({' '.join(borrowed)})" if borrowed else body


def rewrite_question(question: str, history: History, llm: ChatModel | None = None) -> str:
    """A follow-up rewritten to stand alone (LLM when given, else :func:`local_rewrite`).

    Args:
        question: the latest question.
        history: earlier (question, answer text) turns, oldest first.
        llm: the chat model, or None.

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
    return local_rewrite(question, history)


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
