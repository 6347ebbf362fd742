"""Settings of the web server: where it listens and whether it asks for a login.

Read from the environment once, by :meth:`WebSettings.from_env`, like the index's and the
answerer's settings (:mod:`index.settings`, :mod:`qa.settings`). Gradio's own
``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT`` work as Gradio users expect, except that the
server binds 127.0.0.1 unless told otherwise; ``NEWSQA_AUTH=user:password`` turns on the login.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from index.errors import ConfigError
from index.settings import PREFIX, env_names, settings_from_env


@dataclass(frozen=True)
class WebSettings:
    """Configuration of the web app's server. Build with :meth:`from_env`, or directly.

    Attributes:
        auth: ``user:password`` to require a login (``NEWSQA_AUTH``), or None.
        server_name: address to bind (``GRADIO_SERVER_NAME``).
        server_port: port (``GRADIO_SERVER_PORT``; None: Gradio's, 7860 or the next free one).
    """

    auth: str | None = None
    server_name: str = field(default="127.0.0.1", metadata=env_names("GRADIO_SERVER_NAME"))
    server_port: int | None = field(default=None, metadata=env_names("GRADIO_SERVER_PORT"))

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
            ConfigError: ``auth`` is not ``user:password``.
        """
        if self.auth is not None and ":" not in self.auth:
            raise ConfigError(f"{PREFIX}AUTH must be user:password")

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
        if self.server_port is not None:
            options["server_port"] = self.server_port
        if self.auth:
            user, _, password = self.auth.partition(":")
            options["auth"] = (user, password)
        return options
