"""Settings of the index, read once from the environment at start-up and passed down.

newsqa has one settings class per layer, each built by its own ``from_env``, the only place that
class reads the environment: :class:`Settings` here (where the index lives, how articles are
chunked and embedded), ``qa.settings.QASettings`` (answering and the LLM) and
``ui.settings.WebSettings`` (the web server). Library code never reads ``os.environ``: it
receives a settings object.

Every newsqa variable is the field's name with the ``NEWSQA_`` prefix (``chunk_tokens`` is
``NEWSQA_CHUNK_TOKENS``); a field whose variable has another name says so in its metadata
(:func:`env_names`), e.g. the OpenAI variables, which keep their usual names because users already
have them set. Each default is written once, as the field's default: an unset or empty variable
leaves it in place. :func:`env_values` does the reading for all three classes, and
:func:`settings_from_env` builds and validates each one.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError

PREFIX = "NEWSQA_"
S = TypeVar("S")


def env_names(*names: str) -> dict[str, tuple[str, ...]]:
    """Field metadata naming the variables of a field, the first one set winning.

    Args:
        names: variable names, in order of preference.

    Returns:
        The metadata to pass as ``dataclasses.field(metadata=...)``.
    """
    return {"env": names}


def variables_of(item: Any, prefix: str = PREFIX) -> tuple[str, ...]:
    """The variables a settings field is read from (see :func:`env_names`)."""
    return item.metadata.get("env") or (prefix + item.name.upper(),)


def env_values(cls: type, env: Mapping[str, str], prefix: str = PREFIX) -> dict[str, Any]:
    """Values for the fields of the settings dataclass ``cls`` that ``env`` sets.

    Args:
        cls: the dataclass; each field's annotation says how its variable is parsed (``int``,
            ``float``, ``Path``, ``bool`` as 1/0, true/false, yes/no or on/off, else the text
            as it is).
        env: the environment.
        prefix: prefix of the variables not named in the fields' metadata.

    Returns:
        Field name -> parsed value, for each field whose variable is set and not empty. Fields
        left out keep their defaults.

    Raises:
        ConfigError: a variable does not parse as its field's type.
    """
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for item in fields(cls):
        found = next(((v, env[v]) for v in variables_of(item, prefix) if env.get(v)), None)
        if found is None:
            continue
        variable, raw = found
        kind = next((k for k in typing.get_args(hints[item.name]) if k is not type(None)), None)
        kind = kind or hints[item.name]
        try:
            if kind is Path:
                values[item.name] = Path(raw).expanduser()
            elif kind is bool:
                values[item.name] = _parse_bool(raw)
            else:
                values[item.name] = kind(raw)
        except ValueError:
            raise ConfigError(f"{variable}={raw!r} is not a valid {kind.__name__}") from None
    return values


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _parse_bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(raw)


def settings_from_env(
    cls: type[S],
    env: Mapping[str, str] | None = None,
    **fallbacks: Callable[[Mapping[str, str]], Any],
) -> S:
    """The settings dataclass ``cls`` read from the environment and validated: the body of each
    class's ``from_env``.

    Args:
        cls: the dataclass, with a ``validate()`` method.
        env: the environment (default: ``os.environ``).
        fallbacks: field name -> function of the environment giving the value when the field's
            variable is unset (a default that depends on the environment, such as ``data_dir``).

    Returns:
        The settings.

    Raises:
        ConfigError: a variable holds a value of the wrong type or out of range.
    """
    env = os.environ if env is None else env
    values = env_values(cls, env)
    for name, fallback in fallbacks.items():
        if name not in values:
            values[name] = fallback(env)
    settings = cls(**values)
    settings.validate()  # type: ignore[attr-defined]
    return settings


def default_data_dir(env: Mapping[str, str]) -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/newsqa`` or ``~/.local/share/newsqa``."""
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "newsqa"


@dataclass(frozen=True)
class Settings:
    """Configuration of the index. Build with :meth:`from_env`, or directly in code and tests.

    ``data_dir`` has no default here: the per-user folder depends on ``XDG_DATA_HOME``, and only
    :meth:`from_env` reads the environment.

    Attributes:
        data_dir: where the index lives (``NEWSQA_DATA_DIR``).
        chroma_url: a Chroma server instead of the embedded store.
        collection: collection name prefix.
        embed_model: ``minilm-int8`` or ``openai:MODEL``.
        embed_batch_size: embedder batch size.
        embed_threads: embedder sessions run side by side, one thread (core) each.
        chunk_tokens: passage size in cl100k tokens.
        chunk_overlap: overlap of consecutive passages in tokens.
        max_file_mb: larger files are refused.
        max_article_chars: longer articles are refused.
        ingest_group: chunks embedded and committed together.
        memory_table_chunks: up to this many chunks, retrieval keeps all of them in memory.
        shard_chunks: chunks per vector shard; new chunks go to a new shard once the newest
            holds this many (:mod:`index.store.shards`).
        embed_api_key: key for ``openai:`` embeddings (the OpenAI key of the environment).
        embed_base_url: endpoint for ``openai:`` embeddings (the OpenAI base url).
    """

    data_dir: Path
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
    shard_chunks: int = 100_000
    embed_api_key: str | None = field(
        default=None, metadata=env_names("OPENAI_API_KEY", PREFIX + "LLM_API_KEY")
    )
    embed_base_url: str | None = field(
        default=None, metadata=env_names("OPENAI_BASE_URL", PREFIX + "LLM_BASE_URL")
    )

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the index settings from the environment (``NEWSQA_*`` and the OpenAI ones).

        Args:
            env: the environment (default: ``os.environ``).

        Raises:
            ConfigError: a variable holds a value of the wrong type or out of range.
        """
        return settings_from_env(cls, env, data_dir=default_data_dir)

    def validate(self) -> None:
        """Check value ranges.

        Raises:
            ConfigError: a value is out of range.
        """
        if not 32 <= self.chunk_tokens <= 8192:
            raise ConfigError(f"chunk size must be 32..8192 tokens, got {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"chunk overlap must be 0..{self.chunk_tokens // 2 - 1} tokens, "
                f"got {self.chunk_overlap}"
            )
        if self.ingest_group < 1:
            raise ConfigError(f"{PREFIX}INGEST_GROUP must be at least 1, got {self.ingest_group}")
        if self.memory_table_chunks < 0:
            raise ConfigError(
                f"{PREFIX}MEMORY_TABLE_CHUNKS must be 0 or more, got {self.memory_table_chunks}"
            )
        if self.shard_chunks < 1:
            raise ConfigError(f"{PREFIX}SHARD_CHUNKS must be at least 1, got {self.shard_chunks}")
        if self.embed_batch_size < 1 or self.embed_threads < 1:
            raise ConfigError("embedding batch size and threads must be at least 1")
