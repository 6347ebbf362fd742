"""Every text newsqa sends to an LLM or shows as a canned answer, in one place."""

from __future__ import annotations

from typing import Sequence

from .types import Passage

ABSTAIN_TEXT = "The indexed articles don't answer this."

#: What the model must write when the passages do not answer (matched case-insensitively).
MODEL_ABSTAIN = "The articles don't say."

SYSTEM = f"""You answer questions about news articles using only the numbered passages given.
Rules:
- Start with a direct short answer on its own line (for a yes/no question: "Yes" or "No"; otherwise a name, number or short phrase).
- Then explain in a few sentences. After each claim, cite the passage(s) it comes from as [n], e.g. [2] or [1][3].
- Use only facts stated in the passages. Never use outside knowledge.
- If the passages do not answer the question, reply exactly: {MODEL_ABSTAIN}
- Mention dates and outlets when they matter (e.g. "TechCrunch reported on 7 October 2023 that ...")."""

REWRITE_SYSTEM = """Rewrite the user's last question so it can be understood without the conversation.
Resolve pronouns and references ("it", "they", "that company", "and Baku?") from the conversation.
Reply with the rewritten question only, nothing else. If it already stands alone, repeat it unchanged."""


def passage_block(number: int, passage: Passage, text: str | None = None) -> str:
    """One passage as shown to the model: number, headline, outlet, date, text."""
    meta = [passage.title]
    if passage.source:
        meta.append(passage.source)
    if passage.published:
        meta.append(passage.published.isoformat())
    body = " ".join((text if text is not None else passage.text).split())
    return f"[{number}] {' | '.join(meta)}\n{body}"


def user_message(question: str, blocks: Sequence[str]) -> str:
    """The user turn: passages, then the question."""
    joined = "\n\n".join(blocks)
    return f"Passages:\n\n{joined}\n\nQuestion: {question}\nAnswer (short answer line first, then cited explanation):"


def rewrite_message(history: Sequence[tuple[str, str]], question: str) -> str:
    """The conversation and the follow-up, for the rewrite prompt."""
    lines = []
    for user, assistant in history[-3:]:
        lines.append(f"User: {user}")
        if assistant:
            lines.append(f"Assistant: {' '.join(assistant.split())[:400]}")
    lines.append(f"User (last question): {question}")
    return "\n".join(lines)
