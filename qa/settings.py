"""Settings of answering: how many passages, how long a question, which LLM (if any).

Read from the environment once, by :meth:`QASettings.from_env`, the same way as the index's
settings (:mod:`index.settings`): ``NEWSQA_`` plus the field's name, and the usual OpenAI
variables for the endpoint. Without ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` answers are
extractive. The model name defaults by endpoint: ``gpt-4o-mini`` on OpenAI itself, ``local-model``
on any other server (llama.cpp and most local servers ignore the name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from index.errors import ConfigError
from index.settings import PREFIX, env_names, settings_from_env

from .answer.llm import LLMConfig

OPENAI_MODEL = "gpt-4o-mini"
LOCAL_MODEL = "local-model"


@dataclass(frozen=True)
class QASettings:
    """Configuration of :class:`qa.Answerer`. Build with :meth:`from_env`, or directly.

    Attributes:
        top_k: passages retrieved per question (``NEWSQA_TOP_K``).
        max_question_chars: longer questions are refused.
        llm_model: model name sent to the server (None: the endpoint's default, see
            :attr:`model`).
        openai_api_key: key of the LLM endpoint (``OPENAI_API_KEY``).
        openai_base_url: an OpenAI-compatible endpoint (``OPENAI_BASE_URL``; None: OpenAI).
        llm_timeout_s: limit on connecting and on each wait for more of a reply
            (``NEWSQA_LLM_TIMEOUT``).
        llm_retries: client retries before a reply starts.
        llm_context_tokens: prompt budget for passages.
        reader: state a short answer read from the passages, and abstain when none of the
            kind asked is there (``NEWSQA_READER``; :mod:`qa.answer.reader`).
        sentence_cache: sentence vectors the reader remembers across questions
            (``NEWSQA_SENTENCE_CACHE``; 0 turns it off; :mod:`qa.answer.vector_cache`).
    """

    top_k: int = 8
    max_question_chars: int = 2000
    llm_model: str | None = None
    openai_api_key: str | None = field(
        default=None, metadata=env_names("OPENAI_API_KEY", PREFIX + "LLM_API_KEY")
    )
    openai_base_url: str | None = field(
        default=None, metadata=env_names("OPENAI_BASE_URL", PREFIX + "LLM_BASE_URL")
    )
    # The LLM's defaults are LLMConfig's, written there once.
    llm_timeout_s: float = field(
        default=LLMConfig.timeout_s, metadata=env_names(PREFIX + "LLM_TIMEOUT")
    )
    llm_retries: int = LLMConfig.retries
    llm_context_tokens: int = LLMConfig.context_tokens
    reader: bool = True
    sentence_cache: int = 20_000

    @property
    def llm_enabled(self) -> bool:
        """True when an LLM endpoint is configured (an API key or a base URL)."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def model(self) -> str:
        """The model name sent to the server: ``llm_model``, else the endpoint's default."""
        return self.llm_model or (LOCAL_MODEL if self.openai_base_url else OPENAI_MODEL)

    def llm_config(self) -> LLMConfig | None:
        """How to call the configured LLM, or None when none is configured."""
        if not self.llm_enabled:
            return None
        return LLMConfig(
            model=self.model,
            base_url=self.openai_base_url,
            api_key=self.openai_api_key,
            timeout_s=self.llm_timeout_s,
            retries=self.llm_retries,
            context_tokens=self.llm_context_tokens,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> QASettings:
        """Read the answering settings from the environment.

        Args:
            env: the environment (default: ``os.environ``).

        Raises:
            ConfigError: a variable holds a value of the wrong type or out of range.
        """
        return settings_from_env(cls, env)

    def validate(self) -> None:
        """Check value ranges.

        Raises:
            ConfigError: a value is out of range.
        """
        if self.max_question_chars < 1:
            raise ConfigError(
                f"{PREFIX}MAX_QUESTION_CHARS must be at least 1, got {self.max_question_chars}"
            )
        if self.sentence_cache < 0:
            raise ConfigError(
                f"{PREFIX}SENTENCE_CACHE must be 0 (off) or more, got {self.sentence_cache}"
            )
