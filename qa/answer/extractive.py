"""Extractive answering: the retrieved sentences that best answer the question, each cited.

Used when no LLM is configured, and as the fallback when the LLM endpoint fails. Every sentence of
the top passages is scored by cosine similarity to the question (same embedder as retrieval) plus
half the share of the question's content words it contains (stemmed). The answer is the best
sentence for each clause of a multi-hop question (the clauses of its plan,
:class:`qa.question.plan.QuestionPlan`, as the retriever searched them), or the best few
sentences of a simple one, no two alike, each followed by its passage's marker; a small bonus
for the passage's retrieval rank breaks near-ties. When even the best sentence is weak on both
signals, the answer abstains: a plain sentence, no citations, and the nearest passages reported
so the user sees what the articles do cover.

With ``ExtractiveConfig(reader=True)`` (opt-in; off by default) a question expecting a name,
number, date or amount gets its short answer read from the sentences (:mod:`qa.answer.reader`):
``Answer.short_answer`` is that span, and the answer text states it first, cited to the sentence
holding it, followed by that sentence and the others as without the reader. Other questions
(yes/no, quotes, reasons, lists, comparisons, several clauses) are answered as without it.

Sentence choice (rank weight, per-clause minimum, cutoff) was set on calibration questions
outside the benchmark sample, for citation precision with abstention unchanged
(``python -m bench.citation_choice``, bench/results/citation-choice.md).

The gate thresholds were calibrated on MultiHop-RAG dev questions outside the answer benchmark's
sample (``python -m bench.calibrate``): the grid point with the most abstention on unanswerable
(null) questions while false abstention on answerable ones stays at or under 0.08. The same gate
runs before any LLM call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from index.embedding import Embedder
from index.filters import Filters
from index.text import tokenize

from ..question.decompose import Clause
from ..question.plan import QuestionPlan, plan_question
from ..types import Answer, Passage
from .citations import CitationBuilder
from .prompts import ABSTAIN_TEXT
from .reader import Reading, read
from .sentences import SentenceTable

#: The default of :meth:`ExtractiveAnswerer.answer`: nothing restricted.
NO_FILTERS = Filters()


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
    # Retrieval rank is evidence too (BM25 + dense over whole chunks with their headlines): the
    # sentence of passage r gets rank_weight / (1 + r) when sentences are chosen for the answer.
    rank_weight: float = 0.4
    # The evidence gate, calibrated on dev questions outside the benchmark sample (see the
    # module docstring; the operating point's abstention rates: bench/results/calibration.json).
    min_dense: float = 0.51
    min_lexical: float = 0.25
    min_words: int = 5
    relative_cutoff: float = 0.9
    # A clause whose best sentence scores under this is left uncited: a weak match is more
    # often another article's sentence than the evidence.
    min_clause_score: float = 0.7
    # State the short answer itself, a span read from the sentences (qa.answer.reader), first.
    reader: bool = False


class ExtractiveAnswerer:
    """Builds cited answers from retrieved passages without an LLM."""

    def __init__(self, embedder: Embedder, config: ExtractiveConfig = ExtractiveConfig()) -> None:
        self.embedder = embedder
        self.config = config

    def table(self, passages: Sequence[Passage]) -> SentenceTable:
        """The sentence table of ``passages`` (shared with the LLM path and verification)."""
        return SentenceTable(passages, self.embedder, min_words=self.config.min_words)

    def score_sentences(
        self, question: str, passages: Sequence[Passage] | SentenceTable
    ) -> list[ScoredSentence]:
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
            scored.append(
                ScoredSentence(
                    sentence.passage_index, sentence.start, sentence.end, float(d), overlap
                )
            )
        scored.sort(key=lambda x: x.score, reverse=True)
        return scored

    def has_evidence(self, scored: Sequence[ScoredSentence]) -> bool:
        """True when the best sentence clears either evidence threshold (otherwise: abstain)."""
        cfg = self.config
        return bool(scored) and (
            scored[0].dense >= cfg.min_dense or scored[0].lexical >= cfg.min_lexical
        )

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        filters: Filters = NO_FILTERS,
        scored: Sequence[ScoredSentence] | None = None,
        table: SentenceTable | None = None,
        plan: QuestionPlan | None = None,
    ) -> Answer:
        """Answer ``question`` from ``passages``.

        Args:
            question: the (standalone) question.
            passages: retrieved passages, best first.
            filters: the restrictions the search ran under (reported in the answer).
            scored: :meth:`score_sentences` output, when already computed.
            table: the passages' sentence table, when already built.
            plan: the question's plan, from the retrieval result (see :meth:`choose`).

        Returns:
            An :class:`Answer`; ``abstained`` when the evidence is weak.
        """
        if table is None:
            table = self.table(passages)
        scored = list(scored) if scored is not None else self.score_sentences(question, table)
        if not self.has_evidence(scored):
            return abstain(question, passages, filters, why="weak evidence")
        chosen = self.choose(question, table, scored, plan)
        reading = None
        if self.config.reader:
            reading = read(plan or plan_question(question), table, scored)
        if reading is not None:
            chosen = _lead_with(reading, chosen, scored, passages, self.config.max_sentences)
        builder = CitationBuilder(passages)
        parts = []
        if reading is not None:
            number = builder.cite(
                reading.passage_index, (reading.sentence_start, reading.sentence_end)
            )
            parts.append(f"{reading.text} [{number}].")
        for cand in chosen:
            passage = passages[cand.passage_index]
            number = builder.cite(cand.passage_index, (cand.start, cand.end))
            sentence = " ".join(passage.text[cand.start : cand.end].split())
            parts.append(f"{sentence} [{number}]")
        text = " ".join(parts)
        first = " ".join(
            passages[chosen[0].passage_index].text[chosen[0].start : chosen[0].end].split()
        )
        return Answer(
            text=text,
            citations=builder.citations(),
            abstained=False,
            short_answer=reading.text if reading is not None else first,
            filters=filters,
            question=question,
        )

    def choose(
        self,
        question: str,
        table: SentenceTable,
        scored: Sequence[ScoredSentence],
        plan: QuestionPlan | None = None,
    ) -> list[ScoredSentence]:
        """The answer's sentences: the best one per question clause, else the best few overall.

        A multi-hop question ("X reported A, while Y reported B") gets the best sentence for each
        clause, since each clause is answered by a different article; a simple question gets the
        best sentences within ``relative_cutoff`` of the best. A clause (or question) that names
        an outlet or a publication date takes its sentence from that outlet's passages of that day
        (±1) when any were retrieved: "the TechCrunch article says X" is not backed by another
        outlet saying X. Either way at most ``max_sentences``, no sentence twice (overlapping
        chunks repeat sentences).

        Args:
            question: the (standalone) question.
            table: the passages' sentence table.
            scored: :meth:`score_sentences` of the whole question.
            plan: the question's plan: its clauses, with the outlets and dates each names,
                and the outlets the whole question names (none when absent). A question of one
                clause falls back to its :meth:`~qa.question.plan.QuestionPlan.statements`.
        """
        cfg = self.config

        def bonus(cand: ScoredSentence) -> float:
            return cfg.rank_weight / (1 + cand.passage_index)

        plan = plan or QuestionPlan(question)
        clauses = plan.parts() or tuple(Clause(s, plan.outlets) for s in plan.statements())
        if len(clauses) >= 2:
            best = (self._best_for(clause, table, bonus) for clause in clauses)
            pool = [c for c in best if c is not None and c.score >= cfg.min_clause_score]
        else:
            allowed = _in_scope(table, plan.outlets, ())
            ranked = sorted(
                (c for c in scored if c.passage_index in allowed),
                key=lambda c: c.score + bonus(c),
                reverse=True,
            )
            top = ranked[0].score + bonus(ranked[0]) if ranked else 0.0
            pool = [c for c in ranked if c.score + bonus(c) >= cfg.relative_cutoff * top]
        chosen: list[ScoredSentence] = []
        seen: set[object] = set()
        for cand in pool:
            passage = table.passages[cand.passage_index]
            text = " ".join(passage.text[cand.start : cand.end].lower().split())
            place = (passage.article_id, passage.start + cand.start)
            if text in seen or place in seen:
                continue
            seen.update((text, place))
            chosen.append(cand)
            if len(chosen) >= cfg.max_sentences:
                break
        return chosen or list(scored[:1])

    def _best_for(self, clause: Clause, table: SentenceTable, bonus) -> ScoredSentence | None:
        """The best sentence for one clause, among its outlets' and dates' passages when any."""
        allowed = _in_scope(table, clause.outlets, clause.dates)
        rows = [i for i, s in enumerate(table.sentences) if s.passage_index in allowed]
        if not rows:
            return None
        # Outlet names say where to look, not what about (and every sentence of the outlet
        # would match them): score the clause's topic when it is restricted to its outlets.
        text = clause.topic if clause.outlets and clause.topic else clause.text
        dense = table.vectors[rows] @ table.embed([text])[0]
        terms = set(tokenize([text])[0])
        best = None
        for row, d in zip(rows, dense):
            sentence = table.sentences[row]
            overlap = len(terms & table.terms[row]) / len(terms) if terms else 0.0
            cand = ScoredSentence(
                sentence.passage_index, sentence.start, sentence.end, float(d), overlap
            )
            if best is None or cand.score + bonus(cand) > best.score + bonus(best):
                best = cand
        return best


def _lead_with(
    reading: Reading,
    chosen: Sequence[ScoredSentence],
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    limit: int,
) -> list[ScoredSentence]:
    """``chosen`` with the sentence holding the reader's span first, at most ``limit``, no
    sentence twice (overlapping chunks repeat sentences)."""

    def text(c: ScoredSentence) -> str:
        return " ".join(passages[c.passage_index].text[c.start : c.end].lower().split())

    place = (reading.passage_index, reading.sentence_start)
    lead = next((c for c in scored if (c.passage_index, c.start) == place), None)
    if lead is None:
        return list(chosen)
    rest = [c for c in chosen if text(c) != text(lead)]
    return [lead, *rest][:limit]


def _in_scope(table: SentenceTable, outlets: Sequence[str], dates: Sequence[date]) -> set[int]:
    """Indexes of the passages from ``outlets`` published on one of ``dates`` (±1 day).

    Each restriction is dropped when no retrieved passage meets it, so a clause whose outlet
    was not retrieved still gets the best sentence overall.
    """
    every = set(range(len(table.passages)))
    wanted = set(outlets)
    by_outlet = {i for i in every if table.passages[i].source in wanted} if wanted else every
    scope = by_outlet or every
    if dates:
        near = {
            i
            for i in scope
            if table.passages[i].published
            and any(abs((table.passages[i].published - d).days) <= 1 for d in dates)
        }
        scope = near or scope
    return scope


def abstain(
    question: str,
    passages: Sequence[Passage],
    filters: Filters,
    reason: str = "",
    why: str = "",
) -> Answer:
    """The abstaining answer: a plain statement and the nearest coverage, no citations.

    Args:
        question: the (standalone) question.
        passages: the retrieved passages; the first few distinct articles are named as nearest.
        filters: the restrictions the search ran under (named in the text when active).
        reason: an error message to attach (``Answer.error``).
        why: ``Answer.abstain_reason``.
    """
    nearest = _nearest_articles(passages)
    text = ABSTAIN_TEXT
    if filters.active:
        text += f" (searched {filters.describe()})"
    if nearest:
        lines = [f"{p.title} ({_source_and_date(p)})" for p in nearest]
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
        abstain_reason=why,
    )


def _source_and_date(passage: Passage) -> str:
    """The outlet and publication day ("Outlet, 2023-10-07"), or whichever is known."""
    day = passage.published.isoformat() if passage.published else ""
    return ", ".join(x for x in (passage.source, day) if x)


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
