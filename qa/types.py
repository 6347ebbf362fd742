"""Result types of the qa package: frozen dataclasses, formatted only at the edges (UI, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from index.filters import Filters


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


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer.

    Attributes:
        number: the marker number ``[n]`` used in the answer text.
        passage: the cited passage.
        highlights: (start, end) spans inside ``passage.text`` of the supporting sentence(s).
    """

    number: int
    passage: Passage
    highlights: tuple[tuple[int, int], ...] = ()


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
    """

    day: date
    text: str
    citation: int
    date_source: str = "text"
    precision: str = "day"
    date_text: str = ""

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
class Answer:
    """An answer with its citations.

    Attributes:
        text: the answer, with inline markers ``[1]``, ``[2]`` ...
        citations: the cited passages only, numbered in order of first use.
        abstained: True when the indexed articles do not answer the question.
        short_answer: the direct answer alone, in a few words ("Yes", "Google", "41 million
            crowns"); "" when abstaining or when the answer has no such form (a reason, a
            statement).
        filters: the date/outlet restrictions the search used.
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
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def unsupported_sentences(self) -> tuple[str, ...]:
        """The text of each :attr:`unsupported` span."""
        return tuple(self.text[start:end] for start, end in self.unsupported)
