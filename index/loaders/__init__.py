"""Loaders: files and folders to :class:`~index.article.Article` objects.

Supported: ``.txt``/``.md`` (optional ``key: value`` header lines, or a bare leading
``date YYYY-MM-DD`` as in the bundled seed), ``.html``/``.htm`` (main text and metadata by
trafilatura), ``.json``/``.jsonl`` (one article object, a list, or one object a line), ``.pdf``
(text per page, pages joined by a blank line).

One module per format (:mod:`.text`, :mod:`.html`, :mod:`.json`, :mod:`.pdf`) turns a file's
content into articles; :mod:`.dispatch` picks the format by extension and walks folders;
:mod:`.reading` reads bytes and text safely; :mod:`.base` holds what every format shares (the
result type, the size limits, and the rules for an article's id, text and date).

A file that cannot be read yields a :class:`FileResult` with ``error`` set and no articles; a
multi-article file can load its good records and report the bad ones in ``problems``; an article
that loaded with something worth a look (an implausible date) gets a line in ``notes``. Loading
never raises for bad input, so one broken file never stops the others.
"""

from .base import FileResult, LoadLimits, path_id
from .dispatch import SUPPORTED_EXTENSIONS, iter_files, load_file
from .reading import decode_text, display_path

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "FileResult",
    "LoadLimits",
    "decode_text",
    "display_path",
    "iter_files",
    "load_file",
    "path_id",
]
