"""Typed errors raised by the index package; the CLI and UI turn them into friendly messages."""


class NewsqaError(Exception):
    """Base class of every error newsqa raises on purpose."""


class ConfigError(NewsqaError):
    """A setting is missing or has a bad value."""


class LoadError(NewsqaError):
    """A file could not be read as articles. The message names the reason; ``path`` the file."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMismatchError(NewsqaError):
    """The stored collection was built with another embedding model or chunking."""


class ModelError(NewsqaError):
    """The embedding model could not be loaded (missing package, wrong checksum)."""


class StoreError(NewsqaError):
    """The vector store could not be opened or written."""


class QuestionError(NewsqaError, ValueError):
    """A question that cannot be asked as given (too long); the message says what is allowed."""
