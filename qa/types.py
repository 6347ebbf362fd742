"""Result types of the qa package: frozen dataclasses, formatted only at the edges (UI, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from index.filters import Filters


@dataclass(frozen=True)
class Copy:
    """Another article that carries a passage too: the same wire story in another outlet, an
    earlier or later version of the article (:mod:`qa.retrieval.copies`).

    Attributes:
        article_id: id of that article.
        title: its headline.
        source: its outlet ("" when unknown).
        published: its publication date, or None.
        url: its url ("" when unknown).
        chunk_id: id of its stored chunk that repeats the passage.
    """

    article_id: str
    title: str
    source: str
    published: date | None
    url: str
    chunk_id: str = ""


@dataclass(frozen=True)
class Passage:
    """A retrieved passage: a verbatim slice of one article.

    Attributes:
        text: ``article_text[start:end]``, exactly.
        article_id: id of the article (its url, or its file path).
        title: article headline.
        source: outlet ("" when unknown).
        published: publication date, or None.
        url: article url ("" when unknown).
        start: character offset of ``text`` in the article text.
        end: offset one past its end.
        score: retrieval score (higher is better; comparable within one result list).
        chunk_id: id of the stored chunk.
        story_id: key of the story (the event) its article reports, shared by every article
            about that event (:mod:`index.stories`); "" for an article indexed before stories
            were kept.
        also_in: the other articles whose near-identical passage was among the candidates and
            is shown as this one (copies of the article), in rank order.
    """

    text: str
    article_id: str
    title: str
    source: str
    published: date | None
    url: str
    start: int
    end: int
    score: float = 0.0
    chunk_id: str = ""
    story_id: str = ""
    also_in: tuple[Copy, ...] = ()


@dataclass(frozen=True)
class Report:
    """Another article that states what a citation's sentence states (see
    :mod:`qa.answer.crosscheck`).

    Attributes:
        outlet: the other article's outlet.
        title: its headline.
        published: its publication date, or None.
        url: its url ("" when unknown).
        article_id: its id.
        chunk_id: the stored chunk holding the sentence.
        sentence: the sentence that states it, verbatim.
        start: offset of ``sentence`` in the article text.
        end: offset one past its end.
        statement: the (start, end) span, inside the cited passage's text, of the statement it
            states (one of the citation's highlights).
    """

    outlet: str
    title: str
    published: date | None
    url: str
    article_id: str
    chunk_id: str
    sentence: str
    start: int
    end: int
    statement: tuple[int, int] = (0, 0)


def outlet_key(source: str, url: str = "") -> str:
    """The name two reports are counted as one outlet by: the outlet's name, case and a
    leading "The" aside; the url's host when the outlet is unknown; "" when both are."""
    name = " ".join(source.split()).casefold().removeprefix("the ")
    if name:
        return name
    host = url.split("//", 1)[-1].split("/", 1)[0].casefold().removeprefix("www.") if url else ""
    return host


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer.

    Attributes:
        number: the marker number ``[n]`` used in the answer text.
        passage: the cited passage.
        highlights: (start, end) spans inside ``passage.text`` of the supporting sentence(s).
        corroborated_by: reports in other outlets' articles of the statements the passage is
            cited for (its highlighted sentences): one per outlet and statement, in the order
            of :attr:`highlights`, the most alike first; empty when no other outlet among the
            searched articles states them.
    """

    number: int
    passage: Passage
    highlights: tuple[tuple[int, int], ...] = ()
    corroborated_by: tuple[Report, ...] = ()

    def outlets_for(self, statement: tuple[int, int]) -> tuple[str, ...]:
        """The outlets that report one of the citation's statements (a span of
        :attr:`highlights`): the cited passage's own first, then each outlet of a report of it.
        """
        names = [self.passage.source or "an unnamed outlet"]
        seen = {outlet_key(self.passage.source, self.passage.url)}
        for report in self.corroborated_by:
            key = outlet_key(report.outlet, report.url)
            if report.statement == statement and key and key not in seen:
                seen.add(key)
                names.append(report.outlet or key)
        return tuple(names)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets that report everything the passage is cited for (every statement of
        :attr:`highlights`), the cited passage's own first."""
        if not self.highlights:
            return (self.passage.source or "an unnamed outlet",)
        each = [self.outlets_for(span) for span in self.highlights]
        return tuple(name for name in each[0] if all(name in other for other in each[1:]))

    @property
    def reported_by(self) -> int:
        """How many outlets report what the passage is cited for, the cited one included
        ("reported by 3 outlets"); :meth:`outlets_for` counts one statement."""
        return len(self.outlets)

    @property
    def also_in(self) -> tuple[Copy, ...]:
        """The other articles that carry the cited passage (:attr:`Passage.also_in`)."""
        return self.passage.also_in

    @property
    def story_id(self) -> str:
        """The story of the cited article (:attr:`Passage.story_id`)."""
        return self.passage.story_id


@dataclass(frozen=True)
class ConflictSide:
    """One side of a disagreement: what one article says.

    Attributes:
        value: the value as the article writes it ("30,000 people", "Oct. 20", "Yoav
            Gallant").
        outlet: its outlet ("" when unknown).
        published: its publication date, or None.
        citation: the number of the citation ``[n]`` that shows it.
        sentence: the sentence stating it, verbatim.
    """

    value: str
    outlet: str
    published: date | None
    citation: int
    sentence: str


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for the same thing (see :mod:`qa.answer.crosscheck`).

    Attributes:
        thing: the cited statement with its value left out ("The death toll rose to …,
            officials said."): what the sides disagree about.
        kind: the kind of value: "money", "count", "percent", "measure", "duration", "date"
            or "speaker" (who said it).
        sides: what each article says; the cited statement's side first.
        update: the sides were published on different days: the later value may be an
            update (a toll that rose), and the answer says "later reported".
    """

    thing: str
    kind: str
    sides: tuple[ConflictSide, ...]
    update: bool = False


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event of a timeline answer ("How did X develop?", "Timeline of X").

    Attributes:
        day: when it happened; for a week, month or year, its first day.
        text: the sentence that reports it, verbatim from the article (white space collapsed).
        citation: the number ``[n]`` of the answer's citation whose passage holds the sentence.
        date_source: ``"text"`` when the article states the date (in the sentence, or on its
            section's date line), ``"published"`` when it is the article's publication date.
        precision: ``"day"``, ``"week"``, ``"month"`` or ``"year"``.
        date_text: the words the date was read from ("on Tuesday", "November 20"); "" for a
            publication date.
        heading: the heading the article files the sentence under when it names the
            sentence's subject (a company in a list of layoffs: "Meta" above "Announced May 24
            that ..."); "" when none. Not part of ``text``, which is the article's sentence.
    """

    day: date
    text: str
    citation: int
    date_source: str = "text"
    precision: str = "day"
    date_text: str = ""
    heading: str = ""

    @property
    def label(self) -> str:
        """The date as people write it: "17 Nov 2023", "week of 13 Nov 2023", "Nov 2023",
        "2015"."""
        if self.precision == "year":
            return str(self.day.year)
        if self.precision == "month":
            return self.day.strftime("%b %Y")
        day = f"{self.day.day} {self.day.strftime('%b %Y')}"
        return f"week of {day}" if self.precision == "week" else day


@dataclass(frozen=True)
class Mode:
    """How answers are written: quoted from the articles (extractive), or by an LLM.

    Attributes:
        llm_model: the model's name, or None for extractive answers.
        base_url: the OpenAI-compatible endpoint the model runs behind, or None (api.openai.com,
            or no model).
    """

    llm_model: str | None = None
    base_url: str | None = None

    @property
    def extractive(self) -> bool:
        """True when no model writes the answers."""
        return self.llm_model is None

    @property
    def label(self) -> str:
        """A short stable name, ``extractive`` or ``llm:<model>`` (logs, benchmark results)."""
        return "extractive" if self.llm_model is None else f"llm:{self.llm_model}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class AsOf:
    """The day a question was answered as of.

    Retrieval saw only articles published on or before an as-of date the caller chose, and
    relative dates in the question ("yesterday", "last week", "this year") were resolved
    against this day.

    Attributes:
        day: the reference date.
        given: True when the caller chose it (``ask(..., as_of=...)``, the UI's "As of" box);
            False when it is the default: the newest indexed article's publication date (today
            when no article has a date), which restricts nothing.
    """

    day: date
    given: bool = False

    def describe(self) -> str:
        """Plain words, e.g. "as of 10 Nov 2023" or "as of 10 Nov 2023 (the newest article)"."""
        words = f"as of {self.day.strftime('%-d %b %Y')}"
        return words if self.given else f"{words} (the newest article)"


@dataclass(frozen=True)
class Answer:
    """An answer with its citations.

    Attributes:
        text: the answer, with inline markers ``[1]``, ``[2]`` ...
        citations: the cited passages only, numbered in order of first use.
        abstained: True when the indexed articles do not answer the question.
        short_answer: the direct answer alone, in a few words ("Yes", "Google", "41 million
            crowns"); "" when abstaining or when the answer has no such form (a reason, a
            statement).
        filters: the date/outlet restrictions the search used (a given as-of date shows as
            ``filters.until``: it caps any later ``until``).
        mode: how it was written: extractively, or by which LLM.
        question: the question as searched (a follow-up rewritten to stand alone).
        unsupported: (start, end) offsets in ``text`` of the sentences no cited passage
            supports, in text order.
        nearest: when abstaining, the closest passages found (what the articles do cover).
        complete: False for the partial answers a stream yields before the end.
        error: a message when the LLM failed and the answer fell back to extractive.
        abstain_reason: why it abstained: "weak evidence" (retrieval found nothing close enough,
            no model was asked), "model declined" (the model said the passages don't answer)
            or "answer not in the articles" (the model's answer appears in no passage); "" when
            not abstaining.
        as_of: the day the answer was given as of, and whether the caller chose it
            (:class:`AsOf`); None only when nothing was searched (an empty question).
        conflicts: the cited statements that other searched articles contradict (a different
            figure, date or speaker for the same thing); the text states each, citing both
            sides.
        timeline: for a timeline question, its dated events, oldest first, each cited. The
            text is then one line of overview (a count of events and articles, or the model's
            summary of them) followed by one line per event: "17 Nov 2023: <sentence> [1]".
            Citations are numbered in the timeline's order.
    """

    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    short_answer: str = ""
    filters: Filters = field(default_factory=Filters)
    mode: Mode = Mode()
    question: str = ""
    unsupported: tuple[tuple[int, int], ...] = ()
    nearest: tuple[Passage, ...] = ()
    complete: bool = True
    error: str | None = None
    abstain_reason: str = ""
    as_of: AsOf | None = None
    conflicts: tuple[Conflict, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def unsupported_sentences(self) -> tuple[str, ...]:
        """The text of each :attr:`unsupported` span."""
        return tuple(self.text[start:end] for start, end in self.unsupported)
