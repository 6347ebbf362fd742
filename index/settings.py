"""Settings, read once from the environment at start-up and passed down.

Every newsqa setting uses the ``NEWSQA_`` prefix. The OpenAI variables keep their usual names
(``OPENAI_API_KEY``, ``OPENAI_BASE_URL``) because users already have them set. Library code never
reads ``os.environ`` itself: it receives a :class:`Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError

PREFIX = "NEWSQA_"


def default_data_dir(env: Mapping[str, str]) -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/newsqa`` or ``~/.local/share/newsqa``."""
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "newsqa"


@dataclass(frozen=True)
class Settings:
    """All configuration of newsqa. Build with :meth:`from_env` or directly in code and tests."""

    data_dir: Path = field(default_factory=lambda: default_data_dir(os.environ))
    chroma_url: str | None = None
    collection: str = "newsqa"
    embed_model: str = "minilm-int8"
    embed_batch_size: int = 8
    embed_threads: int = 2
    chunk_tokens: int = 256
    chunk_overlap: int = 32
    max_file_mb: float = 50.0
    max_article_chars: int = 2_000_000
    ingest_group: int = 256
    memory_table_chunks: int = 30_000
    top_k: int = 8
    max_question_chars: int = 2000
    llm_model: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    llm_timeout_s: float = 60.0
    llm_retries: int = 2
    llm_context_tokens: int = 3000
    auth: str | None = None

    @property
    def llm_enabled(self) -> bool:
        """True when an LLM endpoint is configured (an API key or a base URL)."""
        return bool(self.openai_api_key or self.openai_base_url)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables (``NEWSQA_*`` plus the OpenAI ones).

        Raises:
            ConfigError: a variable holds a value of the wrong type.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name)
            return value if value not in (None, "") else None

        def number(name: str, kind: type, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise ConfigError(
                    f"{PREFIX}{name}={raw!r} is not a valid {kind.__name__}"
                ) from None

        data_dir = get("DATA_DIR")
        llm_model = get("LLM_MODEL")
        base_url = env.get("OPENAI_BASE_URL") or get("LLM_BASE_URL")
        api_key = env.get("OPENAI_API_KEY") or get("LLM_API_KEY")
        if (base_url or api_key) and not llm_model:
            llm_model = "gpt-4o-mini" if not base_url else "local-model"
        settings = cls(
            data_dir=Path(data_dir).expanduser() if data_dir else default_data_dir(env),
            chroma_url=get("CHROMA_URL"),
            collection=get("COLLECTION") or "newsqa",
            embed_model=get("EMBED_MODEL") or "minilm-int8",
            embed_batch_size=int(number("EMBED_BATCH_SIZE", int, 8)),
            embed_threads=int(number("EMBED_THREADS", int, 2)),
            chunk_tokens=int(number("CHUNK_TOKENS", int, 256)),
            chunk_overlap=int(number("CHUNK_OVERLAP", int, 32)),
            max_file_mb=float(number("MAX_FILE_MB", float, 50.0)),
            max_article_chars=int(number("MAX_ARTICLE_CHARS", int, 2_000_000)),
            ingest_group=int(number("INGEST_GROUP", int, 256)),
            memory_table_chunks=int(number("MEMORY_TABLE_CHUNKS", int, 30_000)),
            top_k=int(number("TOP_K", int, 8)),
            max_question_chars=int(number("MAX_QUESTION_CHARS", int, 2000)),
            llm_model=llm_model,
            openai_api_key=api_key,
            openai_base_url=base_url,
            llm_timeout_s=float(number("LLM_TIMEOUT", float, 60.0)),
            llm_retries=int(number("LLM_RETRIES", int, 2)),
            llm_context_tokens=int(number("LLM_CONTEXT_TOKENS", int, 3000)),
            auth=get("AUTH"),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Check value ranges.

        Raises:
            ConfigError: a value is out of range.
        """
        if not 32 <= self.chunk_tokens <= 8192:
            raise ConfigError(f"chunk size must be 32..8192 tokens, got {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"chunk overlap must be 0..{self.chunk_tokens // 2 - 1} tokens, got {self.chunk_overlap}"
            )
        if self.max_question_chars < 1:
            raise ConfigError(
                f"{PREFIX}MAX_QUESTION_CHARS must be at least 1, got {self.max_question_chars}"
            )
        if self.ingest_group < 1:
            raise ConfigError(f"{PREFIX}INGEST_GROUP must be at least 1, got {self.ingest_group}")
        if self.memory_table_chunks < 0:
            raise ConfigError(
                f"{PREFIX}MEMORY_TABLE_CHUNKS must be 0 or more, got {self.memory_table_chunks}"
            )
        if self.embed_batch_size < 1 or self.embed_threads < 1:
            raise ConfigError("embedding batch size and threads must be at least 1")
        if self.auth is not None and ":" not in self.auth:
            raise ConfigError(f"{PREFIX}AUTH must be user:password")
