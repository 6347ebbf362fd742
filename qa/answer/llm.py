"""Chat completions through the ``openai`` client (OpenAI or any OpenAI-compatible server).

Failure handling, so the app never hangs or crashes on a bad endpoint:

- ``timeout_s`` bounds connecting and every wait for the next bytes, so a server that accepts the
  connection and then stalls (before or during the stream) fails after ``timeout_s``.
- ``total_timeout_s`` bounds one whole reply, so a server that trickles tokens forever stops too.
- The client's own retries (``retries``, with back-off) cover refused connections, time-outs,
  HTTP 408/409/429 and 5xx before the stream starts; nothing is retried once text has been shown.
- A stream that closes without a finish reason (cut off) is an error too, not a short answer.
- Everything surfaces as :class:`LLMError` with a message that names the endpoint, so the
  answerer can fall back to the extractive answer and show the message.

A local llama.cpp server (``scripts/local_llm.py serve``) reuses the longest common prefix of
consecutive prompts, so a fixed system prompt costs prompt time only once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from index.errors import NewsqaError

from ..types import Mode


class LLMError(NewsqaError):
    """The LLM endpoint failed (unreachable, timed out, or answered with an error)."""


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to call the model.

    Attributes:
        model: model name sent to the server.
        base_url: OpenAI-compatible endpoint (None: api.openai.com).
        api_key: key (local servers accept any).
        timeout_s: limit on connecting and on each wait for more of the reply.
        retries: client retries before the reply starts.
        context_tokens: prompt budget for passages (cl100k tokens), see :mod:`qa.answer.context`.
        max_answer_tokens: cap on the reply length.
        total_timeout_s: limit on one whole reply.
    """

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 2
    context_tokens: int = 3000
    max_answer_tokens: int = 120
    total_timeout_s: float = 300.0


Message = dict[str, str]


class Chat(Protocol):
    """What :class:`qa.Answerer` needs of a chat model: :class:`ChatModel`, or a test's scripted
    double."""

    @property
    def mode(self) -> Mode:
        """The answering mode the model gives (its name and endpoint)."""
        ...

    @property
    def context_tokens(self) -> int:
        """Prompt budget for passages (cl100k tokens)."""
        ...

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        """Stream the reply to one system + user turn.

        Raises:
            LLMError: the model failed.
        """
        ...

    def complete(self, system: str, user: str, max_tokens: int | None = None) -> str:
        """The whole reply to one system + user turn.

        Raises:
            LLMError: the model failed.
        """
        ...


class ChatModel:
    """A thin wrapper over ``openai.OpenAI`` chat completions.

    Args:
        config: endpoint, model and limits.
    """

    def __init__(self, config: LLMConfig) -> None:
        import httpx
        from openai import OpenAI

        self.config = config
        self._client = OpenAI(
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            timeout=httpx.Timeout(config.timeout_s),
            max_retries=config.retries,
        )

    @property
    def mode(self) -> Mode:
        """The answering mode this model gives: its name and endpoint."""
        return Mode(self.config.model, self.config.base_url)

    @property
    def context_tokens(self) -> int:
        """Prompt budget for passages (cl100k tokens)."""
        return self.config.context_tokens

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        """Stream the reply to one system + user turn.

        Args:
            system: the system prompt.
            user: the user message.
            max_tokens: cap on the reply (default from the config).

        Yields:
            Pieces of the reply text as they arrive.

        Raises:
            LLMError: the server is unreachable, too slow, or returned an error.
        """
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        yield from self.stream_messages(messages, max_tokens)

    def stream_messages(
        self, messages: Sequence[Message], max_tokens: int | None = None
    ) -> Iterator[str]:
        """Stream the reply to a list of chat messages (see :meth:`stream`).

        Raises:
            LLMError: the server is unreachable, too slow, or returned an error.
        """
        deadline = time.monotonic() + self.config.total_timeout_s
        response = None
        with self._errors():
            try:
                response = self._client.chat.completions.create(
                    model=self.config.model,
                    messages=list(messages),  # type: ignore[arg-type]
                    temperature=0,
                    max_tokens=max_tokens or self.config.max_answer_tokens,
                    stream=True,
                )
                finished = False
                for event in response:
                    if time.monotonic() > deadline:
                        raise LLMError(
                            f"the LLM at {self._where()} did not finish within "
                            f"{self.config.total_timeout_s:g} s"
                        )
                    if not event.choices:
                        continue
                    choice = event.choices[0]
                    if choice.delta is not None and choice.delta.content:
                        yield choice.delta.content
                    finished = finished or bool(choice.finish_reason)
                if not finished:
                    # The stream closed without a finish reason: the reply was cut off (a
                    # llama.cpp server does that when another request interrupts it).
                    raise LLMError(f"the LLM at {self._where()} broke off its reply")
            finally:
                if response is not None:
                    # Closing frees the server slot when the caller stops reading early.
                    response.close()

    def complete(self, system: str, user: str, max_tokens: int | None = None) -> str:
        """The whole reply to one system + user turn, in one (non-streamed) response.

        Args:
            system: the system prompt.
            user: the user message.
            max_tokens: cap on the reply (default from the config).

        Raises:
            LLMError: the server is unreachable, too slow, or returned an error.
        """
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        with self._errors():
            response = self._client.chat.completions.create(
                model=self.config.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0,
                max_tokens=max_tokens or self.config.max_answer_tokens,
            )
        if not response.choices or response.choices[0].message is None:
            raise LLMError(f"the LLM at {self._where()} sent an empty reply")
        return response.choices[0].message.content or ""

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn the client's and httpx's exceptions into :class:`LLMError`."""
        import httpx
        import openai

        try:
            yield
        except (openai.APITimeoutError, httpx.TimeoutException):
            raise LLMError(
                f"the LLM at {self._where()} did not answer within {self.config.timeout_s:g} s"
            ) from None
        except (openai.APIConnectionError, httpx.TransportError):
            raise LLMError(f"cannot reach the LLM at {self._where()}") from None
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the LLM at {self._where()} answered HTTP {exc.status_code}: {_brief(exc)}"
            ) from None
        except openai.OpenAIError as exc:
            raise LLMError(f"LLM error from {self._where()}: {_brief(exc)}") from None

    def _where(self) -> str:
        return self.config.base_url or "api.openai.com"


def _brief(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return " ".join(str(message).split())[:200]
