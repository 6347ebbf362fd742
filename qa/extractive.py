"""Extractive answering: the retrieved sentences that best answer the question, each cited.

Used when no LLM is configured, and as the fallback when the LLM endpoint fails. Every sentence of
the top passages is scored by cosine similarity to the question (same embedder as retrieval) plus
the share of the question's content words it contains (stemmed). The best few sentences, no two
alike, form the answer in order of score, each followed by its passage's marker. When even the
best sentence is weak on both signals, the answer abstains: a plain sentence, no citations, and
the nearest passages reported so the user sees what the articles do cover.

The thresholds were calibrated on the MultiHop-RAG dev questions (see bench/README.md): they
trade abstention on unanswerable questions against false abstention on answerable ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from index.embedding import Embedder
from index.lexical import tokenize

from .citations import CitationBuilder
from .prompts import ABSTAIN_TEXT
from .sentences import SentenceTable
from .types import Answer, AppliedFilters, Passage


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence: its passage, span inside the passage, and score parts."""

    passage_index: int
    start: int
    end: int
    dense: float
    lexical: float

    @property
    def score(self) -> float:
        """Combined score used for ranking."""
        return self.dense + 0.5 * self.lexical


@dataclass(frozen=True)
class ExtractiveConfig:
    """Knobs of the extractive answerer."""

    max_sentences: int = 3
    min_dense: float = 0.45
    min_lexical: float = 0.5
    min_words: int = 5
    relative_cutoff: float = 0.75


class ExtractiveAnswerer:
    """Builds cited answers from retrieved passages without an LLM."""

    def __init__(self, embedder: Embedder, config: ExtractiveConfig = ExtractiveConfig()) -> None:
        self.embedder = embedder
        self.config = config

    def table(self, passages: Sequence[Passage]) -> SentenceTable:
        """The sentence table of ``passages`` (shared with the LLM path and verification)."""
        return SentenceTable(passages, self.embedder, min_words=self.config.min_words)

    def score_sentences(self, question: str, passages: Sequence[Passage] | SentenceTable) -> list[ScoredSentence]:
        """Every sentence of ``passages`` with its relevance to ``question``, best first.

        Args:
            question: the (standalone) question.
            passages: the passages, or their already built :class:`SentenceTable`.
        """
        table = passages if isinstance(passages, SentenceTable) else self.table(passages)
        if not len(table):
            return []
        dense = table.vectors @ table.embed([question])[0]
        q_terms = set(tokenize([question])[0])
        scored = []
        for sentence, d, terms in zip(table.sentences, dense, table.terms):
            overlap = len(q_terms & terms) / len(q_terms) if q_terms else 0.0
            scored.append(ScoredSentence(sentence.passage_index, sentence.start, sentence.end, float(d), overlap))
        scored.sort(key=lambda x: x.score, reverse=True)
        return scored

    def has_evidence(self, scored: Sequence[ScoredSentence]) -> bool:
        """True when the best sentence clears either evidence threshold (otherwise: abstain)."""
        cfg = self.config
        return bool(scored) and (scored[0].dense >= cfg.min_dense or scored[0].lexical >= cfg.min_lexical)

    def answer(self, question: str, passages: Sequence[Passage], filters: AppliedFilters = AppliedFilters(),
               scored: Sequence[ScoredSentence] | None = None) -> Answer:
        """Answer ``question`` from ``passages``.

        Args:
            question: the (standalone) question.
            passages: retrieved passages, best first.
            filters: the restrictions the search ran under (reported in the answer).
            scored: :meth:`score_sentences` output, when already computed.

        Returns:
            An :class:`Answer`; ``abstained`` when the evidence is weak.
        """
        scored = list(scored) if scored is not None else self.score_sentences(question, passages)
        cfg = self.config
        if not self.has_evidence(scored):
            return abstain(question, passages, filters)
        best = scored[0].score
        chosen: list[ScoredSentence] = []
        seen_text: set[str] = set()
        seen_place: set[tuple[str, int]] = set()
        for cand in scored:
            if len(chosen) >= cfg.max_sentences or cand.score < cfg.relative_cutoff * best:
                break
            passage = passages[cand.passage_index]
            text = " ".join(passage.text[cand.start : cand.end].split())
            place = (passage.article_id, passage.start + cand.start)
            # Overlapping chunks repeat sentences: the same words or place count once.
            if text.lower() in seen_text or place in seen_place:
                continue
            seen_text.add(text.lower())
            seen_place.add(place)
            chosen.append(cand)
        builder = CitationBuilder(passages)
        parts = []
        for cand in chosen:
            passage = passages[cand.passage_index]
            number = builder.cite(cand.passage_index, (cand.start, cand.end))
            sentence = " ".join(passage.text[cand.start : cand.end].split())
            parts.append(f"{sentence} [{number}]")
        text = " ".join(parts)
        first = " ".join(passages[chosen[0].passage_index].text[chosen[0].start : chosen[0].end].split())
        return Answer(
            text=text,
            citations=builder.citations(),
            abstained=False,
            short_answer=first,
            filters=filters,
            mode="extractive",
            question=question,
        )


def abstain(question: str, passages: Sequence[Passage], filters: AppliedFilters, reason: str = "") -> Answer:
    """The abstaining answer: a plain statement and the nearest coverage, no citations."""
    nearest = _nearest_articles(passages)
    text = ABSTAIN_TEXT
    if filters.active:
        text += f" (searched {filters.describe()})"
    if nearest:
        lines = [
            f"{p.title} ({', '.join(x for x in (p.source, p.published.isoformat() if p.published else '') if x)})"
            for p in nearest
        ]
        text += " The closest articles are: " + "; ".join(lines) + "."
    return Answer(
        text=text,
        citations=(),
        abstained=True,
        short_answer="",
        filters=filters,
        question=question,
        nearest=tuple(nearest),
        error=reason or None,
    )


def _nearest_articles(passages: Sequence[Passage], limit: int = 3) -> list[Passage]:
    out: list[Passage] = []
    seen: set[str] = set()
    for p in passages:
        if p.article_id not in seen:
            seen.add(p.article_id)
            out.append(p)
        if len(out) >= limit:
            break
    return out
