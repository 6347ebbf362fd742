"""Timeline answers: the dated events of a story, oldest first, each cited to its sentence.

For a question :func:`qa.question.timeline.read_timeline` recognises ("How did X develop?",
"Timeline of X", "What happened after Y?"), the answerer retrieves more passages than for a
plain question, fewer per article, so that the story's reports across several days are read
(:class:`TimelineConfig`), and :func:`build_timeline` turns their sentences into events:

1. **Relevant sentences.** Every sentence is scored against the story's words (the topic, and
   the anchor of "after Y") as the extractive answerer scores sentences (embedding similarity
   plus half the share of topic words it holds). A sentence is a candidate when it shares a
   topic word and scores at least ``relative_cutoff`` of the best one.
2. **Dates.** Each candidate is dated by :func:`qa.answer.event_dates.date_event`: the date
   the sentence states (relative dates resolved against the article), else its section's date
   line, else the article's publication date. The article's full text (when the answerer can
   read it) supplies the date lines above the passage.
3. **Choice.** Candidates are taken best first, a date stated in the text counting
   ``text_date_bonus`` more and each event already taken on the same day ``same_day_penalty``
   less (a timeline spreads over its days), skipping near-duplicates: the same sentence in two
   passages, or the same event told in two reports (embedding similarity at least
   ``duplicate_similarity``, or ``duplicate_overlap`` of their words shared). At most
   ``max_events``.
4. **Anchor.** "What happened after Y?" keeps the events from Y's day on, "before Y" those up
   to it; Y's day is the date the question gives, else the date of the sentence that best
   matches Y, which opens (or closes) the timeline.
5. **Order.** By date; events of one day by publication date, then by their place in the
   article.

Each event cites the passage holding its sentence, with the sentence highlighted; citations
are numbered in the timeline's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index.filters import Filters
from index.text import tokenize

from ..question.timeline import Relation, TimelineRequest
from ..types import Answer, Passage, TimelineEvent
from .citations import CitationBuilder
from .event_dates import DateSource, EventDate, Precision, date_event, date_in_text, last_update
from .sentences import SentenceTable

__all__ = [
    "DatedSentence",
    "TimelineConfig",
    "build_timeline",
    "timeline_answer",
    "timeline_intro",
    "timeline_lines",
]

#: An article's full text by its id, or None when it cannot be read.
ArticleText = Callable[[str], str | None]


@dataclass(frozen=True)
class TimelineConfig:
    """How timelines are retrieved and chosen.

    Attributes:
        passages: passages retrieved for a timeline question (a plain question gets
            ``NEWSQA_TOP_K``).
        per_article: at most this many of them from one article, so that several reports
            are read.
        max_events: events in a timeline at most.
        relative_cutoff: a candidate sentence scores at least this share of the best one.
        text_date_bonus: added to the score of a sentence whose date the text states.
        same_day_penalty: taken off per event already chosen on the same day.
        duplicate_similarity: embedding similarity at which two sentences tell the same event.
        duplicate_overlap: share of shared words (of the shorter one) at which they do too.
    """

    passages: int = 24
    per_article: int = 3
    max_events: int = 12
    relative_cutoff: float = 0.6
    text_date_bonus: float = 0.1
    same_day_penalty: float = 0.1
    duplicate_similarity: float = 0.9
    duplicate_overlap: float = 0.7


@dataclass(frozen=True)
class DatedSentence:
    """A sentence chosen as a timeline event.

    Attributes:
        row: its row in the sentence table.
        passage_index: the passage holding it.
        start: its offset in the passage text.
        end: offset one past its end.
        score: its relevance to the story.
        date: when the event happened.
        anchor: True for the event an anchored question ("after Y") names.
    """

    row: int
    passage_index: int
    start: int
    end: int
    score: float
    date: EventDate
    anchor: bool = False


class _Scored:
    """The relevance of every sentence of a table to one text (dense + half the lexical)."""

    def __init__(self, table: SentenceTable, text: str, terms: frozenset[str]) -> None:
        self.dense = table.vectors @ table.embed([text])[0] if len(table) else np.zeros(0)
        self.lexical = [len(terms & t) / len(terms) if terms else 0.0 for t in table.terms]

    def score(self, row: int) -> float:
        return float(self.dense[row]) + 0.5 * self.lexical[row]


def build_timeline(
    request: TimelineRequest,
    table: SentenceTable,
    config: TimelineConfig = TimelineConfig(),
    article_text: ArticleText | None = None,
) -> list[DatedSentence]:
    """The events of the story ``request`` asks about, oldest first (see the module docstring).

    Args:
        request: what the question asks for (topic, and the anchor of "after/before Y").
        table: the sentences of the retrieved passages.
        config: the choice's settings.
        article_text: reads an article's full text by id, for the date lines above a passage;
            None reads the passage alone.

    Returns:
        The chosen events in time order (empty when no relevant sentence has a date).
    """
    if not len(table):
        return []
    topic_terms = frozenset(tokenize([request.query])[0])
    relevance = _Scored(table, request.query, topic_terms)
    rows = [r for r in range(len(table)) if relevance.lexical[r] > 0]
    if not rows:
        return []
    best = max(relevance.score(r) for r in rows)
    dater = _Dater(table, article_text)
    candidates = []
    for row in rows:
        score = relevance.score(row)
        if score < config.relative_cutoff * best:
            continue
        when = dater.date(row)
        if when is not None:
            candidates.append(_dated(table, row, score, when))
    anchor = None
    if request.relation is not Relation.ALL and request.anchor:
        anchor_date, anchor = _anchor(request, table, dater, rows)
        if anchor_date is not None:
            candidates = [c for c in candidates if _on_side(c.date, anchor_date, request.relation)]
    chosen = _choose(candidates, table, config, anchor)
    return sorted(chosen, key=lambda c: _order_key(c, table))


def timeline_answer(
    question: str,
    request: TimelineRequest,
    passages: Sequence[Passage],
    events: Sequence[DatedSentence],
    filters: Filters,
) -> Answer:
    """The extractive timeline answer: an overview line, then one cited line per event.

    Args:
        question: the (standalone) question.
        request: what it asks for.
        passages: the retrieved passages (the events' ``passage_index`` points into them).
        events: :func:`build_timeline`'s events, in time order (not empty).
        filters: the restrictions the search ran under.

    Returns:
        The :class:`Answer`, its ``timeline`` set.
    """
    builder = CitationBuilder(passages)
    timeline = []
    for event in events:
        number = builder.cite(event.passage_index, (event.start, event.end))
        text = " ".join(passages[event.passage_index].text[event.start : event.end].split())
        timeline.append(
            TimelineEvent(
                day=event.date.day,
                text=text,
                citation=number,
                date_source=event.date.source.value,
                precision=event.date.precision.value,
                date_text=event.date.phrase,
            )
        )
    articles = len({passages[e.passage_index].article_id for e in events})
    intro = timeline_intro(request, len(timeline), articles)
    return Answer(
        text="\n".join([intro, *timeline_lines(timeline)]),
        citations=builder.citations(),
        abstained=False,
        short_answer="",
        filters=filters,
        question=question,
        timeline=tuple(timeline),
    )


def timeline_intro(request: TimelineRequest, events: int, articles: int) -> str:
    """The overview line of an extractive timeline ("Timeline: 6 dated events from 4 articles,
    oldest first.")."""
    counted = (
        f"{events} dated event{'s' if events != 1 else ''} from {articles} "
        f"article{'s' if articles != 1 else ''}, oldest first."
    )
    if request.relation is Relation.AFTER:
        return f"Timeline from the event asked about onwards: {counted}"
    if request.relation is Relation.BEFORE:
        return f"Timeline up to the event asked about: {counted}"
    return f"Timeline: {counted}"


def timeline_lines(timeline: Sequence[TimelineEvent]) -> list[str]:
    """One line per event: "17 Nov 2023: <sentence> [1]", the date marked when it is the
    report's publication date."""
    lines = []
    for event in timeline:
        when = event.label
        if event.date_source == DateSource.PUBLISHED:
            when += " (date of the report)"
        lines.append(f"{when}: {event.text} [{event.citation}]")
    return lines


class _Dater:
    """Dates sentences, reading each article's full text at most once."""

    def __init__(self, table: SentenceTable, article_text: ArticleText | None) -> None:
        self.table = table
        self.article_text = article_text
        self._texts: dict[str, str | None] = {}
        self._updated: dict[str, date | None] = {}
        self._dates: dict[int, EventDate | None] = {}

    def date(self, row: int) -> EventDate | None:
        if row not in self._dates:
            sentence = self.table.sentences[row]
            passage = self.table.passages[sentence.passage_index]
            before = self._before(passage, sentence.start)
            self._dates[row] = date_event(
                sentence.text, passage.published, before, self._last_update(passage)
            )
        return self._dates[row]

    def _last_update(self, passage: Passage) -> date | None:
        if passage.article_id not in self._updated:
            full = self._texts.get(passage.article_id)
            text = full if full is not None else passage.text
            self._updated[passage.article_id] = last_update(text, passage.published)
        return self._updated[passage.article_id]

    def _before(self, passage: Passage, start: int) -> str:
        """The article's text before offset ``start`` of ``passage`` (the passage's own text
        before it when the article cannot be read or has changed since)."""
        if self.article_text is not None and passage.article_id not in self._texts:
            self._texts[passage.article_id] = self.article_text(passage.article_id)
        full = self._texts.get(passage.article_id)
        if full is not None and full[passage.start : passage.end] == passage.text:
            return full[: passage.start + start]
        return passage.text[:start]


def _dated(table: SentenceTable, row: int, score: float, when: EventDate) -> DatedSentence:
    sentence = table.sentences[row]
    return DatedSentence(row, sentence.passage_index, sentence.start, sentence.end, score, when)


def _anchor(
    request: TimelineRequest, table: SentenceTable, dater: _Dater, rows: Sequence[int]
) -> tuple[EventDate | None, DatedSentence | None]:
    """The date of the event the question anchors on, and the sentence reporting it.

    The date is the one the question gives ("after the vote on May 3"), else that of the
    sentence that best matches the anchor. With a date in the question, the sentence is the
    best match dated that day, or none.
    """
    terms = frozenset(tokenize([request.anchor])[0])
    relevance = _Scored(table, request.anchor, terms)
    ranked = sorted(
        (r for r in rows if relevance.lexical[r] > 0), key=relevance.score, reverse=True
    )
    newest = max((p.published for p in table.passages if p.published), default=None)
    stated = date_in_text(request.anchor, newest)
    for row in ranked:
        when = dater.date(row)
        if when is None or (stated is not None and when.day != stated.day):
            continue
        return when, replace(_dated(table, row, relevance.score(row), when), anchor=True)
    return stated, None


def _on_side(when: EventDate, anchor: EventDate, relation: Relation) -> bool:
    """Whether an event dated ``when`` lies on the asked side of the anchor (its day counts
    on both sides: reports of one day cannot be ordered by their dates)."""
    if relation is Relation.AFTER:
        return when.last_day >= anchor.day
    return when.day <= anchor.last_day


def _choose(
    candidates: Sequence[DatedSentence],
    table: SentenceTable,
    config: TimelineConfig,
    anchor: DatedSentence | None,
) -> list[DatedSentence]:
    chosen: list[DatedSentence] = [anchor] if anchor is not None else []
    seen = {_place(table, c.row) for c in chosen}
    pool = [c for c in candidates if _place(table, c.row) not in seen]
    per_day: dict[date, int] = {}
    for event in chosen:
        per_day[event.date.day] = per_day.get(event.date.day, 0) + 1

    def value(c: DatedSentence) -> float:
        bonus = config.text_date_bonus if c.date.source is DateSource.TEXT else 0.0
        return c.score + bonus - config.same_day_penalty * per_day.get(c.date.day, 0)

    while pool and len(chosen) < config.max_events:
        pick = max(pool, key=value)
        pool.remove(pick)
        place = _place(table, pick.row)
        if place in seen or any(_same_event(table, pick.row, c.row, config) for c in chosen):
            continue
        seen.add(place)
        chosen.append(pick)
        per_day[pick.date.day] = per_day.get(pick.date.day, 0) + 1
    return chosen


def _place(table: SentenceTable, row: int) -> tuple[str, int]:
    """Where a sentence lies in its article (overlapping passages repeat sentences)."""
    sentence = table.sentences[row]
    passage = table.passages[sentence.passage_index]
    return passage.article_id, passage.start + sentence.start


def _same_event(table: SentenceTable, a: int, b: int, config: TimelineConfig) -> bool:
    """Two sentences telling the same event: near-identical words or meaning."""
    text_a = " ".join(table.sentences[a].text.lower().split())
    text_b = " ".join(table.sentences[b].text.lower().split())
    if text_a == text_b:
        return True
    terms_a, terms_b = table.terms[a], table.terms[b]
    shorter = min(len(terms_a), len(terms_b))
    if shorter and len(terms_a & terms_b) / shorter >= config.duplicate_overlap:
        return True
    return float(table.vectors[a] @ table.vectors[b]) >= config.duplicate_similarity


_PRECISION_RANK = {Precision.DAY: 0, Precision.WEEK: 1, Precision.MONTH: 2, Precision.YEAR: 3}


def _order_key(event: DatedSentence, table: SentenceTable) -> tuple:
    passage = table.passages[event.passage_index]
    return (
        event.date.day,
        _PRECISION_RANK[event.date.precision],
        passage.published or date.max,
        passage.article_id,
        passage.start + event.start,
    )
