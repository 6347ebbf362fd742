"""The Answerer: retrieval plus extractive or LLM answering, behind ``qa.ask``.

One object holds the opened index, the retriever and, when one is given, the chat model. It takes
them as arguments, so a test or a user swaps either without patching anything;
:meth:`Answerer.from_settings` and :meth:`Answerer.from_env` build the defaults. ``ask`` and
``stream`` share one path:

1. rewrite a follow-up to stand alone (:mod:`qa.question.rewrite`);
2. retrieve passages (published by the as-of day, relative dates read against it:
   :mod:`qa.as_of`), split them into sentences and score those against the question once
   (:mod:`qa.answer.sentences`, :mod:`qa.answer.extractive`);
3. gate on evidence: when no sentence is close enough to the question, abstain without calling
   any model, so nothing can come from general knowledge;
4. answer: extractively, or with the LLM over a bounded context (:mod:`qa.answer.context`),
   streaming text whose markers are renumbered on the fly in order of first use;
5. with the LLM, finish by parsing the short answer (:mod:`qa.answer.reply`), abstaining when the
   model declines or names an answer found nowhere in the passages or question, and verifying
   every marker (:mod:`qa.answer.verify`). The final answer cites only passages that survived
   verification, renumbered by first use (the same numbers as while streaming unless a marker
   moved); the sentences of claims nothing supports are listed, as offsets into the answer text,
   in ``Answer.unsupported`` for the UI to flag;
6. cross-check the final answer's cited statements against the other articles searched
   (:mod:`qa.answer.crosscheck`): each citation gets the other outlets reporting the same
   (``Citation.corroborated_by``), and a different figure, date or speaker for the same thing
   elsewhere is stated at the end of the text, both sides cited (``Answer.conflicts``).

Every answer, partial or final, carries the day it is as of (``Answer.as_of``).

A question asking for a timeline ("How did X develop?", "What happened after Y?",
:mod:`qa.question.timeline`) takes its own path: more passages, fewer per article, searched by
the story's words alone; its dated events are chosen, ordered and cited extractively
(:mod:`qa.answer.timeline`), with or without an LLM. A model only writes a short overview of
those events, above them: the order, the dates and the citations stay the extractive ones, so
no model can reorder or misdate them.

A failure of the LLM endpoint falls back to the extractive answer and says so in
``Answer.error``, so the user always gets cited evidence or an honest abstention.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from index import Filters, NewsIndex, Settings, open_index
from index.errors import QuestionError
from index.text import tokenize

from .answer import nlp, prompts
from .answer.citations import CitationBuilder, MarkerRenumberer, normalise_markers
from .answer.context import build_context
from .answer.crosscheck import CrossCheckConfig, cross_check
from .answer.extractive import ExtractiveAnswerer, ExtractiveConfig, ScoredSentence, abstain
from .answer.llm import Chat, ChatModel, LLMError
from .answer.reply import is_yes_no_question, parse_reply
from .answer.sentences import SentenceTable
from .answer.timeline import (
    TimelineConfig,
    build_timeline,
    date_density,
    timeline_answer,
    timeline_lines,
)
from .answer.vector_cache import cached
from .answer.verify import CitationVerifier, VerifyConfig, carry_spans
from .as_of import parse_as_of
from .question.rewrite import History, rewrite_question
from .question.timeline import TimelineRequest, read_timeline
from .retrieval.retriever import RetrievalResult, Retriever
from .settings import QASettings
from .types import Answer, Mode, Passage


class Answerer:
    """Answers questions over one index.

    ``Answerer(index)`` answers extractively; pass ``chat_model`` to have a model write the
    answers. :meth:`from_settings` builds the chat model the settings configure.

    Args:
        index: the opened index (its embedder scores sentences; the UI lists its articles).
        retriever: finds the passages (default: a :class:`Retriever` over ``index``).
        chat_model: writes answers and rewrites follow-ups; None answers extractively.
        settings: passages per question and the question length limit (default:
            ``QASettings()``; its LLM settings are used only by :meth:`from_settings`).
        extractive: thresholds of the extractive answerer and the evidence gate (default:
            ``ExtractiveConfig()``).
        verify: thresholds of citation verification (default: ``VerifyConfig()``).
        crosscheck: how cited statements are checked against the other articles searched, for
            corroboration and conflicts (default: ``CrossCheckConfig()``; ``enabled=False``
            turns it off).
        timeline: how timeline questions are retrieved and their events chosen (default:
            ``TimelineConfig()``).
    """

    def __init__(
        self,
        index: NewsIndex,
        *,
        retriever: Retriever | None = None,
        chat_model: Chat | None = None,
        settings: QASettings | None = None,
        extractive: ExtractiveConfig | None = None,
        verify: VerifyConfig | None = None,
        crosscheck: CrossCheckConfig | None = None,
        timeline: TimelineConfig | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or QASettings()
        self.retriever = retriever or Retriever(index)
        self.chat_model = chat_model
        # The reader's sentence vectors are remembered across questions (follow-ups and
        # other users read the same passages); retrieval embeds each question afresh.
        self.extractive = ExtractiveAnswerer(
            cached(index.embedder, self.settings.sentence_cache), extractive or ExtractiveConfig()
        )
        self.verifier = CitationVerifier(verify or VerifyConfig())
        self.crosscheck = crosscheck or CrossCheckConfig()
        self.timeline = timeline or TimelineConfig()

    @classmethod
    def from_settings(
        cls, index: NewsIndex, settings: QASettings | None = None, *, use_llm: bool = True
    ) -> Answerer:
        """An answerer over ``index`` with the chat model ``settings`` configure.

        Args:
            index: the opened index.
            settings: answering settings (default: ``QASettings()``); with an endpoint configured
                (an API key or a base url) the answers are written by that model.
            use_llm: False answers extractively even when an endpoint is configured.

        Returns:
            The answerer.
        """
        settings = settings or QASettings()
        config = settings.llm_config() if use_llm else None
        return cls(
            index,
            chat_model=ChatModel(config) if config else None,
            settings=settings,
            extractive=ExtractiveConfig(reader=settings.reader),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Answerer:
        """Open the index the environment configures and build its answerer.

        Args:
            env: the environment (default: ``os.environ``): ``NEWSQA_*``, ``OPENAI_API_KEY``,
                ``OPENAI_BASE_URL``.

        Returns:
            The answerer.

        Raises:
            ConfigError: a variable holds a bad value.
            NewsqaError: the index cannot be opened.
        """
        return cls.from_settings(open_index(Settings.from_env(env)), QASettings.from_env(env))

    @property
    def mode(self) -> Mode:
        """How answers are written: extractively, or by which model at which endpoint."""
        return self.chat_model.mode if self.chat_model else Mode()

    def retrieve(
        self,
        question: str,
        k: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        as_of: date | datetime | str | None = None,
    ) -> list[Passage]:
        """The ``k`` passages that best answer ``question`` (see
        :class:`qa.retrieval.retriever.Retriever`), published on or before ``as_of`` when given.

        Raises:
            TypeError: ``question`` is not a string, or ``as_of`` is not a date.
            QuestionError: ``question`` is longer than the configured limit, or ``as_of`` is a
                string that is not a YYYY-MM-DD date.
        """
        question = self.check_question(question)
        return self.retriever.retrieve(
            question, k=k, since=since, until=until, sources=sources, as_of=parse_as_of(as_of)
        ).passages

    def warm(self) -> None:
        """Load now what the first question would otherwise wait for: the search structures
        (:meth:`Retriever.warm`) and spaCy's English pipeline (seconds from a cold disk; the
        reader parses sentences only once a question has passages to read)."""
        self.retriever.warm()
        nlp.available()

    def rewrite(self, question: str, history: History) -> str:
        """A follow-up rewritten to stand alone (LLM when configured, else a local rule, which
        needs the indexed outlets to tell a newly named outlet from the earlier one)."""
        outlets = self.retriever.sources() if history else ()
        return rewrite_question(question, history, self.chat_model, outlets=outlets)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        history: History = (),
        stream: bool = False,
        as_of: date | datetime | str | None = None,
    ):
        """Answer a question with citations.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            since: earliest publication date searched.
            until: latest publication date searched.
            sources: outlets searched (default: all).
            history: earlier (question, answer text) turns, oldest first, for follow-ups.
            stream: return an iterator of partial answers instead (last one complete).
            as_of: answer as of this day: only articles published on or before it are
                searched (it caps ``until``), and relative dates in the question ("yesterday",
                "last week", "this year") are resolved against it. A date, a datetime or
                "YYYY-MM-DD"; default: the newest article's date. ``Answer.as_of`` says which
                day was used.

        Returns:
            An :class:`Answer`, or an iterator of them when ``stream`` is True.

        Raises:
            TypeError: ``question`` is not a string, or ``as_of`` is not a date.
            QuestionError: ``question`` is longer than the configured limit, or ``as_of`` is a
                string that is not a YYYY-MM-DD date.
        """
        updates = self.stream(
            question,
            k=k,
            since=since,
            until=until,
            sources=sources,
            history=history,
            as_of=as_of,
        )
        if stream:
            return updates
        final = None
        for update in updates:
            final = update
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
        history: History = (),
        as_of: date | datetime | str | None = None,
    ) -> Iterator[Answer]:
        """Yield partial answers as the text grows; the last one has ``complete=True``.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            since: earliest publication date searched.
            until: latest publication date searched.
            sources: outlets searched (default: all).
            history: earlier (question, answer text) turns, oldest first.
            as_of: answer as of this day (see :meth:`ask`).

        Raises:
            TypeError: ``question`` is not a string, or ``as_of`` is not a date.
            QuestionError: ``question`` is longer than the configured limit, or ``as_of`` is a
                string that is not a YYYY-MM-DD date.
        """
        # Checked here, not inside the generator, so a bad input fails at the call.
        question = self.check_question(question)
        as_of_day = parse_as_of(as_of)
        return self._stream(
            question,
            k=k,
            since=since,
            until=until,
            sources=sources,
            history=history,
            as_of=as_of_day,
        )

    def check_question(self, question: object) -> str:
        """``question`` with its whitespace collapsed, once it is known to be askable.

        Raises:
            TypeError: ``question`` is not a string.
            QuestionError: it is longer than the configured limit.
        """
        if not isinstance(question, str):
            raise TypeError(f"question must be a str, got {type(question).__name__}")
        question = " ".join(question.split())
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"The question is {len(question):,} characters long; the limit is {limit:,} "
                f"(NEWSQA_MAX_QUESTION_CHARS). Ask about one thing at a time."
            )
        return question

    def _stream(
        self,
        question: str,
        *,
        k: int | None,
        since: date | None,
        until: date | None,
        sources: Sequence[str] | None,
        history: History,
        as_of: date | None,
    ) -> Iterator[Answer]:
        if not question:
            yield Answer(
                text="Please ask a question.", abstained=True, question=question, mode=self.mode
            )
            return
        standalone = self.rewrite(question, history)
        request = read_timeline(standalone)
        if request is not None:
            yield from self._timeline(standalone, request, k, since, until, sources, as_of)
            return
        result = self.retriever.retrieve(
            standalone,
            k=k or self.settings.top_k,
            since=since,
            until=until,
            sources=sources,
            as_of=as_of,
        )
        # Every answer, extractive or written, partial or final, says which day it is as of.
        for answer in self._answers(standalone, result):
            yield replace(answer, as_of=result.as_of)

    def _answers(self, standalone: str, result: RetrievalResult) -> Iterator[Answer]:
        passages, filters = result.passages, result.filters
        table = self.extractive.table(passages)
        scored = self.extractive.score_sentences(standalone, table)
        extractive = self.extractive.answer(
            standalone,
            passages,
            filters,
            scored=scored,
            table=table,
            plan=result.plan,
        )
        if self.chat_model is None or extractive.abstained:
            # Weak evidence: no model call, so no chance of an answer from general knowledge.
            yield replace(self._cross_checked(extractive, result), mode=self.mode)
            return
        try:
            yield from self._llm_answer(standalone, table, scored, result)
        except LLMError as exc:
            fallback = self._cross_checked(extractive, result)
            yield replace(fallback, error=f"{exc}; showing the extractive answer instead")

    def _cross_checked(self, answer: Answer, result: RetrievalResult) -> Answer:
        """``answer`` with its corroboration and conflicts (:mod:`qa.answer.crosscheck`),
        looking further within the question's filters and generation of the index."""

        def search(text: str, k: int) -> list[Passage]:
            return self.retriever.search_words(text, k, result.filters, result.snapshot)

        return cross_check(answer, result.passages, search, self.crosscheck)

    def _timeline(
        self,
        question: str,
        request: TimelineRequest,
        k: int | None,
        since: date | None,
        until: date | None,
        sources: Sequence[str] | None,
        as_of: date | None,
    ) -> Iterator[Answer]:
        """The answer to a timeline question (see the module docstring)."""
        config = self.timeline
        # Searched by the story's words: "timeline", "develop" or "what happened" would only
        # pull in passages that share them.
        plan = replace(self.retriever.plan(question, as_of), question=request.query, clauses=())
        result = self.retriever.retrieve(
            plan,
            k=max(k or 0, config.passages),
            since=since,
            until=until,
            sources=sources,
            as_of=as_of,
            per_article=config.per_article,
        )
        for answer in self._timeline_from(question, request, result):
            yield replace(answer, as_of=result.as_of)

    def _timeline_from(
        self, question: str, request: TimelineRequest, result: RetrievalResult
    ) -> Iterator[Answer]:
        """The timeline answer read from ``result``, the story's search."""
        filters = result.filters
        passages, story = self._with_story_articles(result.passages, request.query)
        table = self.extractive.table(passages)
        reading = build_timeline(request, table, self.timeline, self._article_text, story)
        if not self.extractive.clears_gate(reading.best_dense, reading.best_lexical):
            yield replace(abstain(question, passages, filters, why="weak evidence"), mode=self.mode)
            return
        events = reading.events
        if not events:
            yield replace(
                abstain(question, passages, filters, why="no dated events"), mode=self.mode
            )
            return
        extractive = timeline_answer(question, request, passages, events, filters)
        if self.chat_model is None:
            yield replace(extractive, mode=self.mode)
            return
        try:
            yield from self._timeline_overview(question, table, extractive)
        except LLMError as exc:
            yield replace(extractive, error=f"{exc}; showing the extractive answer instead")

    def _timeline_overview(
        self, question: str, table: SentenceTable, extractive: Answer
    ) -> Iterator[Answer]:
        """The model's overview of the extractive timeline, streamed above its events."""
        assert self.chat_model is not None
        mode = self.chat_model.mode
        row_of = {p.chunk_id: i for i, p in enumerate(table.passages)}
        shown = [row_of[c.passage.chunk_id] for c in extractive.citations]
        builder = CitationBuilder([table.passages[i] for i in shown])
        for number in range(len(shown)):
            builder.cite(number)  # the events' numbers, so the model's markers keep them
        renumber = MarkerRenumberer(builder)
        user = prompts.timeline_message(question, extractive.timeline)
        raw = visible = ""
        for piece in self.chat_model.stream(prompts.TIMELINE_SYSTEM, user):
            raw += piece
            out = renumber.feed(piece)
            if out:
                visible += out
                yield replace(extractive, text=visible, mode=mode, complete=False)
        raw = normalise_markers(raw).strip()
        if not raw or prompts.MODEL_ABSTAIN_PATTERN.search(raw):
            yield extractive  # no overview: the events speak for themselves
            return
        # The heading line keeps the overview's first sentence from being read as a short
        # answer: every sentence of it is a claim to check.
        heading = "Overview\n"
        checked = self.verifier.verify(heading + raw, table, shown)
        body = checked.text[len(heading) :]
        spans = [(s - len(heading), e - len(heading)) for s, e in checked.unsupported]
        renumber = MarkerRenumberer(builder)
        overview = " ".join((renumber.feed(body) + renumber.finish()).split())
        listing = "\n".join(timeline_lines(extractive.timeline))
        yield replace(
            extractive,
            text=f"{overview}\n{listing}",
            mode=mode,
            unsupported=carry_spans(spans, body, overview),
        )

    def _with_story_articles(
        self, passages: Sequence[Passage], query: str
    ) -> tuple[list[Passage], set[str]]:
        """``passages``, then the other passages of the story's main articles (read whole) and
        the opening passage of every other article (its news); and the ids of the articles
        read whole (see :class:`TimelineConfig`).

        The main articles are the first few the search found, and the ones among the next
        that state the most dates for their length: a timeline's best source is an article
        that is one ("A timeline of ...", "how did it get here").
        """
        config = self.timeline
        articles = list(dict.fromkeys(p.article_id for p in passages))
        story = articles[: config.story_articles]
        density = date_density(passages)
        chronologies = sorted(
            (a for a in articles[config.story_articles :] if density[a] >= config.chronology_dates),
            key=density.__getitem__,
            reverse=True,
        )
        story += chronologies[: config.chronology_articles]
        have = {p.chunk_id for p in passages}
        rest = [a for a in articles if a not in story]
        extra = [
            p
            for p in [
                *_story_passages(
                    self.retriever.article_passages(story), query, config.article_passages
                ),
                *self.retriever.article_passages(rest, limit=1),
            ]
            if p.chunk_id not in have
        ]
        return [*passages, *extra], set(story)

    def _article_text(self, article_id: str) -> str | None:
        """An article's full text (the date lines above a passage date its sentences)."""
        found = self.index.get_article(article_id)
        return found[1] if found is not None else None

    def _llm_answer(
        self,
        question: str,
        table: SentenceTable,
        scored: list[ScoredSentence],
        result: RetrievalResult,
    ) -> Iterator[Answer]:
        assert self.chat_model is not None
        filters = result.filters
        context = build_context(table, scored, self.chat_model.context_tokens)
        shown = [c.passage_index for c in context]
        blocks = [
            prompts.passage_block(n, table.passages[c.passage_index], c.text)
            for n, c in enumerate(context, 1)
        ]
        builder = CitationBuilder([table.passages[i] for i in shown])
        renumber = MarkerRenumberer(builder)
        raw = visible = ""
        user = prompts.user_message(
            question,
            blocks,
            yes_no=is_yes_no_question(question),
            as_of=result.as_of.day if result.as_of else None,
        )
        for piece in self.chat_model.stream(prompts.SYSTEM, user):
            raw += piece
            out = renumber.feed(piece)
            if out:
                visible += out
                yield Answer(
                    text=visible,
                    citations=builder.citations(),
                    filters=filters,
                    mode=self.chat_model.mode,
                    question=question,
                    complete=False,
                )
        final = self._finish(question, raw, table, shown, filters)
        yield self._cross_checked(final, result)

    def _finish(
        self,
        question: str,
        raw: str,
        table: SentenceTable,
        shown: list[int],
        filters: Filters,
    ) -> Answer:
        mode = self.mode
        raw = normalise_markers(raw)
        reply = parse_reply(raw, question)
        if reply.abstained:
            return replace(
                abstain(question, table.passages, filters, why="model declined"), mode=mode
            )
        if not self._grounded(reply.short_answer, question, table, shown):
            return replace(
                abstain(question, table.passages, filters, why="answer not in the articles"),
                mode=mode,
            )
        checked = self.verifier.verify(raw, table, shown)
        builder = CitationBuilder([table.passages[i] for i in shown])
        renumber = MarkerRenumberer(builder)
        text = (renumber.feed(checked.text) + renumber.finish()).strip()
        for check in checked.checks:
            for n, span in check.spans:
                builder.add_highlight(n - 1, span)
        # An answer whose claims all failed verification is still shown, every claim flagged
        # (Answer.unsupported): the reader sees what the model said and that nothing backs it.
        return Answer(
            text=text,
            citations=builder.citations(),
            abstained=False,
            short_answer=reply.short_answer,
            filters=filters,
            mode=mode,
            question=question,
            unsupported=carry_spans(checked.unsupported, checked.text, text),
        )

    @staticmethod
    def _grounded(short_answer: str, question: str, table: SentenceTable, shown: list[int]) -> bool:
        """False when the short answer names something found in neither the passages nor the
        question."""
        terms = set(tokenize([short_answer])[0]) - {"yes", "no"} if short_answer else set()
        if not terms:
            return True
        known = set(tokenize([question])[0])
        for p_index in shown:
            known |= table.meta_terms[p_index]
            for row in table.rows_of(p_index):
                known |= table.terms[row]
        return bool(terms & known)


def _story_passages(passages: Sequence[Passage], query: str, limit: int) -> list[Passage]:
    """At most ``limit`` passages of each article read whole: all of a short one; of a long
    one (a list of a year's layoffs, a live blog), its first half of ``limit`` and then the
    passages holding the most of the story's words, in text order: the story's entry can sit
    anywhere in a long list."""
    terms = frozenset(tokenize([query])[0])
    by_article: dict[str, list[Passage]] = {}
    for p in passages:
        by_article.setdefault(p.article_id, []).append(p)
    out: list[Passage] = []
    for found in by_article.values():
        if len(found) > limit:
            head = limit // 2
            rest = sorted(
                range(head, len(found)),
                key=lambda i: len(terms & set(tokenize([found[i].text])[0])),
                reverse=True,
            )
            found = [found[i] for i in sorted([*range(head), *rest[: limit - head]])]
        out.extend(found)
    return out
