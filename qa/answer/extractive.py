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

The reader (:mod:`qa.answer.reader`; ``ExtractiveConfig(reader=True)``, the default) states
the answer itself: a question expecting a name, number, date, amount or a "what" gets its short
answer read from the sentences, and the answer text states it first, cited to the sentence
holding it, followed by that sentence and the others. When the reader's answerability model
finds no answer of the kind asked, the answer abstains and quotes the nearest sentence. A
question asking several things (:mod:`qa.question.parts`) is answered part by part, each part
cited to its own sentence; "Did X report A before Y reported B?" is answered from the two
reports' publication dates (:mod:`qa.answer.order`). Yes/no questions, quotes, reasons and lists
keep the sentence answer.

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
from dataclasses import dataclass, field
from datetime import date

from index.embedding import Embedder
from index.filters import Filters
from index.text import tokenize

from ..question.decompose import Clause
from ..question.parts import split_parts
from ..question.plan import QuestionPlan, plan_question
from ..types import Answer, Passage
from .citations import CitationBuilder
from .order import OrderReading, read_order
from .prompts import ABSTAIN_TEXT, MODEL_ABSTAIN
from .reader import ReaderConfig, Reading, normalise, read
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
    # State the short answer itself, a span read from the sentences (qa.answer.reader), first;
    # abstain when the reader finds no answer of the kind asked.
    reader: bool = True
    reading: ReaderConfig = field(default_factory=ReaderConfig)
    # With a short answer, follow the sentence holding it only with sentences stating the same
    # answer (other articles agreeing) instead of the question's next best matches. Off: on
    # MultiHop-RAG it cited fewer gold passages (precision 0.527 against 0.589) and lost
    # "gold in text" everywhere (bench/results/reader-reader-v1.md).
    support_only: bool = False


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
        return bool(scored) and self.clears_gate(scored[0].dense, scored[0].lexical)

    def clears_gate(self, dense: float, lexical: float) -> bool:
        """True when a sentence this similar to the question (embedding similarity ``dense``,
        share of its words ``lexical``) is evidence enough to answer."""
        return dense >= self.config.min_dense or lexical >= self.config.min_lexical

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
        parts = split_parts(question) if self.config.reader else ()
        if len(parts) >= 2:
            return self._parts_answer(question, parts, passages, table, filters)
        chosen = self.choose(question, table, scored, plan)
        reading = None
        if self.config.reader:
            reading = read(plan or plan_question(question), table, scored, self.config.reading)
        if reading is not None and not reading.answered:
            # Near-topic evidence with no answer of the kind asked: say so, and show the
            # nearest sentence so the reader sees what the articles do cover.
            nearest = scored[0]
            return abstain(
                question,
                passages,
                filters,
                why="no answer of the kind asked",
                nearest_sentence=(nearest.passage_index, nearest.start, nearest.end),
            )
        if reading is not None and not reading.text:
            reading = None  # no span of the kind asked, and told not to abstain: the sentences
        if reading is not None:
            pool = scored if self.config.support_only else chosen
            chosen = _lead_with(
                reading, chosen, pool, passages, self.config.max_sentences, self.config.support_only
            )
        order = None
        if self.config.reader and plan is not None:
            order = read_order(plan, table, lambda clause: self._best_for(clause, table, _no_bonus))
        if order is not None:
            return self._order_answer(question, passages, filters, order, chosen)
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
            sentence = _sentence_text(passage, cand.start, cand.end)
            parts.append(f"{sentence} [{number}]")
        text = " ".join(parts)
        if reading is not None:
            short = reading.text
        elif self.config.reader:
            short = ""  # a reason, a statement, yes/no: no answer in a few words, so none
        else:
            # Before the reader (NEWSQA_READER=0): the first cited sentence, as it always was.
            first = chosen[0]
            short = _sentence_text(passages[first.passage_index], first.start, first.end)
        return Answer(
            text=text,
            citations=builder.citations(),
            abstained=False,
            short_answer=short,
            filters=filters,
            question=question,
        )

    def _parts_answer(
        self,
        question: str,
        parts: Sequence[str],
        passages: Sequence[Passage],
        table: SentenceTable,
        filters: Filters,
    ) -> Answer:
        """The answer to a question asking several things: each part read on its own, its
        short answer cited to its own sentence; a part the articles don't answer says so."""
        builder = CitationBuilder(passages)
        lines, shorts, sentences = [], [], []
        seen: set[tuple[int, int]] = set()
        for part in parts:
            scored = self.score_sentences(part, table)
            reading = (
                read(plan_question(part), table, scored, self.config.reading) if scored else None
            )
            if reading is not None and reading.answered and reading.text:
                where = (reading.passage_index, reading.sentence_start)
                span = (reading.sentence_start, reading.sentence_end)
                number = builder.cite(reading.passage_index, span)
                lines.append(f"{part} {reading.text} [{number}].")
                shorts.append(reading.text)
            elif reading is None and self.has_evidence(scored):
                # A part the reader does not state (why, yes/no): its best sentence.
                best = scored[0]
                where, span = (best.passage_index, best.start), (best.start, best.end)
                number = builder.cite(best.passage_index, span)
                lines.append(f"{part} See [{number}].")
            else:
                lines.append(f"{part} {MODEL_ABSTAIN}")
                continue
            if where not in seen:
                seen.add(where)
                quote = _sentence_text(passages[where[0]], *span)
                sentences.append(f"{quote} [{number}]")
        if not builder.citations():
            return abstain(question, passages, filters, why="no part of the question answered")
        return Answer(
            text=" ".join(lines + sentences),
            citations=builder.citations(),
            abstained=False,
            short_answer="; ".join(shorts),
            filters=filters,
            question=question,
        )

    def _order_answer(
        self,
        question: str,
        passages: Sequence[Passage],
        filters: Filters,
        order: OrderReading,
        chosen: Sequence[ScoredSentence],
    ) -> Answer:
        """The answer to "Did X report A before Y reported B?": the dates' verdict, each
        side's sentence cited, then the other chosen sentences."""
        builder = CitationBuilder(passages)
        sides = []
        for side in (order.subject, order.other):
            number = builder.cite(side.passage_index, (side.start, side.end))
            sentence = _sentence_text(passages[side.passage_index], side.start, side.end)
            sides.append((number, sentence))
        (first, first_text), (second, second_text) = sides
        parts = [f"{order.statement} [{first}][{second}]", f"{first_text} [{first}]"]
        if second_text != first_text:
            parts.append(f"{second_text} [{second}]")
        shown = {(s.passage_index, s.start) for s in (order.subject, order.other)}
        for cand in chosen[: max(0, self.config.max_sentences - 2)]:
            if (cand.passage_index, cand.start) in shown:
                continue
            number = builder.cite(cand.passage_index, (cand.start, cand.end))
            parts.append(
                _sentence_text(passages[cand.passage_index], cand.start, cand.end) + f" [{number}]"
            )
        return Answer(
            text=" ".join(parts),
            citations=builder.citations(),
            abstained=False,
            short_answer=order.answer or "Same day",
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
            text = _sentence_text(passage, cand.start, cand.end).lower()
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


def _sentence_text(passage: Passage, start: int, end: int) -> str:
    """``passage.text[start:end]`` with its whitespace collapsed, as answers quote it."""
    return " ".join(passage.text[start:end].split())


def _no_bonus(cand: ScoredSentence) -> float:
    """No rank bonus: each side of an order question is found on its own terms."""
    return 0.0


def _lead_with(
    reading: Reading,
    chosen: Sequence[ScoredSentence],
    pool: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    limit: int,
    support_only: bool = False,
) -> list[ScoredSentence]:
    """The sentence holding the reader's span first, then the others, at most ``limit``, no
    sentence twice (overlapping chunks repeat sentences).

    The others are ``chosen`` (the sentence answer's choice), or with ``support_only`` the
    sentences of ``pool`` (best first) that state the same answer, one per article first.
    """

    def text(c: ScoredSentence) -> str:
        return _sentence_text(passages[c.passage_index], c.start, c.end).lower()

    place = (reading.passage_index, reading.sentence_start)
    lead = next((c for c in [*chosen, *pool] if (c.passage_index, c.start) == place), None)
    if lead is None:
        return list(chosen)
    if not support_only:
        rest = [c for c in chosen if text(c) != text(lead)]
        return [lead, *rest][:limit]
    key = f" {normalise(reading.text)} "
    out, seen = [lead], {text(lead)}
    articles = {passages[lead.passage_index].article_id}
    stating = [c for c in pool if key in f" {normalise(text(c))} "]
    # other articles first: agreement across reports is what the extra citations show
    for cand in sorted(stating, key=lambda c: passages[c.passage_index].article_id in articles):
        if len(out) >= limit:
            break
        if text(cand) in seen:
            continue
        seen.add(text(cand))
        articles.add(passages[cand.passage_index].article_id)
        out.append(cand)
    return out


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
    nearest_sentence: tuple[int, int, int] | None = None,
) -> Answer:
    """The abstaining answer: a plain statement and the nearest coverage, no citations.

    Args:
        question: the (standalone) question.
        passages: the retrieved passages; the first few distinct articles are named as nearest.
        filters: the restrictions the search ran under (named in the text when active).
        reason: an error message to attach (``Answer.error``).
        why: ``Answer.abstain_reason``.
        nearest_sentence: (passage index, start, end) of the sentence that comes nearest,
            quoted with its article so the user sees what the articles do cover.
    """
    nearest = _nearest_articles(passages)
    text = ABSTAIN_TEXT
    if filters.active:
        text += f" (searched {filters.describe()})"
    if nearest_sentence is not None:
        index, start, end = nearest_sentence
        passage = passages[index]
        quote = _sentence_text(passage, start, end)
        text += (
            f' The nearest they come is "{quote}" ({passage.title}, {_source_and_date(passage)}).'
        )
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
