"""Test doubles that still mean something."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence

import numpy as np


class FakeEmbedder:
    """A deterministic hashed bag-of-words embedder: texts sharing words get similar vectors."""

    model_id = "fake-bow-64"
    dim = 64
    batch_size = 8

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                if len(word) < 3:
                    continue
                h = int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little")
                out[row, h % self.dim] += 1.0
            out[row, -1] += 0.01  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class FakeChatModel:
    """A scripted chat model: answers with ``reply(system, user)`` and records every prompt.

    Args:
        reply: the reply text, or a function of (system prompt, user message) giving it.
        fail: raise :class:`qa.LLMError` instead of answering.
        model: the model name its mode reports.
        context_tokens: the prompt budget for passages.
    """

    def __init__(
        self,
        reply: str | Callable[[str, str], str] = "",
        fail: bool = False,
        model: str = "scripted",
        context_tokens: int = 3000,
    ) -> None:
        self.reply = reply
        self.fail = fail
        self.model = model
        self.context_tokens = context_tokens
        self.prompts: list[tuple[str, str]] = []

    @property
    def mode(self):
        from qa import Mode

        return Mode(self.model, "fake://")

    def complete(self, system: str, user: str, max_tokens: int | None = None) -> str:
        from qa import LLMError

        self.prompts.append((system, user))
        if self.fail:
            raise LLMError("cannot reach the LLM at fake://")
        return self.reply(system, user) if callable(self.reply) else self.reply

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        text = self.complete(system, user, max_tokens)
        for start in range(0, len(text), 7):
            yield text[start : start + 7]
