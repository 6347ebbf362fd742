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

from .citations import MARKER, strip_markers
from .prompts import MODEL_ABSTAIN_PATTERN

_AUX = (
    r"(?:is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)"
    r"(?:n[’']t)?"
)
_YES_NO_QUESTION = re.compile(r"^\s*(?:(?:and|but|so|then|also)\s*,?\s+)?" + _AUX + r"\b", re.I)
# "Between the May report and the June report, was there a change ...?": the main clause
# comes after a leading phrase and a comma.
_YES_NO_AFTER_PHRASE = re.compile(
    r",\s+" + _AUX + r"\s+(?:there|the|a|an|any|both|it|they|this|that|[A-Z])", re.I
)
_WH_START = re.compile(r"^\s*(?:which|who|whom|whose|what|where|when|why|how)\b", re.I)
_LABEL = re.compile(
    r"^\s*(?:[*_#>\s-]*)(?:short answer|final answer|answer)\s*[:：-]\s*", re.IGNORECASE
)
_YES_NO_START = re.compile(r"^(yes|no)\b", re.IGNORECASE)


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
    """True for yes/no questions: "Does ...?", "Was ...?", or "After X, did Y ...?"."""
    if _YES_NO_QUESTION.match(question):
        return True
    return not _WH_START.match(question) and bool(_YES_NO_AFTER_PHRASE.search(question))


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
    if not MARKER.search(text) and any(MODEL_ABSTAIN_PATTERN.search(line) for line in lines[1:]):
        # "No" followed only by "The articles don't say.": a refusal, not an answer.
        return Reply("", True)
    found = _YES_NO_START.match(first)
    if is_yes_no_question(question):
        if found:
            return Reply(found[1].capitalize(), False)
    elif found and len(first.split()) <= 2 and len(lines) > 1:
        # A bare "Yes" to a "which/who" question answers nothing; the explanation's first
        # sentence is the model's actual answer (as an extractive answer would be).
        return Reply(_first_sentence(lines[1]), False)
    return Reply(first.rstrip(".").strip(), False)


def _first_sentence(line: str) -> str:
    from index.chunking import sentence_spans

    spans = sentence_spans(line)
    sentence = line[spans[0][0] : spans[0][1]] if spans else line
    return sentence.strip().rstrip(".").strip()
