"""The bounded context: which passage sentences go into the prompt.

A local 1.5B model on two CPU cores reads prompts slowly (its speed: scripts/README.md), so the
passages shown to it must be few tokens if the first words are to appear within about 15 seconds,
the aim on such a machine. Cutting whole passages from the bottom of the list would lose exactly
what multi-hop questions need (evidence from several articles), so the budget is spent on sentences
instead: every passage's most relevant sentence first (in order of relevance), then every passage's
second best, and so on, until ``budget`` cl100k tokens (headers included) are used. Each passage
then shows its chosen sentences in text order, with "…" where sentences were left out. With a large
budget (a hosted model) this degrades gracefully to whole passages.

Prompt numbers follow relevance: ``[1]`` holds the best sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.chunking import count_tokens

from . import prompts
from .extractive import ScoredSentence
from .sentences import SentenceTable

#: Smallest budget that still shows one sentence with its header.
MIN_BUDGET = 60


@dataclass(frozen=True)
class ContextPassage:
    """A passage as the model sees it.

    Attributes:
        passage_index: position in the retrieved passage list.
        text: the excerpt shown (chosen sentences, "…" between non-adjacent ones).
        rows: sentence-table rows shown, in text order.
    """

    passage_index: int
    text: str
    rows: tuple[int, ...]


def build_context(
    table: SentenceTable, scored: Sequence[ScoredSentence], budget: int
) -> list[ContextPassage]:
    """Choose the sentences that fit ``budget`` prompt tokens, round-robin over passages.

    Args:
        table: sentences of the retrieved passages.
        scored: the same sentences scored against the question, best first.
        budget: cl100k tokens for all passage blocks together.

    Returns:
        The passages to show, most relevant first; empty when nothing fits.
    """
    budget = max(budget, MIN_BUDGET)
    row_of = {(s.passage_index, s.start): row for row, s in enumerate(table.sentences)}
    rank_in_passage: dict[int, int] = {}
    ranked: list[tuple[int, int, float]] = []  # (rank within passage, order, row)
    for order, cand in enumerate(scored):
        row = row_of.get((cand.passage_index, cand.start))
        if row is None:
            continue
        rank = rank_in_passage.get(cand.passage_index, 0)
        rank_in_passage[cand.passage_index] = rank + 1
        ranked.append((rank, order, row))
    ranked.sort()

    chosen: dict[int, list[int]] = {}
    first_order: dict[int, int] = {}
    seen: set[tuple[str, int] | str] = set()
    used = 0
    for _, order, row in ranked:
        sentence = table.sentences[row]
        passage = table.passages[sentence.passage_index]
        # Overlapping chunks of one article repeat sentences: show each once.
        place = (passage.article_id, passage.start + sentence.start)
        words = " ".join(sentence.text.lower().split())
        if place in seen or words in seen:
            continue
        cost = count_tokens(sentence.text) + 1
        if sentence.passage_index not in chosen:
            cost += (
                count_tokens(prompts.passage_block(99, passage, "")) + 3
            )  # header, newline, "…" marks
        if used + cost > budget:
            continue
        used += cost
        seen.update((place, words))
        chosen.setdefault(sentence.passage_index, []).append(row)
        first_order.setdefault(sentence.passage_index, order)

    out = []
    for p_index in sorted(chosen, key=first_order.__getitem__):
        rows = sorted(chosen[p_index], key=lambda r: table.sentences[r].start)
        out.append(ContextPassage(p_index, _excerpt(table, p_index, rows), tuple(rows)))
    return out


def _excerpt(table: SentenceTable, passage_index: int, rows: list[int]) -> str:
    all_rows = table.rows_of(passage_index)
    position = {row: i for i, row in enumerate(all_rows)}
    parts: list[str] = []
    previous = None
    for row in rows:
        gap = position[row] != (position[previous] + 1 if previous is not None else 0)
        if gap:
            parts.append("…")
        parts.append(" ".join(table.sentences[row].text.split()))
        previous = row
    if previous is not None and position[previous] != len(all_rows) - 1:
        parts.append("…")
    return " ".join(parts)
