"""The Answerer: retrieval plus extractive or LLM answering, behind ``qa.ask``.

One object holds the opened index, the retriever and, when configured, the chat model. ``ask``
and ``stream`` share one path: rewrite a follow-up, retrieve, gate on evidence, answer. With an
LLM, a failure of the endpoint falls back to the extractive answer and says so in
``Answer.error``, so the user always gets cited evidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Iterator, Sequence

from index import NewsIndex, Settings, open_index

from . import prompts
from .citations import CitationBuilder, MarkerRenumberer, strip_markers
from .extractive import ExtractiveAnswerer, abstain
from .llm import ChatModel, LLMConfig, LLMError, fit_passages, split_short_answer
from .retrieval import Retriever
from .types import Answer, AppliedFilters, Passage
from .verify import best_support, split_sentences

History = Sequence[tuple[str, str]]
_FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|what about|how about|so|then)\b|\b(it|its|they|them|their|he|she|his|her|this|that|these|those|there)\b",
    re.I,
)


class Answerer:
    """Answers questions over one index.

    Args:
        index: the opened index.
        settings: configuration (defaults to the index's).
        llm: a chat model; built from settings when an endpoint is configured, unless
            ``use_llm`` is False.
        use_llm: set False to force extractive answers.
    """

    def __init__(self, index: NewsIndex, settings: Settings | None = None, llm: ChatModel | None = None,
                 use_llm: bool = True) -> None:
        self.index = index
        self.settings = settings or index.settings
        self.retriever = Retriever(index)
        self.extractive = ExtractiveAnswerer(index.embedder)
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
    def from_settings(cls, settings: Settings | None = None) -> "Answerer":
        """Open the configured index and build an answerer for it."""
        settings = settings or Settings.from_env()
        return cls(open_index(settings), settings)

    @property
    def mode(self) -> str:
        """"extractive" or "llm:<model>"."""
        return self.llm.label if self.llm else "extractive"

    def retrieve(self, question: str, k: int = 10, since: date | None = None, until: date | None = None,
                 sources: Sequence[str] | None = None) -> list[Passage]:
        """The ``k`` passages that best answer ``question`` (see :class:`qa.retrieval.Retriever`)."""
        return self.retriever.retrieve(question, k=k, since=since, until=until, sources=sources).passages

    def ask(self, question: str, *, k: int | None = None, since: date | None = None, until: date | None = None,
            sources: Sequence[str] | None = None, history: History = (), stream: bool = False):
        """Answer a question with citations.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            since: earliest publication date searched.
            until: latest publication date searched.
            sources: outlets searched (default: all).
            history: earlier (question, answer) turns, for follow-ups.
            stream: return an iterator of partial answers instead (last one complete).

        Returns:
            An :class:`Answer`, or an iterator of them when ``stream`` is True.
        """
        updates = self.stream(question, k=k, since=since, until=until, sources=sources, history=history)
        if stream:
            return updates
        final = None
        for final in updates:
            pass
        assert final is not None
        return final

    def stream(self, question: str, *, k: int | None = None, since: date | None = None, until: date | None = None,
               sources: Sequence[str] | None = None, history: History = ()) -> Iterator[Answer]:
        """Yield partial answers as the text grows; the last one has ``complete=True``."""
        question = " ".join(question.split())
        if not question:
            yield Answer(text="Please ask a question.", abstained=True, question=question)
            return
        standalone = self.rewrite(question, history)
        result = self.retriever.retrieve(standalone, k=k or self.settings.top_k, since=since, until=until,
                                         sources=sources)
        passages, filters = result.passages, result.filters
        extractive = self.extractive.answer(standalone, passages, filters)
        if self.llm is None or extractive.abstained:
            # Weak evidence: no model call, so no chance of an answer from general knowledge.
            yield replace(extractive, mode=self.mode if extractive.abstained else "extractive")
            return
        try:
            yield from self._llm_answer(standalone, passages, filters)
        except LLMError as exc:
            yield replace(extractive, error=f"{exc}; showing the extractive answer instead")

    def _llm_answer(self, question: str, passages: list[Passage], filters: AppliedFilters) -> Iterator[Answer]:
        assert self.llm is not None
        fitted = fit_passages(passages, self.llm.config.context_tokens)
        used = [p for p, _ in fitted]
        blocks = [prompts.passage_block(n, p, text) for n, (p, text) in enumerate(fitted, 1)]
        builder = CitationBuilder(used)
        renumber = MarkerRenumberer(builder)
        shown = ""
        for piece in self.llm.stream(prompts.SYSTEM, prompts.user_message(question, blocks)):
            visible = renumber.feed(piece)
            if visible:
                shown += visible
                yield Answer(text=shown, citations=builder.citations(), filters=filters, mode=self.llm.label,
                             question=question, complete=False)
        shown += renumber.finish()
        yield self._finish(question, shown, builder, used, filters)

    def _finish(self, question: str, text: str, builder: CitationBuilder, used: list[Passage],
                filters: AppliedFilters) -> Answer:
        if prompts.MODEL_ABSTAIN.lower().rstrip(".") in text.lower() or not builder.citations():
            return replace(abstain(question, used, filters), mode=self.llm.label if self.llm else "extractive")
        short, _ = split_short_answer(strip_markers(text))
        unsupported: list[str] = []
        by_number = {c.number: i for i, c in enumerate(builder.citations())}
        index_of = {id(p): n for n, p in enumerate(builder.passages)}
        for start, end in split_sentences(text):
            sentence = text[start:end]
            claim = strip_markers(sentence).strip()
            numbers = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
            if not numbers or len(claim.split()) < 4:
                continue
            any_support = False
            for n in numbers:
                if n not in by_number:
                    continue
                citation = builder.citations()[by_number[n]]
                support = best_support(claim, citation.passage.text)
                if support.span:
                    builder.add_highlight(index_of[id(citation.passage)], support.span)
                any_support = any_support or support.supported()
            if not any_support:
                unsupported.append(claim)
        return Answer(
            text=text.strip(),
            citations=builder.citations(),
            abstained=False,
            short_answer=short,
            filters=filters,
            mode=self.llm.label if self.llm else "extractive",
            question=question,
            unsupported=tuple(unsupported),
        )

    def rewrite(self, question: str, history: History) -> str:
        """A follow-up rewritten to stand alone (LLM when configured, else a local rule)."""
        if not history:
            return question
        if self.llm is not None:
            try:
                rewritten = self.llm.complete(prompts.REWRITE_SYSTEM, prompts.rewrite_message(history, question),
                                              max_tokens=80).strip().splitlines()
                if rewritten and rewritten[0].strip():
                    return rewritten[0].strip().strip('"')
            except LLMError:
                pass
        return local_rewrite(question, history)


def local_rewrite(question: str, history: History) -> str:
    """Without an LLM: a short or pronoun-led follow-up borrows the previous question's words."""
    if not history or not _FOLLOW_UP.search(question) or len(question.split()) > 20:
        return question
    previous = history[-1][0]
    return f"{question} ({previous})"
