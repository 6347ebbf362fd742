"""The Answerer: retrieval plus extractive or LLM answering, behind ``qa.ask``.

One object holds the opened index, the retriever and, when configured, the chat model. ``ask``
and ``stream`` share one path:

1. rewrite a follow-up to stand alone (:mod:`qa.question.rewrite`);
2. retrieve passages, split them into sentences and score those against the question once
   (:mod:`qa.answer.sentences`, :mod:`qa.answer.extractive`);
3. gate on evidence: when no sentence is close enough to the question, abstain without calling
   any model, so nothing can come from general knowledge;
4. answer: extractively, or with the LLM over a bounded context (:mod:`qa.answer.context`), streaming
   text whose markers are renumbered on the fly in order of first use;
5. with the LLM, finish by parsing the short answer (:mod:`qa.answer.reply`), abstaining when the model
   declines or names an answer found nowhere in the passages or question, and verifying every
   marker (:mod:`qa.answer.verify`). The final answer cites only passages that survived verification,
   renumbered by first use (the same numbers as while streaming unless a marker moved); claims
   nothing supports are listed in ``Answer.unsupported`` for the UI to flag.

A failure of the LLM endpoint falls back to the extractive answer and says so in
``Answer.error``, so the user always gets cited evidence or an honest abstention.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from index import NewsIndex, Settings, open_index
from index.errors import QuestionError
from index.lexical import tokenize

from .answer import prompts
from .answer.citations import CitationBuilder, MarkerRenumberer, normalise_markers
from .answer.context import build_context
from .answer.extractive import ExtractiveAnswerer, ExtractiveConfig, ScoredSentence, abstain
from .answer.llm import ChatModel, LLMConfig, LLMError
from .answer.reply import is_yes_no_question, parse_reply
from .answer.sentences import SentenceTable
from .answer.verify import CitationVerifier, VerifyConfig
from .question.rewrite import History, rewrite_question
from .retrieval.retriever import Retriever
from .types import Answer, AppliedFilters, Passage


class Answerer:
    """Answers questions over one index.

    Args:
        index: the opened index.
        settings: configuration (defaults to the index's).
        llm: a chat model; built from settings when an endpoint is configured, unless
            ``use_llm`` is False.
        use_llm: set False to force extractive answers.
        extractive: thresholds of the extractive answerer and the evidence gate.
        verify: thresholds of citation verification.
    """

    def __init__(
        self,
        index: NewsIndex,
        settings: Settings | None = None,
        llm: ChatModel | None = None,
        use_llm: bool = True,
        extractive: ExtractiveConfig = ExtractiveConfig(),
        verify: VerifyConfig = VerifyConfig(),
    ) -> None:
        self.index = index
        self.settings = settings or index.settings
        self.retriever = Retriever(index)
        self.extractive = ExtractiveAnswerer(index.embedder, extractive)
        self.verifier = CitationVerifier(verify)
        if llm is None and use_llm and self.settings.llm_enabled:
            llm = ChatModel(
                LLMConfig(
                    model=self.settings.llm_model or "gpt-4o-mini",
                    base_url=self.settings.openai_base_url,
                    api_key=self.settings.openai_api_key,
                    timeout_s=self.settings.llm_timeout_s,
                    retries=self.settings.llm_retries,
                    context_tokens=self.settings.llm_context_tokens,
                )
            )
        self.llm = llm if use_llm else None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Answerer:
        """Open the configured index and build an answerer for it."""
        settings = settings or Settings.from_env()
        return cls(open_index(settings), settings)

    @property
    def mode(self) -> str:
        """ "extractive" or "llm:<model>"."""
        return self.llm.label if self.llm else "extractive"

    def retrieve(
        self,
        question: str,
        k: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Passage]:
        """The ``k`` passages that best answer ``question`` (see :class:`qa.retrieval.retriever.Retriever`).

        Raises:
            TypeError: ``question`` is not a string.
            QuestionError: ``question`` is longer than the configured limit.
        """
        question = self.check_question(question)
        return self.retriever.retrieve(
            question, k=k, since=since, until=until, sources=sources
        ).passages

    def rewrite(self, question: str, history: History) -> str:
        """A follow-up rewritten to stand alone (LLM when configured, else a local rule)."""
        return rewrite_question(question, history, self.llm)

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

        Returns:
            An :class:`Answer`, or an iterator of them when ``stream`` is True.

        Raises:
            TypeError: ``question`` is not a string.
            QuestionError: ``question`` is longer than the configured limit.
        """
        updates = self.stream(
            question, k=k, since=since, until=until, sources=sources, history=history
        )
        if stream:
            return updates
        final = None
        for final in updates:
            pass
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
    ) -> Iterator[Answer]:
        """Yield partial answers as the text grows; the last one has ``complete=True``.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            since: earliest publication date searched.
            until: latest publication date searched.
            sources: outlets searched (default: all).
            history: earlier (question, answer text) turns, oldest first.

        Raises:
            TypeError: ``question`` is not a string.
            QuestionError: ``question`` is longer than the configured limit.
        """
        # Checked here, not inside the generator, so a bad question fails at the call.
        question = self.check_question(question)
        return self._stream(
            question, k=k, since=since, until=until, sources=sources, history=history
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
    ) -> Iterator[Answer]:
        if not question:
            yield Answer(
                text="Please ask a question.", abstained=True, question=question, mode=self.mode
            )
            return
        standalone = self.rewrite(question, history)
        result = self.retriever.retrieve(
            standalone, k=k or self.settings.top_k, since=since, until=until, sources=sources
        )
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
        if self.llm is None or extractive.abstained:
            # Weak evidence: no model call, so no chance of an answer from general knowledge.
            yield replace(extractive, mode=self.mode)
            return
        try:
            yield from self._llm_answer(standalone, table, scored, filters)
        except LLMError as exc:
            yield replace(extractive, error=f"{exc}; showing the extractive answer instead")

    def _llm_answer(
        self,
        question: str,
        table: SentenceTable,
        scored: list[ScoredSentence],
        filters: AppliedFilters,
    ) -> Iterator[Answer]:
        assert self.llm is not None
        context = build_context(table, scored, self.llm.config.context_tokens)
        shown = [c.passage_index for c in context]
        blocks = [
            prompts.passage_block(n, table.passages[c.passage_index], c.text)
            for n, c in enumerate(context, 1)
        ]
        builder = CitationBuilder([table.passages[i] for i in shown])
        renumber = MarkerRenumberer(builder)
        raw = visible = ""
        user = prompts.user_message(question, blocks, yes_no=is_yes_no_question(question))
        for piece in self.llm.stream(prompts.SYSTEM, user):
            raw += piece
            out = renumber.feed(piece)
            if out:
                visible += out
                yield Answer(
                    text=visible,
                    citations=builder.citations(),
                    filters=filters,
                    mode=self.llm.label,
                    question=question,
                    complete=False,
                )
        yield self._finish(question, raw, table, shown, filters)

    def _finish(
        self,
        question: str,
        raw: str,
        table: SentenceTable,
        shown: list[int],
        filters: AppliedFilters,
    ) -> Answer:
        label = self.mode
        raw = normalise_markers(raw)
        reply = parse_reply(raw, question)
        if reply.abstained:
            return replace(
                abstain(question, table.passages, filters, why="model declined"), mode=label
            )
        if not self._grounded(reply.short_answer, question, table, shown):
            return replace(
                abstain(question, table.passages, filters, why="answer not in the articles"),
                mode=label,
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
            mode=label,
            question=question,
            unsupported=checked.unsupported,
        )

    @staticmethod
    def _grounded(short_answer: str, question: str, table: SentenceTable, shown: list[int]) -> bool:
        """False when the short answer names something found in neither the passages nor the question."""
        terms = set(tokenize([short_answer])[0]) - {"yes", "no"} if short_answer else set()
        if not terms:
            return True
        known = set(tokenize([question])[0])
        for p_index in shown:
            known |= table.meta_terms[p_index]
            for row in table.rows_of(p_index):
                known |= table.terms[row]
        return bool(terms & known)
