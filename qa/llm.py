"""LLM answering through the ``openai`` client (OpenAI or any OpenAI-compatible server).

The passages go into the prompt numbered in retrieval order, trimmed to a token budget so a small
local model's context (and its time to first token) stays bounded. The reply streams; markers are
renumbered on the fly to the order of first use (see :mod:`qa.citations`) and markers pointing at
no passage are dropped. Connection errors, time-outs and server errors raise :class:`LLMError`
after the client's retries, so callers can fall back to the extractive answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from index.chunking import count_tokens, token_encoder
from index.errors import NewsqaError

from . import prompts
from .types import Passage


class LLMError(NewsqaError):
    """The LLM endpoint failed (unreachable, timed out, or answered with an error)."""


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to call the model."""

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 2
    context_tokens: int = 3000
    max_answer_tokens: int = 300


class ChatModel:
    """A thin wrapper over ``openai.OpenAI`` chat completions."""

    def __init__(self, config: LLMConfig) -> None:
        from openai import OpenAI

        self.config = config
        self._client = OpenAI(
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            timeout=config.timeout_s,
            max_retries=config.retries,
        )

    @property
    def label(self) -> str:
        """Mode label shown to users, e.g. ``llm:gpt-4o-mini``."""
        return f"llm:{self.config.model}"

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        """Stream the reply text.

        Raises:
            LLMError: the server is unreachable, too slow, or returned an error.
        """
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self.config.model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                temperature=0,
                max_tokens=max_tokens or self.config.max_answer_tokens,
                stream=True,
            )
            for event in response:
                if not event.choices:
                    continue
                delta = event.choices[0].delta
                if delta is not None and delta.content:
                    yield delta.content
        except openai.APITimeoutError:
            raise LLMError(f"the LLM at {self._where()} did not answer within {self.config.timeout_s:g} s") from None
        except openai.APIConnectionError:
            raise LLMError(f"cannot reach the LLM at {self._where()}") from None
        except openai.APIStatusError as exc:
            raise LLMError(f"the LLM at {self._where()} answered HTTP {exc.status_code}: {_brief(exc)}") from None
        except openai.OpenAIError as exc:
            raise LLMError(f"LLM error: {exc}") from None

    def complete(self, system: str, user: str, max_tokens: int | None = None) -> str:
        """The whole reply as one string (see :meth:`stream`)."""
        return "".join(self.stream(system, user, max_tokens))

    def _where(self) -> str:
        return self.config.base_url or "api.openai.com"


def _brief(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return " ".join(str(message).split())[:200]


def fit_passages(passages: Sequence[Passage], budget: int) -> list[tuple[Passage, str]]:
    """Passages (with possibly trimmed text) that fit ``budget`` prompt tokens, in order.

    Each passage keeps at least its first part; later passages are dropped once the budget is
    spent, since retrieval order is relevance order.
    """
    out: list[tuple[Passage, str]] = []
    used = 0
    for n, passage in enumerate(passages, 1):
        block = prompts.passage_block(n, passage)
        cost = count_tokens(block)
        if used + cost <= budget:
            out.append((passage, passage.text))
            used += cost
            continue
        room = budget - used - count_tokens(prompts.passage_block(n, passage, "")) - 2
        if room >= 40:
            encoder = token_encoder()
            ids = encoder.encode(passage.text, disallowed_special=())[:room]
            out.append((passage, encoder.decode(ids)))
        break
    return out


_SHORT_LINE = re.compile(r"^\s*(?:\*\*)?(?:short answer|answer)\s*:\s*", re.I)


def split_short_answer(text: str) -> tuple[str, str]:
    """(short answer, rest) from a reply whose first line is the direct answer."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    first = _SHORT_LINE.sub("", first).strip().strip("*").strip()
    return first, rest.strip()
