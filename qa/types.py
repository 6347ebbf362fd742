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

    @property
    def also_in(self) -> tuple[Copy, ...]:
        """The other articles that carry the cited passage (:attr:`Passage.also_in`)."""
        return self.passage.also_in

    @property
    def story_id(self) -> str:
        """The story of the cited article (:attr:`Passage.story_id`)."""
        return self.passage.story_id


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

    @property
    def unsupported_sentences(self) -> tuple[str, ...]:
        """The text of each :attr:`unsupported` span."""
        return tuple(self.text[start:end] for start, end in self.unsupported)
