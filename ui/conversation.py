"""The chat transcript the UI keeps per browser session: questions and the answers ``qa`` gave.

Turns hold the :class:`qa.Answer` objects themselves, not rendered HTML, so the page can be
re-rendered (new markers, new cards) and follow-up questions get the previous answers' text as
history without parsing anything back out of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa import Answer

#: Follow-ups see this many earlier turns: enough to resolve "it" or "and Baku?", while keeping
#: an LLM rewrite prompt short.
HISTORY_TURNS = 4


@dataclass(frozen=True)
class Turn:
    """One exchange.

    Attributes:
        question: what the user typed.
        answer: the (possibly partial) answer, or None while the search runs.
        notice: a friendly message shown instead of an answer (bad input, index error).
    """

    question: str
    answer: Answer | None = None
    notice: str = ""

    @property
    def complete(self) -> bool:
        """True when nothing more will arrive for this turn."""
        return bool(self.notice) or (self.answer is not None and self.answer.complete)


def history(turns: Sequence[Turn], limit: int = HISTORY_TURNS) -> list[tuple[str, str]]:
    """Earlier (question, answer text) pairs for ``Answerer.stream(history=...)``.

    Args:
        turns: the transcript so far.
        limit: keep only this many most recent answered turns.

    Returns:
        Pairs in chronological order; turns without a complete answer are skipped.
    """
    answered = [
        (t.question, t.answer.text) for t in turns if t.answer is not None and t.answer.complete
    ]
    return answered[-limit:] if limit > 0 else []
