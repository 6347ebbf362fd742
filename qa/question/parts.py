"""Questions that ask several things: "Who designed the bridge, and when will it open?".

Such a question has one answer per part, each from its own evidence. :func:`split_parts` cuts it
where a new question word starts a new clause (after "and", a comma or a semicolon), and
resolves a pronoun of a later part ("it", "they") to what the first part is about, so each part
can be searched and read as a question of its own.

This is not the clause split of multi-hop questions (:mod:`qa.question.decompose`): "Which
company, reported by TechCrunch, is facing a lawsuit?" asks one thing under two conditions and
has one answer.
"""

from __future__ import annotations

import re

__all__ = ["split_parts"]

_WH = r"(?:who|whom|whose|what|when|where|which|why|how(?:\s+(?:much|many|long|old|far|big|tall))?)"
# A new part: "and"/","/";" then a question word, optionally after an auxiliary ("and is
# it ...?" is a yes/no part, left alone: it rarely stands on its own).
_CUT = re.compile(rf"(?:,\s*and|\band|;|,)\s+(?={_WH}\b)", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|he|his|she|her)\b", re.IGNORECASE)
_AUX = r"(?:did|does|do|is|are|was|were|will|would|has|have|had|can|could)"
_LEAD = re.compile(rf"^{_WH}\s+(?:(?P<aux>{_AUX})\s+|\w+\s+)?", re.IGNORECASE)
_MIN_WORDS = 3
_DETERMINERS = frozenset("the a an this that these those its their his her".split())


def split_parts(question: str) -> tuple[str, ...]:
    """The parts of a question that asks several things, each a question of its own.

    A later part's first pronoun is replaced by what the first part is about: "... and who
    paid for it?" -> "Who paid for the dam?".

    Args:
        question: the (standalone) question.

    Returns:
        Two or more parts, each ending with "?", or ``()`` when the question asks one thing.
    """
    text = question.strip().rstrip("?").strip()
    pieces = [p.strip(" ,;") for p in _CUT.split(text)]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2 or not re.match(_WH, pieces[0], re.IGNORECASE):
        return ()
    if any(len(p.split()) < _MIN_WORDS for p in pieces):
        return ()
    subject = _subject(pieces[0])
    out = [pieces[0]]
    for piece in pieces[1:]:
        # One pronoun is replaced, the first: "when did it open" -> "when did the bridge open".
        out.append(_PRONOUN.sub(_subject_for(subject), piece, count=1))
    return tuple(f"{p[0].upper()}{p[1:]}?" for p in out)


def _subject(first: str) -> str:
    """What the first part is about: its words after the question word and verb ("How much
    did the dam cost" -> "the dam"; "Who designed the bridge" -> "the bridge"; "Which bank
    bought Ostmark" -> "Ostmark")."""
    lead = _LEAD.match(first)
    if lead is None:
        return first
    rest = first[lead.end() :].split()
    if lead.group("aux") and len(rest) > 1:
        rest = rest[:-1]  # the main verb closes an auxiliary question
    elif len(rest) > 1 and rest[0].islower() and rest[0] not in _DETERMINERS:
        rest = rest[1:]  # "Which bank bought Ostmark" -> the verb after the asked-for noun
    return " ".join(rest) or first


def _subject_for(subject: str):
    def replace(match: re.Match[str]) -> str:
        word = match.group().lower()
        if word in {"its", "their", "his", "her"}:
            return f"{subject}'s"
        return subject

    return replace
