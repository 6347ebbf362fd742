"""Callbacks of the Ask tab: parse the inputs, call ``qa``, format the result.

No retrieval or answering happens here: questions go to :meth:`qa.Answerer.stream` with the
chosen filters and the earlier turns as history, and the partial answers it yields are rendered
as they come. Rendering is throttled to one update per ``min_interval_s`` while an LLM streams,
because every update re-sends the conversation to the browser; the final answer is always sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import gradio as gr

from index import NewsqaError
from qa import Answerer, AsOf, QuestionError
from qa.as_of import cap_until

from .answer_view import render_conversation
from .cards import parse_marks, render_article, render_missing_article, render_sources
from .conversation import Turn, history
from .html import esc
from .inputs import FilterInputError, parse_as_of, parse_filters
from .status import render_banner

#: What :meth:`ChatController.respond` yields: conversation HTML, sources HTML, the new
#: transcript, the question box's new value (None: leave it as the user has it), banner HTML.
ChatView = tuple[str, str, list[Turn], Any, str]

#: Said when the question box is sent empty.
EMPTY_QUESTION = "Please type a question."

#: A question echoed with a notice (a bad filter) is cut to this many characters.
ECHO_CHARS = 200


def short_echo(question: str, limit: int = ECHO_CHARS) -> str:
    """``question`` cut to ``limit`` characters (with "…"), for echoing it beside a notice."""
    return question if len(question) <= limit else question[: limit - 1].rstrip() + "…"


class ChatController:
    """The Ask tab's callbacks over one answerer.

    Args:
        answerer: the answerer (its index serves "show article" too).
        min_interval_s: least time between two streamed updates sent to the browser.
    """

    def __init__(self, answerer: Answerer, min_interval_s: float = 0.05) -> None:
        self.answerer = answerer
        self.min_interval_s = min_interval_s

    def article_count(self) -> int:
        """Number of indexed articles."""
        return self.answerer.index.count_articles()

    def view(self, turns: Sequence[Turn], question_box: Any = None, notice: str = "") -> ChatView:
        """Render the transcript.

        Args:
            turns: the transcript.
            question_box: new value for the question box, or None to leave it alone.
            notice: a message about the question just sent (empty, too long), shown under the
                conversation until the next update; it is not part of the transcript.

        Returns:
            The outputs of :meth:`respond`.
        """
        latest_error = next(
            (t.answer.error for t in reversed(turns) if t.answer is not None and t.answer.complete),
            None,
        )
        # The article count only shows in an empty chat's welcome line: no store call otherwise.
        conversation = render_conversation(turns, self.article_count() if not turns else 0)
        if notice:
            conversation += f'<p class="question-notice" role="alert">{esc(notice)}</p>'
        return (
            conversation,
            render_sources(turns),
            list(turns),
            gr.skip() if question_box is None else question_box,
            render_banner(latest_error),
        )

    def respond(
        self,
        question: str,
        turns: Sequence[Turn] | None,
        since: object = None,
        until: object = None,
        sources: Sequence[str] | str | None = None,
        as_of: object = None,
    ) -> Iterator[ChatView]:
        """Answer ``question``, yielding the page as the answer streams in.

        Args:
            question: the text typed.
            turns: the transcript so far (from the session state).
            since: the "from" date box.
            until: the "to" date box.
            sources: the outlets chosen.
            as_of: the "as of" date box (empty: the newest article's date).

        Yields:
            Conversation HTML, sources HTML, the new transcript, the question box value ("" once,
            to clear it; None afterwards so typing the next question is not wiped), banner HTML.
        """
        turns = list(turns or [])
        question = " ".join((question or "").split())
        if not question:
            yield self.view(turns, notice=EMPTY_QUESTION)
            return
        try:
            choice = parse_filters(since, until, sources)
            day = parse_as_of(as_of, since)
        except FilterInputError as exc:
            turns.append(Turn(short_echo(question), notice=str(exc)))
            yield self.view(turns, "")
            return
        past = history(turns)
        try:
            # qa checks the question when the stream is created, before any search: a refused
            # one is neither searched nor echoed, and stays in the box to be shortened.
            updates = self.answerer.stream(
                question,
                since=choice.since,
                until=choice.until,
                sources=choice.sources,
                history=past,
                as_of=day,
            )
        except QuestionError as exc:
            yield self.view(turns, notice=str(exc))
            return
        turns.append(Turn(question))
        yield self.view(turns, "")
        last_sent: float | None = None
        unsent = False
        try:
            for answer in updates:
                turns[-1] = Turn(question, answer)
                unsent = True
                now = time.monotonic()
                # The first words always go out at once: a model may pause long after them.
                if answer.complete or last_sent is None or now - last_sent >= self.min_interval_s:
                    last_sent, unsent = now, False
                    yield self.view(turns)
        except NewsqaError as exc:
            turns[-1] = Turn(question, notice=f"Could not answer: {exc}")
            unsent = True
        if unsent or not turns[-1].complete:
            if not turns[-1].complete:
                turns[-1] = Turn(question, notice="The answer stopped before it was complete.")
            yield self.view(turns)

    def new_chat(self) -> ChatView:
        """An empty conversation (filters are kept: they are part of the page, not the chat)."""
        return self.view([], "")

    def article(self, article_id: str, start: int = -1, end: int = -1, marks: str = "") -> str:
        """The article overlay for "show article".

        Args:
            article_id: the article's id.
            start: start of the passage to highlight (-1 for none).
            end: end of that passage.
            marks: supporting spans as "s-e;s-e" (absolute offsets).

        Returns:
            HTML (a notice when the article is no longer indexed).
        """
        found = self.answerer.index.get_article(article_id)
        if found is None:
            return render_missing_article(article_id)
        info, text = found
        passage = (start, end) if 0 <= start < end else None
        return render_article(info, text, passage, parse_marks(marks))

    def article_event(self, evt: gr.EventData) -> str:
        """:meth:`article` for a ``show_article`` event raised in the browser."""

        def number(name: str) -> int:
            try:
                return int(getattr(evt, name, -1))
            except (TypeError, ValueError):
                return -1

        return self.article(
            str(getattr(evt, "article_id", "") or ""),
            number("start"),
            number("end"),
            str(getattr(evt, "marks", "") or ""),
        )

    def filter_summary(
        self,
        since: object,
        until: object,
        sources: Sequence[str] | str | None,
        as_of: object = None,
    ) -> str:
        """The line under the filters saying what the next question will search."""
        try:
            choice = parse_filters(since, until, sources)
            day = parse_as_of(as_of, since)
        except FilterInputError as exc:
            return f'<p class="filter-summary" role="alert">{esc(exc)}</p>'
        if day is None:
            return f'<p class="filter-summary">Next question searches {esc(choice.describe())}.</p>'
        reference = AsOf(day, given=True)
        # What qa will search: nothing published after the as-of day.
        searched = replace(choice, until=cap_until(choice.until, reference))
        return (
            f'<p class="filter-summary">Next question searches {esc(searched.describe())}, '
            f"{esc(reference.describe())}.</p>"
        )

    @staticmethod
    def example_event(evt: gr.EventData) -> str:
        """The question of a clicked example button."""
        return str(getattr(evt, "question", "") or "")
