"""PDF files: the text of every page, pages joined by a blank line; title, author and creation
date from the document information. A scanned PDF (images, no text layer) is refused with that
reason rather than indexed empty.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from ..article import Article
from ..errors import LoadError
from .base import make_article

EXTENSIONS = frozenset({".pdf"})

# pypdf logs a warning for every oddity of a damaged file; the one-line reason is enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def load_pdf(path: Path, data: bytes) -> Article:
    """Read one article from a PDF file's bytes.

    Raises:
        LoadError: encrypted, corrupt, or without extractable text.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoadError(str(path), "PDF is encrypted")
            except LoadError:
                raise
            except Exception:
                raise LoadError(str(path), "PDF is encrypted") from None
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata or {}
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(str(path), f"corrupt PDF ({exc.__class__.__name__})") from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise LoadError(str(path), f"corrupt PDF ({exc.__class__.__name__})") from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise LoadError(str(path), "PDF has no extractable text (scanned images?)")
    return make_article(
        path,
        text=text,
        title=str(info.get("/Title") or "").strip(),
        author=str(info.get("/Author") or "").strip(),
        date=_pdf_date(info.get("/CreationDate")),
        extra={"pages": len(pages)},
    )


def _pdf_date(raw: Any) -> str | None:
    """``D:YYYYMMDD...`` (the PDF date form) as ``YYYY-MM-DD``."""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(raw or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None
