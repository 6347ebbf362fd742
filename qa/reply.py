"""Reading a model's reply: the direct short answer, and whether the model declined to answer.

The prompt asks for the short answer alone on the first line. Small models do not always comply,
so the parser is forgiving: it drops an "Answer:" label and markdown emphasis, and for a yes/no
question keeps only the leading "Yes" or "No" of a first line such as "Yes, TechCrunch reported
...". A reply whose short answer is a refusal ("The articles don't say", "Insufficient
information", "I don't know") counts as the model abstaining.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .citations import strip_markers
from .prompts import MODEL_ABSTAIN_PATTERN

_YES_NO_QUESTION = re.compile(
    r"^\s*(?:(?:and|but|so|then|also)\s*,?\s+)?"
    r"(?:is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)"
    r"(?:n[’']t)?\b",
    re.I,
)
_LABEL = re.compile(r"^\s*(?:[*_#>\s-]*)(?:short answer|final answer|answer)\s*[:：-]\s*", re.I)
_YES_NO_START = re.compile(r"^(yes|no)\b", re.I)


@dataclass(frozen=True)
class Reply:
    """A parsed model reply.

    Attributes:
        short_answer: the direct answer alone ("Yes", "No", a name, a phrase); "" when abstaining.
        abstained: True when the model said the passages do not answer.
    """

    short_answer: str
    abstained: bool


def is_yes_no_question(question: str) -> bool:
    """True for questions that open with an auxiliary verb ("Does ...", "Was ...", "Did ...")."""
    return bool(_YES_NO_QUESTION.match(question))


def parse_reply(text: str, question: str) -> Reply:
    """The short answer and abstention of a reply (markers are ignored).

    Args:
        text: the model's reply.
        question: the question it answers (decides whether Yes/No is expected).
    """
    plain = strip_markers(text).strip()
    lines = [line for line in plain.splitlines() if line.strip()]
    if not lines:
        return Reply("", True)
    first = _LABEL.sub("", lines[0]).strip().strip("*_").strip()
    if not first and len(lines) > 1:
        first = lines[1].strip().strip("*_").strip()
    if MODEL_ABSTAIN_PATTERN.search(first):
        return Reply("", True)
    if is_yes_no_question(question):
        found = _YES_NO_START.match(first)
        if found:
            return Reply(found[1].capitalize(), False)
    return Reply(first.rstrip(".").strip(), False)
