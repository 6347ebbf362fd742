"""Timeline answers: the dated events of a story, oldest first, each cited to its sentence.

For a question :func:`qa.question.timeline.read_timeline` recognises ("How did X develop?",
"Timeline of X", "What happened after Y?"), the answerer (:mod:`qa.answerer`) searches the
story's words alone, for more passages than a plain question gets and fewer per article; reads
its main articles whole (the first it found, and those that state dates densely: a
chronology); and reads the opening passage of every other article found. :func:`build_timeline`
then turns their sentences into events (every weight is a :class:`TimelineConfig` field):

1. **Candidates.** A sentence can be an event when it is a statement (not a question, heading
   or caption) that shares a word with the story, or any statement of an article about the
   story. Its relevance is embedding similarity plus half the share of the story's words it
   holds (rare words weigh more), plus its article's: the share of the story's words in the
   headline, and a little more for a main article.
2. **Dates.** Each is dated by :func:`qa.answer.event_dates.date_event`: the date the sentence
   states (relative ones resolved against the article), else a year naming its subject ("The
   1987 tournament saw ...", read from spaCy's parse) or a happening in it ("his 2019 upset
   loss"), else its section's date line, else the article's publication date. The article's
   full text (when the answerer can read it) supplies the date lines above the passage.
3. **Which are events.** In an article about the story, its opening (the article's news) and
   every sentence whose date the text states; elsewhere, a sentence relevant enough itself
   (less is needed with a date in the text than without one, or in an article about the
   story). A table of results read as one line ("Oct. 4 Newcastle 4-1 PSG Oct. 25 ...") is
   no statement, but each of its entries that holds a score and one of the story's rarest
   names is a result of its own day (:func:`qa.answer.event_dates.dated_entries`).
4. **Choice.** Candidates are taken best first: a date the text states, an article's opening,
   a result it reports (a score with a word of winning or losing, which also lowers the
   relevance it needs to be a candidate) and other reports retelling the same development
   count for a sentence; speculation, quotation and each event already chosen on the same day
   count against it; at most ``published_per_article`` sentences of one article dated only by
   its publication (they tell one day's news); no near-duplicate (the same sentence in two
   passages, or the same event in two reports). At most ``max_events``.
5. **Anchor and period.** "What happened after Y?" keeps the events from Y's day on, "before Y"
   those up to it; Y's day is the date the question gives (or a year naming Y's happening: "the
   2022 draft"), else, after Y, the earliest of the sentences that match Y nearly as well as
   the best one (later reports name Y too), and before Y, the latest of those telling Y's own
   verb (the steps before it name its subject too: "charged" before "pleaded guilty"); that
   sentence opens (or closes) the timeline. A period the question names ("United's December",
   "up to the sanctions of October 2023") bounds the events.
6. **Order.** By date; events of one day by publication date, then by their place in the
   article.

Each event cites the passage holding its sentence, with the sentence highlighted; citations
are numbered in the timeline's order. The weights were set on the ``tune`` half of
``bench/data/timelines.json`` (``python -m bench.timelines``; bench/README.md, Timelines).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index.filters import Filters
from index.text import tokenize

from ..question.timeline import Relation, TimelineRequest, story_period
from ..types import Answer, Passage, TimelineEvent
from . import nlp
from .citations import CitationBuilder
from .event_dates import (
    DateSource,
    EventDate,
    Precision,
    bare_years,
    date_clauses,
    date_event,
    date_in_text,
    date_mentions,
    dated_entries,
    last_update,
    sentence_reference,
)
from .sentences import SentenceTable

__all__ = [
    "DatedSentence",
    "TimelineConfig",
    "build_timeline",
    "subject_heading",
    "timeline_answer",
    "timeline_intro",
    "timeline_lines",
]

#: An article's full text by its id, or None when it cannot be read.
ArticleText = Callable[[str], str | None]


@dataclass(frozen=True)
class TimelineConfig:
    """How timelines are retrieved and their events chosen.

    Attributes:
        passages: passages retrieved for a timeline question (a plain question gets
            ``NEWSQA_TOP_K``).
        per_article: at most this many of them from one article, so that several reports
            are read.
        story_articles: the first this many articles of the result are read whole (their
            later sections, the story's later days, share few words with the question).
        chronology_articles: besides those, up to this many of the other articles found are
            read whole: those stating at least ``chronology_dates`` dates per 1,000 characters,
            most first (an article that is a chronology: :func:`date_density`).
        chronology_dates: see ``chronology_articles``.
        article_passages: at most this many passages of one article read whole.
        max_events: events in a timeline at most.
        relative_cutoff: outside the story's articles, a sentence whose date the text states
            is a candidate when its own relevance is at least this share of the best one's.
        published_cutoff: the same for a sentence dated only by its article's publication date
            outside the story's articles.
        story_published_cutoff: the same in an article about the story, for a sentence that
            does not open it (less is needed there: the article tells the story's news of its
            day, in sentences that name little of the question).
        title_weight: weight of the share of the story's words in the article's headline (a
            sentence of an article about the story belongs to it even when it names little).
        story_title: an article whose headline holds this share of the story's words is about
            the story: all its sentences may be events.
        story_weight: added to the relevance of the sentences of the articles read whole.
        story_cutoff: an article read whole is about the story only when its headline holds
            ``story_title`` of the story's words or its most relevant sentence is at least this
            share as relevant as the best one.
        text_date_bonus: added to the value of a sentence whose date the text states.
        lede_bonus: added to the value of an article's opening sentence (the lede reports the
            article's news, usually of its day).
        lede_chars: an opening sentence starts within this many characters of the article.
        same_day_penalty: taken off per event already chosen on the same day.
        duplicate_similarity: embedding similarity at which two sentences tell the same event.
        duplicate_overlap: share of shared words (of the shorter one) at which they do too.
        min_words: shorter sentences are not events (headings, captions, bylines).
        list_headings: an article with at least this many headings naming subjects (among
            its sentences read) is a list: its entries under headings the story does not name
            are left out (:func:`subject_heading`), unless they name the story's subject
            themselves.
        anchor_margin: the anchor of "after/before Y" is the earliest of the sentences that
            match Y at least this share as well as the best one.
        published_per_article: events of one article dated by its publication date, at most
            (they all tell one day's news).
        support_bonus: added per other article that tells a similar sentence (embedding
            similarity at least ``support_similarity``), up to ``max_support`` articles: what
            several reports retell is a milestone of the story.
        hedge_penalty: taken off a sentence that speculates or opines ("reportedly", "is
            expected to", "could", "I think", "our"): what may happen is not yet an event.
        quote_penalty: taken off a sentence that is mostly a quotation: what someone said
            about the story, not a development of it.
        outcome_bonus: added to the value of a sentence that reports a result (a score beside
            a word of winning or losing: "rolled to a 26-14 victory over the Raiders", "the
            bill passed 52-48"): a season's or a contest's steps are its results.
        outcome_cutoff: such a sentence is a candidate when its own relevance is at least
            this share of the best one's, whatever dates it (a game report names the team
            and the score, few of the question's other words).
    """

    passages: int = 24
    per_article: int = 3
    story_articles: int = 3
    chronology_articles: int = 2
    chronology_dates: float = 1.0
    article_passages: int = 24
    max_events: int = 40
    relative_cutoff: float = 0.45
    published_cutoff: float = 0.6
    story_published_cutoff: float = 0.45
    title_weight: float = 0.5
    story_title: float = 0.5
    story_weight: float = 0.2
    story_cutoff: float = 0.5
    text_date_bonus: float = 0.25
    lede_bonus: float = 0.3
    lede_chars: int = 400
    same_day_penalty: float = 0.25
    duplicate_similarity: float = 0.85
    duplicate_overlap: float = 0.7
    min_words: int = 6
    list_headings: int = 5
    anchor_margin: float = 0.85
    published_per_article: int = 3
    support_bonus: float = 0.1
    hedge_penalty: float = 0.2
    quote_penalty: float = 0.3
    support_similarity: float = 0.7
    max_support: int = 3
    outcome_bonus: float = 0.3
    outcome_cutoff: float = 0.3


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
        heading: the heading its section is filed under when that names its subject (a
            company in a list of layoffs: "Meta" above "Announced May 24 that ..."); "" when
            none.
    """

    row: int
    passage_index: int
    start: int
    end: int
    score: float
    date: EventDate
    anchor: bool = False
    heading: str = ""


@dataclass(frozen=True)
class TimelineReading:
    """What :func:`build_timeline` found.

    Attributes:
        events: the chosen events in time order (empty when no relevant sentence has a date).
        best_dense: embedding similarity of the sentence most relevant to the story.
        best_lexical: share of the story's words that sentence holds (with ``best_dense``, the
            evidence gate's inputs).
    """

    events: tuple[DatedSentence, ...]
    best_dense: float = 0.0
    best_lexical: float = 0.0


class _Relevance:
    """How relevant sentences are to a text: embedding similarity plus half the share of the
    text's words the sentence holds (each word weighted by its rarity among the sentences),
    plus ``title_weight`` times the share its article's headline holds.

    Only the sentences that can be events are scored: those sharing a word with the text, and
    every sentence of a story article: one the search found most about the story (``story``,
    which also count ``story_weight`` more) or one whose headline holds at least
    ``story_title`` of the text's words ("They broke up in 2002" names neither Britney Spears
    nor relationships). Each is embedded once; :meth:`against` reuses the vectors for the
    anchor, whose sentences must share a word with it.
    """

    def __init__(
        self,
        table: SentenceTable,
        text: str,
        config: TimelineConfig,
        rows: Sequence[int],
        vectors: dict[int, np.ndarray] | None = None,
        story: Collection[str] | None = (),
        headings: dict[int, str] | None = None,
    ) -> None:
        terms = frozenset(tokenize([text])[0])
        weight = _idf(table, terms)
        total = sum(weight.values())

        def share(words: frozenset[str]) -> float:
            return sum(weight.get(w, 0.0) for w in terms & words) / total if total else 0.0

        #: Per row: the heading its section is filed under (see :func:`subject_heading`).
        self.headings = dict(headings or {})
        heading_terms = {r: frozenset(tokenize([h])[0]) for r, h in self.headings.items()}
        # In a list (an article with several headings, each naming an entry's subject), an
        # entry under another name is about something else: whether its heading names
        # something the text names. Elsewhere a heading is a section title and says less.
        headings_of: dict[str, set[str]] = {}
        for r, h in self.headings.items():
            article = table.passages[table.sentences[r].passage_index].article_id
            headings_of.setdefault(article, set()).add(h)
        lists = {a for a, found in headings_of.items() if len(found) >= config.list_headings}
        # An entry that names the story's subject itself belongs to it whatever its heading
        # ("Giants" above "The Giants met with Yoshinobu Yamamoto on Sunday"); sharing only
        # common words ("Announced ... that it will cut jobs") does not make it so.
        names = _names(text)
        self.heading_fits = {
            r: bool(t & terms) or bool(names & _names(table.sentences[r].text))
            for r, t in heading_terms.items()
            if table.passages[table.sentences[r].passage_index].article_id in lists
        }
        # A list entry names its subject only in its heading: the heading is read with it.
        self.lexical = [
            share(t | heading_terms[r]) if r in heading_terms else share(t)
            for r, t in enumerate(table.terms)
        ]
        titles = [share(t) for t in table.meta_terms]
        in_story = [
            story is not None
            and (table.passages[p].article_id in story or titles[p] >= config.story_title)
            for p in range(len(table.passages))
        ]
        rows = [r for r in rows if self.lexical[r] or in_story[table.sentences[r].passage_index]]
        if vectors is None:
            embedded = table.embed([self._with_heading(table, r) for r in rows])
            vectors = dict(zip(rows, embedded))
        query = table.embed([text])[0]
        self.dense = {r: float(vectors[r] @ query) for r in rows}
        # An article the search ranked high but that says little about the story (a small
        # index has few others) is not a story article.
        best = max((self.own(r) for r in rows), default=0.0)
        article_best: dict[str, float] = {}
        for r in rows:
            article = table.passages[table.sentences[r].passage_index].article_id
            article_best[article] = max(article_best.get(article, 0.0), self.own(r))
        #: Per passage: whether its article is about the story.
        self.on_topic = [
            in_story[p]
            and (
                titles[p] >= config.story_title
                or article_best.get(table.passages[p].article_id, 0.0) >= config.story_cutoff * best
            )
            for p in range(len(table.passages))
        ]
        self.rows = [
            r for r in rows if self.lexical[r] or self.on_topic[table.sentences[r].passage_index]
        ]
        self.vectors = {r: vectors[r] for r in self.rows}
        self.title = [
            config.title_weight * titles[s.passage_index]
            + config.story_weight * (table.passages[s.passage_index].article_id in (story or ()))
            for s in table.sentences
        ]

    def _with_heading(self, table: SentenceTable, row: int) -> str:
        text = table.sentences[row].text
        heading = self.headings.get(row)
        return f"{heading}: {text}" if heading else text

    def fits(self, row: int) -> bool:
        """False for a list's entry filed under a heading that names something else."""
        return self.heading_fits.get(row, True)

    def own(self, row: int) -> float:
        """The sentence's own relevance: embedding similarity plus half the word share."""
        return self.dense.get(row, 0.0) + 0.5 * self.lexical[row]

    def score(self, row: int) -> float:
        """Its own relevance plus its article's (headline, read whole)."""
        return self.own(row) + self.title[row]

    def against(self, table: SentenceTable, text: str, config: TimelineConfig) -> _Relevance:
        """The relevance to another text (the anchor) of those of the same sentences that
        share a word with it, reusing their vectors."""
        return _Relevance(table, text, config, list(self.vectors), self.vectors, story=None)


# A capitalised word: part of a name ("Yoshinobu Yamamoto", "Harbour Ferries").
_NAME_WORD = re.compile(r"\b[A-Z][\w'’.-]*")


def _names(text: str) -> frozenset[str]:
    """The stemmed words of the names in a text: its capitalised words, less a sentence's
    first (capitalised by its place) and stop words ("The")."""
    found = [m[0] for m in _NAME_WORD.finditer(text) if m.start() > 0]
    return frozenset(tokenize([" ".join(found)])[0]) if found else frozenset()


#: A name of the story is distinctive when the entries of tables of results holding it are at
#: most this many times as many as hold its rarest name.
_DISTINCTIVE = 1.5


def _story_results(
    table: SentenceTable, dater: _Dater, text: str
) -> dict[int, list[tuple[EventDate, int, int]]]:
    """Per sentence that is a table of results, its entries naming the story: those holding
    one of the story's names that the tables' entries hold least ("Newcastle" in "Newcastle
    United's Champions League campaign": a cup's table is full of other Uniteds; both teams of
    "the Rangers and the Diamondbacks")."""
    entries = {r: found for r in range(len(table)) if (found := dater.results(r))}
    if not entries:
        return {}
    words = {
        (r, start): frozenset(tokenize([table.sentences[r].text[start:end]])[0])
        for r, found in entries.items()
        for _, start, end in found
    }
    # " ": the story's first word may be a name too (_names skips a sentence's first word).
    held = {n: sum(n in w for w in words.values()) for n in _names(" " + text)}
    held = {n: count for n, count in held.items() if count}
    if not held:
        return {}
    rarest = min(held.values())
    names = frozenset(n for n, count in held.items() if count <= _DISTINCTIVE * rarest)
    out = {r: [e for e in found if names & words[r, e[1]]] for r, found in entries.items()}
    return {r: found for r, found in out.items() if found}


def date_density(passages: Sequence[Passage]) -> dict[str, float]:
    """Per article, the dates its passages state per 1,000 characters (:func:`date_mentions`):
    an article that is a chronology states several times as many as usual news (about 0.3 in
    the 609 MultiHop-RAG articles; 1 to 3 in their timelines)."""
    counts: dict[str, list[int]] = {}
    for p in passages:
        found = counts.setdefault(p.article_id, [0, 0])
        found[0] += date_mentions(p.text)
        found[1] += len(p.text)
    return {a: 1000 * n / max(1, chars) for a, (n, chars) in counts.items()}


def _idf(table: SentenceTable, terms: frozenset[str]) -> dict[str, float]:
    """Inverse sentence frequency of each word among the table's sentences: in "Britney Spears
    and Kevin Federline", the retrieved sentences name Spears everywhere, Federline where the
    story is."""
    count = len(table.terms)
    found = {w: sum(w in t for t in table.terms) for w in terms}
    # A word no sentence holds ("saga") would weigh most and lower every share alike: left out.
    return {w: math.log((count + 1) / (1 + n)) + 1.0 for w, n in found.items() if n}


def build_timeline(
    request: TimelineRequest,
    table: SentenceTable,
    config: TimelineConfig = TimelineConfig(),
    article_text: ArticleText | None = None,
    story: Collection[str] = (),
) -> TimelineReading:
    """The events of the story ``request`` asks about, oldest first (see the module docstring).

    Args:
        request: what the question asks for (topic, and the anchor of "after/before Y").
        table: the sentences of the retrieved passages.
        config: the choice's settings.
        article_text: reads an article's full text by id, for the date lines above a passage;
            None reads the passage alone.
        story: the ids of the articles the search found most about the story (read whole).

    Returns:
        The :class:`TimelineReading`.
    """
    if not len(table):
        return TimelineReading(())
    dater = _Dater(table, article_text)
    # A table of results read as one line ("Oct. 4 Newcastle 4-1 PSG Oct. 25 ...") is no
    # statement, but each of its entries naming the story is an event: a result.
    results = _story_results(table, dater, request.query)
    rows = [
        r
        for r in range(len(table))
        if r in results or _event_like(table.sentences[r].text, config.min_words)
    ]
    headings = {r: h for r in rows if (h := dater.heading(r))}
    relevance = _Relevance(table, request.query, config, rows, story=story, headings=headings)
    if not relevance.rows:
        return TimelineReading(())
    top = max(relevance.rows, key=relevance.own)
    best = relevance.own(top)
    newest = max((p.published for p in table.passages if p.published), default=None)
    period = story_period(request, newest)
    candidates = []
    for row in relevance.rows:
        when = dater.date(row)
        # A table's entries name the story themselves, whatever the heading above the table.
        if when is None or (row not in results and not relevance.fits(row)):
            continue  # undated, or another entry of a list (another company's layoffs)
        # In an article about the story, its opening (the article's news) and every sentence
        # whose date the text states are events of the story, whatever they name. Elsewhere a
        # sentence must be relevant itself: a date the text states makes it an event with less
        # relevance than one dated only by its article's publication needs.
        on_topic = relevance.on_topic[table.sentences[row].passage_index]
        text_dated = when.source is DateSource.TEXT
        story_event = on_topic and (text_dated or _is_lede(table, row, config.lede_chars))
        cutoff = config.relative_cutoff if text_dated else config.published_cutoff
        if on_topic and not text_dated:
            cutoff = config.story_published_cutoff
        if row in results or _outcome(table.sentences[row].text):
            cutoff = min(cutoff, config.outcome_cutoff)
        if not (story_event or relevance.own(row) >= cutoff * best):
            continue
        heading = relevance.headings.get(row, "")
        # A sentence that dates two events is two: each clause with its date; a table of
        # results, each entry naming the story.
        parts = results.get(row) or dater.clauses(row)
        for clause_date, start, end in parts or [(when, None, None)]:
            if period is None or _within(clause_date, period):
                event = _dated(table, row, relevance.score(row), clause_date, heading)
                if start is not None:
                    offset = event.start
                    event = replace(event, start=offset + start, end=offset + end)
                candidates.append(event)
    anchor = None
    if request.relation is not Relation.ALL and request.anchor:
        anchor_date, anchor = _anchor(request, table, dater, relevance, config)
        if anchor_date is not None:
            candidates = [c for c in candidates if _on_side(c.date, anchor_date, request.relation)]
    chosen = _choose(candidates, table, relevance, config, anchor, results)
    return TimelineReading(
        tuple(sorted(chosen, key=lambda c: _order_key(c, table))),
        relevance.dense[top],
        relevance.lexical[top],
    )


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
                heading=event.heading,
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
    """One line per event: "17 Nov 2023: <sentence> [1]" ("24 May 2023: Meta — <sentence> [3]"
    under a heading), the date marked when it is the report's publication date."""
    lines = []
    for event in timeline:
        when = event.label
        if event.date_source == DateSource.PUBLISHED:
            when += " (date of the report)"
        subject = f"{event.heading} — " if event.heading else ""
        lines.append(f"{when}: {subject}{event.text} [{event.citation}]")
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
            found = date_event(sentence.text, passage.published, before, self._last_update(passage))
            if found is None or found.source is not DateSource.TEXT:
                found = _naming_year(sentence.text, passage.published) or found
            self._dates[row] = found
        return self._dates[row]

    def clauses(self, row: int) -> list[tuple[EventDate, int, int]]:
        """The sentence's clauses with their dates when it dates two or more events
        (:func:`qa.answer.event_dates.date_clauses`); empty otherwise."""
        date = self.date(row)
        if date is None or date.source is not DateSource.TEXT:
            return []
        return date_clauses(self.table.sentences[row].text, *self._reference(row))

    def results(self, row: int) -> list[tuple[EventDate, int, int]]:
        """When the sentence is a table of results flattened into a line
        (:func:`qa.answer.event_dates.dated_entries`), its entries that hold a score, each
        with its day; empty otherwise."""
        text = self.table.sentences[row].text
        if not _SCORE.search(text):
            return []
        entries = dated_entries(text, *self._reference(row))
        return [
            (when, start, end) for when, start, end in entries if _SCORE.search(text, start, end)
        ]

    def _reference(self, row: int) -> tuple[date | None, date | None]:
        """The day a sentence's relative dates are read against, and its article's last update
        (:func:`qa.answer.event_dates.date_in_text`): under a date line, that line's day."""
        sentence = self.table.sentences[row]
        passage = self.table.passages[sentence.passage_index]
        before = self._before(passage, sentence.start)
        return sentence_reference(before, passage.published), self._last_update(passage)

    def heading(self, row: int) -> str:
        """The heading the sentence's section is filed under, or "" (:func:`subject_heading`)."""
        sentence = self.table.sentences[row]
        passage = self.table.passages[sentence.passage_index]
        return subject_heading(self._before(passage, sentence.start))

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


# A year modifies the noun it names: "the 1987 tournament", "Coachella 2020".
_YEAR_DEPS = frozenset({"nummod", "compound", "amod", "nmod", "npadvmod", "appos"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: Nouns of things that happen at one time: a year naming one dates it wherever it stands in
#: the sentence ("back to his 2019 upset loss to Ruiz", "a second-round exit in the 2021
#: playoffs", "In the 2016 offseason, Durant ...", "following the 2019 World Cup"). Not
#: agreements and laws, which a sentence names long after they were made ("violated the 2020
#: ceasefire", "under the 2015 accord").
_EVENT_NOUNS = frozenset(
    """loss losses defeat defeats win wins victory upset playoffs playoff postseason season
    offseason tournament final finals championship draft bout fight match release film movie
    album drama version sequel debut launch merger acquisition takeover ipo strike crash
    invasion earthquake pandemic hurricane shooting trial verdict summit olympics campaign tour
    concert cup games race marathon rematch festival ceremony awards convention deadline
    debate""".split()
)
_POSSESSIVE = re.compile(r"['’]s\b")


def _naming_year(sentence: str, published: date | None) -> EventDate | None:
    """The year of a sentence whose subject it names ("The 1987 tournament saw two changes",
    "Held in Australia, the 1992 World Cup saw ...", "Coachella 2020 was canceled"), or that
    names a happening anywhere in it ("his 2019 upset loss to Ruiz", "2022's The Batman"): what
    the sentence tells happened that year. A year naming anything else ("an omission in the
    2015 Paris accord") dates nothing; nor does a year after the article's (a coming event).
    Needs spaCy's parse (:mod:`qa.answer.nlp`); None without it."""
    years = [y for y in bare_years(sentence) if published is None or y[2] <= published.year]
    if not years or not nlp.available():
        return None
    tokens = nlp.annotate([sentence])[0].tokens
    for start, end, year in years:
        found = EventDate(date(year, 1, 1), Precision.YEAR, DateSource.TEXT, str(year))
        if _POSSESSIVE.match(sentence, end):
            return found  # "2016's Pokemon Go": the year's own work or event
        at = next((i for i, t in enumerate(tokens) if t.start == start and t.end == end), None)
        if at is None or tokens[at].dep not in _YEAR_DEPS:
            continue
        named = tokens[tokens[at].head]  # the noun the year modifies: "loss" in "2019 upset loss"
        head = tokens[at].head
        # Up through a name's parts: "the 1992 World Cup" hangs "1992" on "Cup" via "World".
        while tokens[head].dep in ("compound", "flat") and tokens[head].head != head:
            head = tokens[head].head
        noun = sentence[named.start : named.end].lower()
        if tokens[head].dep in _SUBJECT_DEPS or noun in _EVENT_NOUNS:
            return found
    return None


def _dated(
    table: SentenceTable, row: int, score: float, when: EventDate, heading: str = ""
) -> DatedSentence:
    sentence = table.sentences[row]
    return DatedSentence(
        row, sentence.passage_index, sentence.start, sentence.end, score, when, heading=heading
    )


def _anchor(
    request: TimelineRequest,
    table: SentenceTable,
    dater: _Dater,
    relevance: _Relevance,
    config: TimelineConfig,
) -> tuple[EventDate | None, DatedSentence | None]:
    """The date of the event the question anchors on, and the sentence reporting it.

    The sentence is the one that best matches the anchor, a date stated in the text and a
    precise one counting for it (a month says little about what came after); its date is the
    anchor's, unless the question gives one ("after the vote on May 3", "the summit in
    November"): then the sentence is the best match dated within it, or none.
    """
    anchor = relevance.against(table, request.anchor, config)
    newest = max((p.published for p in table.passages if p.published), default=None)
    # "after the 49ers took Purdy in the 2022 draft": a year naming the anchor's happening
    # dates it as surely as "in 2022" would.
    stated = date_in_text(request.anchor, newest) or _naming_year(request.anchor, newest)
    scored: list[tuple[float, DatedSentence]] = []
    for row in anchor.rows:
        when = dater.date(row)
        # "The summit in November": any sentence dated within the month can report it.
        if when is None or (
            stated is not None and not _within(when, (stated.day, stated.last_day))
        ):
            continue
        # The sentence's own words decide: the headline of an article about the story
        # matches the anchor whichever event the sentence tells.
        value = anchor.own(row)
        if when.source is DateSource.TEXT:
            value += config.text_date_bonus
        value -= 0.1 * _PRECISION_RANK[when.precision]
        scored.append((value, replace(_dated(table, row, anchor.score(row), when), anchor=True)))
    if not scored:
        return stated, None
    # Later reports name the event too ("days after launching, Apple ..."): of the sentences
    # that match it about as well as the best, the earliest reports it. Before it, sentences
    # naming its subject tell the steps that led up to it ("Franke was arrested" before "Franke
    # pleaded guilty"): what led up to Y ends with the latest of those that tell Y's own
    # happening (its verb: "pleaded"), so that no step is cut and no later one kept.
    top = max(value for value, _ in scored)
    near = [event for value, event in scored if value >= config.anchor_margin * top]
    if request.relation is Relation.BEFORE:
        verbs = _verbs(request.anchor)
        telling = [e for e in near if verbs & table.terms[e.row]] or near
        first = max(telling, key=lambda e: (e.date.last_day, -_PRECISION_RANK[e.date.precision]))
    else:
        first = min(near, key=lambda e: (e.date.day, _PRECISION_RANK[e.date.precision]))
    return stated or first.date, first


def _verbs(text: str) -> frozenset[str]:
    """The stemmed verbs of a text ("plead" and "name" in "Franke pleading guilty", "Hayes
    being named coach"): what happens in it, beside the names its subject shares with other
    events. Needs spaCy's parse (:mod:`qa.answer.nlp`); empty without it."""
    if not nlp.available():
        return frozenset()
    tokens = nlp.annotate([text])[0].tokens
    words = [text[t.start : t.end] for t in tokens if t.pos == "VERB"]
    return frozenset(tokenize([" ".join(words)])[0]) if words else frozenset()


def _on_side(when: EventDate, anchor: EventDate, relation: Relation) -> bool:
    """Whether an event dated ``when`` lies on the asked side of the anchor (its day counts
    on both sides: reports of one day cannot be ordered by their dates)."""
    if relation is Relation.AFTER:
        return when.day >= anchor.day
    return when.day <= anchor.last_day


def _choose(
    candidates: Sequence[DatedSentence],
    table: SentenceTable,
    relevance: _Relevance,
    config: TimelineConfig,
    anchor: DatedSentence | None,
    results: Collection[int] = (),
) -> list[DatedSentence]:
    """The events, best first (see the module docstring, step 4); ``results`` are the rows of
    tables of results, whose entries are results whatever their words."""
    chosen: list[DatedSentence] = [anchor] if anchor is not None else []
    seen = {_spot(table, c) for c in chosen}
    pool = [c for c in candidates if _spot(table, c) not in seen]
    per_day: dict[date, int] = {}
    undated: dict[str, int] = {}  # publication-dated events per article
    for event in chosen:
        per_day[event.date.day] = per_day.get(event.date.day, 0) + 1
    support = _support(pool, table, relevance, config)

    def own_value(c: DatedSentence) -> float:
        """What the candidate is worth whatever else is chosen."""
        bonus = config.text_date_bonus if c.date.source is DateSource.TEXT else 0.0
        if _is_lede(table, c.row, config.lede_chars):
            bonus += config.lede_bonus
        bonus += config.support_bonus * support.get(c.row, 0)
        text = table.sentences[c.row].text
        if c.row in results or _outcome(text):
            bonus += config.outcome_bonus
        penalty = 0.0
        if _HEDGED.search(text):
            penalty += config.hedge_penalty
        if _quoted(text):
            penalty += config.quote_penalty
        return c.score + bonus - penalty

    # Each pick rescans the pool; only the same-day penalty changes between picks, so the rest
    # (its regex searches and quotation count) is worked out once per candidate.
    own = {id(c): own_value(c) for c in pool}

    def value(c: DatedSentence) -> float:
        return own[id(c)] - config.same_day_penalty * per_day.get(c.date.day, 0)

    while pool and len(chosen) < config.max_events:
        pick = max(pool, key=value)
        pool.remove(pick)
        place = _spot(table, pick)
        published = pick.date.source is DateSource.PUBLISHED
        if (
            place in seen
            or (published and undated.get(place[0], 0) >= config.published_per_article)
            or any(_same_event(table, relevance, pick, c, config) for c in chosen)
        ):
            continue
        seen.add(place)
        chosen.append(pick)
        per_day[pick.date.day] = per_day.get(pick.date.day, 0) + 1
        if published:
            undated[place[0]] = undated.get(place[0], 0) + 1
    return chosen


def _support(
    candidates: Sequence[DatedSentence],
    table: SentenceTable,
    relevance: _Relevance,
    config: TimelineConfig,
) -> dict[int, int]:
    """Per candidate row, how many other articles tell a similar sentence (at most
    ``max_support``): a development several reports retell is a milestone of the story."""
    rows = [c.row for c in candidates]
    if len(rows) < 2:
        return {}
    vectors = np.array([relevance.vectors[r] for r in rows])
    similar = vectors @ vectors.T >= config.support_similarity
    articles = [_place(table, r)[0] for r in rows]
    out = {}
    for i, row in enumerate(rows):
        others = {articles[j] for j in np.flatnonzero(similar[i]) if articles[j] != articles[i]}
        out[row] = min(len(others), config.max_support)
    return out


def _within(when: EventDate, period: tuple[date, date | None]) -> bool:
    """Whether a date overlaps the period the question names."""
    first, last = period
    return when.last_day >= first and (last is None or when.day <= last)


def _place(table: SentenceTable, row: int) -> tuple[str, int]:
    """Where a sentence lies in its article (overlapping passages repeat sentences)."""
    sentence = table.sentences[row]
    passage = table.passages[sentence.passage_index]
    return passage.article_id, passage.start + sentence.start


def subject_heading(before: str) -> str:
    """The heading a paragraph is filed under, given the article's text before one of its
    sentences: the line above the paragraph when it is a short name, not a sentence, section
    title or date line ("Meta" above "Announced May 24 that it is laying off about 6,000
    people."); "" when there is none.

    Lists of entries ("A comprehensive list of 2023 tech layoffs") name an entry's subject only
    there, so a sentence is read with its heading; a date line above a paragraph dates it
    instead (:func:`qa.answer.event_dates.section_date`).
    """
    paragraph = before.rfind("\n")
    if paragraph < 0:
        return ""
    above = before[:paragraph].rstrip()
    line = above[above.rfind("\n") + 1 :].strip()
    words = line.split()
    if not 1 <= len(words) <= _HEADING_WORDS or len(line) > _HEADING_CHARS:
        return ""
    if not line[0].isalnum() or line[-1] in _SENTENCE_END or date_mentions(line):
        return ""
    # A name ("Meta", "Krebs Stamos Group", "Kevin Federline"), not a section title in
    # sentence case ("Altman's firing publicly announced"), which says what happened.
    if not all(w[0].isupper() or w[0].isdigit() or w in _NAME_LINKS for w in words):
        return ""
    return line


#: A heading naming an entry's subject: a few words ("Bending Spoons", "Krebs Stamos Group").
_HEADING_WORDS = 5
_HEADING_CHARS = 60
_NAME_LINKS = frozenset({"&", "and", "of", "de", "the", "for", "-"})
_SENTENCE_END = frozenset(".!?,;:…\"”’')")


def _apart(first: EventDate, second: EventDate) -> bool:
    """Two days the texts state and that differ: alike words on them tell two events."""
    return (
        first.source is second.source is DateSource.TEXT
        and first.precision is second.precision is Precision.DAY
        and first.day != second.day
    )


def _spot(table: SentenceTable, event: DatedSentence) -> tuple[str, int]:
    """Where an event's words are: its article and their offset in it (a clause's own)."""
    passage = table.passages[event.passage_index]
    return passage.article_id, passage.start + event.start


def _is_lede(table: SentenceTable, row: int, chars: int) -> bool:
    """Whether a sentence opens its article."""
    return _place(table, row)[1] < chars


# Speculation, expectation and opinion: what may happen, or what someone thinks, is not (yet)
# an event.
_HEDGED = re.compile(
    r"\b(?:reportedly|rumou?rs?|rumou?red|(?:is|are|was|were)\s+(?:expected|likely|said|believed)"
    r"\s+to|could|might|would|may|perhaps|possibl[ey]|it['’]s\s+(?:possible|unclear|likely)|"
    r"speculat\w*|seems?|appears?\s+to|I\s+think|we\s+think|in\s+talks|"
    r"I['’]m|I\s+am|I\s+have|I['’]ve|my|we['’]re|our)\b",
    re.IGNORECASE,
)


_OPEN_QUOTES = '“"‘'
_CLOSE_QUOTES = '”"’'


def _quoted(text: str) -> bool:
    """Whether a sentence is mostly somebody's words: it opens with a quotation mark, ends one
    opened in an earlier sentence, or half of it lies inside quotation marks."""
    plain = text.strip()
    if not plain:
        return False
    if plain[0] in _OPEN_QUOTES:
        return True
    inside = 0
    depth = False
    for ch in plain:
        if ch in "“" or (ch == '"' and not depth):
            depth = True
        elif ch in "”" or (ch == '"' and depth):
            depth = False
        elif depth:
            inside += 1
    if "”" in plain and "“" not in plain:
        return True  # the end of a quotation that began in an earlier sentence
    return inside >= len(plain) / 2


def _same_event(
    table: SentenceTable,
    relevance: _Relevance,
    first: DatedSentence,
    second: DatedSentence,
    config: TimelineConfig,
) -> bool:
    """Two sentences telling the same event: near-identical words or meaning, unless the
    texts date them to different days (two clauses of one sentence, dated apart, are two)."""
    a, b = first.row, second.row
    if a == b and first.passage_index == second.passage_index:
        return first.start == second.start
    if _apart(first.date, second.date):
        return False  # "Announced March 5 that ..." and "Announced May 21 that ..."
    text_a = " ".join(table.sentences[a].text.lower().split())
    text_b = " ".join(table.sentences[b].text.lower().split())
    if text_a == text_b:
        return True
    terms_a, terms_b = table.terms[a], table.terms[b]
    shorter = min(len(terms_a), len(terms_b))
    if shorter and len(terms_a & terms_b) / shorter >= config.duplicate_overlap:
        return True
    va, vb = relevance.vectors.get(a), relevance.vectors.get(b)
    return va is not None and vb is not None and float(va @ vb) >= config.duplicate_similarity


# Not an event: picture credits and captions, embedded posts, newsletter and tip boxes.
_NOT_EVENT = re.compile(
    r"Getty Images|Image source|Image caption|pic\.twitter\.com|\(@\w+\)|^\W*(?:Read more|"
    r"Also read|Related:|Sign up|Subscribe)",
    re.IGNORECASE,
)
# A statement ends with a full stop or "!", perhaps inside quotes or brackets; a line without
# one is a heading, a caption or a list item.
_STATEMENT_END = re.compile(r"[.!][\"'”’)\]]*$")


# A result: a score and a verb or noun of winning or losing ("rolled to a 26-14 victory over",
# "drew 3-3 with", "the bill passed 52-48").
_SCORE = re.compile(r"(?<![\d.,/:-])\d{1,3}\s*[-–]\s*\d{1,3}(?![\d.,/:-])")
_RESULT_WORD = re.compile(
    r"\b(?:w[oi]n[s]?|winning|victor(?:y|ies|ious)|beat(?:s|en|ing)?|defeat(?:s|ed|ing)?|"
    r"los[et]s?|losing|loss(?:es)?|dr[ae]w[sn]?|draws?|rout(?:s|ed)?|thrash(?:es|ed|ing)?|"
    r"edge[sd]?|upset|shut\s*out|passed|approved|rejected|voted)\b",
    re.IGNORECASE,
)


def _outcome(text: str) -> bool:
    """Whether a sentence reports a result: a score beside a word of winning or losing."""
    return bool(_SCORE.search(text)) and bool(_RESULT_WORD.search(text))


def _event_like(text: str, min_words: int) -> bool:
    """Whether a sentence can report an event: a statement, not a question, heading or
    caption."""
    plain = " ".join(text.split())
    return (
        len(plain.split()) >= min_words
        and bool(_STATEMENT_END.search(plain))
        and not _NOT_EVENT.search(plain)
    )


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
