"""newsqa's question answering: ``ask`` a question, get an answer with true citations.

Example:
    >>> from qa import ask
    >>> answer = ask("Where did Azerbaijan set up a checkpoint on April 23?")
    >>> print(answer.text)            # "... Lachin Corridor ... [1]"
    >>> answer.citations[0].passage   # title, outlet, date, url, verbatim text, offsets

``ask``, ``stream_ask`` and ``retrieve`` use a default :class:`Answerer`, built from the
environment on first use (``NEWSQA_*`` settings, ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` for an
LLM; see :meth:`Answerer.from_env`). :func:`set_default_answerer` replaces it with one built in
code, or with None drops it so that the next call builds a fresh one from the environment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from index.errors import (
    ConfigError,
    IndexMismatchError,
    ModelError,
    NewsqaError,
    QuestionError,
    StoreError,
)
from index.filters import Filters

from .answer.llm import LLMError
from .answerer import Answerer
from .settings import QASettings
from .types import (
    Answer,
    AsOf,
    Citation,
    Conflict,
    ConflictSide,
    Mode,
    Passage,
    Report,
    TimelineEvent,
)

if TYPE_CHECKING:
    from .llamaindex import NewsqaQueryEngine, NewsqaRetriever

__all__ = [
    "Answer",
    "Answerer",
    "AsOf",
    "Citation",
    "ConfigError",
    "Conflict",
    "ConflictSide",
    "Filters",
    "IndexMismatchError",
    "LLMError",
    "Mode",
    "ModelError",
    "NewsqaError",
    "NewsqaQueryEngine",
    "NewsqaRetriever",
    "Passage",
    "QASettings",
    "QuestionError",
    "Report",
    "StoreError",
    "TimelineEvent",
    "ask",
    "default_answerer",
    "retrieve",
    "set_default_answerer",
    "stream_ask",
]

_default: Answerer | None = None
_lock = threading.Lock()


def default_answerer() -> Answerer:
    """The answerer :func:`ask`, :func:`stream_ask` and :func:`retrieve` use.

    Returns:
        The one :func:`set_default_answerer` set, else one built from the environment on first
        use (:meth:`Answerer.from_env`) and kept.

    Raises:
        ConfigError: an environment variable holds a bad value.
        NewsqaError: the index cannot be opened.
    """
    global _default
    with _lock:
        if _default is None:
            _default = Answerer.from_env()
        return _default


def set_default_answerer(answerer: Answerer | None) -> None:
    """Make ``answerer`` the one :func:`ask`, :func:`stream_ask` and :func:`retrieve` use.

    Args:
        answerer: the answerer; None drops the current one, so the next call builds a fresh one
            from the environment (after the environment changed, or between tests).
    """
    global _default
    with _lock:
        _default = answerer


def ask(question: str, **options) -> Answer:
    """Answer ``question`` from the indexed articles (see :meth:`Answerer.ask` for options:
    ``k``, ``since``, ``until``, ``sources``, ``history``, ``stream``, ``as_of``)."""
    return default_answerer().ask(question, **options)


def stream_ask(question: str, **options) -> Iterator[Answer]:
    """Like :func:`ask`, yielding partial answers as they grow; the last is complete."""
    return default_answerer().stream(question, **options)


def retrieve(
    question: str,
    k: int = 10,
    since: date | None = None,
    until: date | None = None,
    sources: Sequence[str] | None = None,
    as_of: date | datetime | str | None = None,
) -> list[Passage]:
    """The ``k`` passages that best answer ``question``, optionally filtered by date and outlet,
    and as of a day (see :meth:`Answerer.ask`)."""
    return default_answerer().retrieve(
        question, k=k, since=since, until=until, sources=sources, as_of=as_of
    )


# Exported lazily: importing llama-index-core is slow (bench/README.md, "Figures quoted by the
# code"), and only its users should pay for it.
_LLAMAINDEX = frozenset({"NewsqaQueryEngine", "NewsqaRetriever"})


def __getattr__(name: str):
    """The LlamaIndex adapters (:mod:`qa.llamaindex`), imported on first use."""
    if name in _LLAMAINDEX:
        from . import llamaindex

        return getattr(llamaindex, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
