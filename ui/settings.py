"""Settings of the web server: where it listens, whether it asks for a login, how many
questions it answers at once.

Read from the environment once, by :meth:`WebSettings.from_env`, like the index's and the
answerer's settings (:mod:`index.settings`, :mod:`qa.settings`). Gradio's own
``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT`` work as Gradio users expect, except that the
server binds 127.0.0.1 unless told otherwise; ``NEWSQA_AUTH=user:password`` turns on the login.

``NEWSQA_MAX_CONCURRENT_QUESTIONS`` (default 4) is how many questions the app works on at once;
more wait in Gradio's queue, in order. Each question in progress holds its passages, their
sentence vectors and, with an LLM, an open request, so the limit bounds the memory questions
take. Why 4 on two cores: an extractive answer is CPU-bound (mostly the embedder, which runs
outside the GIL), so a few at once keep both cores busy, while more only make each answer
slower; an LLM answer mostly waits for the model, and four users can wait at once
(bench/results/concurrency.md measures 4 against 1, the old single slot). Uploads and deletions
are never counted against it: they have their own queue slot, one at a time.

``NEWSQA_FOLLOW_INTERVAL`` (seconds, default 0: off) makes the app read the feeds followed in
the Library tab in the background, a pass every so many seconds (:class:`ui.feeds.FeedFollower`);
under :data:`MIN_FOLLOW_INTERVAL` is refused, since every pass asks every feed's server again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from index.errors import ConfigError
from index.settings import PREFIX, env_names, settings_from_env

#: The highest ``NEWSQA_MAX_CONCURRENT_QUESTIONS`` accepted: beyond it, memory rather than
#: waiting is what a burst of users would cost.
MAX_QUESTIONS = 64

#: Threads Gradio runs callbacks in unless ``launch(max_threads=...)`` says otherwise.
GRADIO_THREADS = 40

#: The shortest background-follower interval accepted, in seconds (0 turns it off).
MIN_FOLLOW_INTERVAL = 60.0

# Callbacks that may run beside the questions: an upload or deletion, page loads.
_OTHER_THREADS = 8


@dataclass(frozen=True)
class WebSettings:
    """Configuration of the web app's server. Build with :meth:`from_env`, or directly.

    Attributes:
        auth: ``user:password`` to require a login (``NEWSQA_AUTH``), or None.
        server_name: address to bind (``GRADIO_SERVER_NAME``).
        server_port: port (``GRADIO_SERVER_PORT``; None: Gradio's, 7860 or the next free one).
        max_concurrent_questions: questions answered at once (``NEWSQA_MAX_CONCURRENT_QUESTIONS``);
            later ones wait their turn.
        follow_interval: seconds between two background passes over the followed feeds
            (``NEWSQA_FOLLOW_INTERVAL``); 0: no background follower.
    """

    auth: str | None = None
    server_name: str = field(default="127.0.0.1", metadata=env_names("GRADIO_SERVER_NAME"))
    server_port: int | None = field(default=None, metadata=env_names("GRADIO_SERVER_PORT"))
    max_concurrent_questions: int = 4
    follow_interval: float = 0.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Read the server settings from the environment.

        Args:
            env: the environment (default: ``os.environ``).

        Raises:
            ConfigError: a variable holds a bad value.
        """
        return settings_from_env(cls, env)

    def validate(self) -> None:
        """Check the values.

        Raises:
            ConfigError: ``auth`` is not ``user:password``, the question limit is not 1 to
                :data:`MAX_QUESTIONS`, or the follow interval is neither 0 nor at least
                :data:`MIN_FOLLOW_INTERVAL`.
        """
        if self.auth is not None and ":" not in self.auth:
            raise ConfigError(f"{PREFIX}AUTH must be user:password")
        if not 1 <= self.max_concurrent_questions <= MAX_QUESTIONS:
            raise ConfigError(
                f"{PREFIX}MAX_CONCURRENT_QUESTIONS must be 1 to {MAX_QUESTIONS}, "
                f"not {self.max_concurrent_questions}"
            )
        if self.follow_interval != 0 and not (
            MIN_FOLLOW_INTERVAL <= self.follow_interval and math.isfinite(self.follow_interval)
        ):
            raise ConfigError(
                f"{PREFIX}FOLLOW_INTERVAL must be 0 (off) or at least {MIN_FOLLOW_INTERVAL:g} "
                f"seconds, not {self.follow_interval:g}"
            )

    def launch_options(self, max_file_mb: float) -> dict[str, Any]:
        """Keyword arguments for Gradio's ``launch()``: bind address, port, login, upload limit.

        Args:
            max_file_mb: the upload size limit (the index's ``max_file_mb``).

        Returns:
            The options.
        """
        options: dict[str, Any] = {
            "server_name": self.server_name,
            "max_file_size": int(max_file_mb * 1024 * 1024),
        }
        threads = self.max_concurrent_questions + _OTHER_THREADS
        if threads > GRADIO_THREADS:
            # Gradio runs callbacks in a pool of threads: every question at once needs one.
            options["max_threads"] = threads
        if self.server_port is not None:
            options["server_port"] = self.server_port
        if self.auth:
            user, _, password = self.auth.partition(":")
            options["auth"] = (user, password)
        return options
