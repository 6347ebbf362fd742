"""newsqa's web UI pieces: HTML formatting (everything escaped) and thin Gradio callbacks.

``app.py`` wires these into a ``gr.Blocks``. Nothing here retrieves or answers: callbacks parse
what the page sends, call :mod:`qa` (or the index through ``answerer.index``) and format the
result. Imports run one way: ``app`` -> ``ui`` -> ``qa`` -> ``index``.
"""

from .chat import ChatController
from .conversation import Turn
from .library import LibraryController, upload_types

__all__ = ["ChatController", "LibraryController", "Turn", "upload_types"]
