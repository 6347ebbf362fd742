"""Loaders: files and folders to :class:`Article` objects.

Supported: ``.txt``/``.md`` (optional ``key: value`` header lines, or a bare leading
``date YYYY-MM-DD`` as in the bundled seed), ``.html``/``.htm`` (main text and metadata by
trafilatura), ``.json``/``.jsonl`` (one article object, a list, or one object a line), ``.pdf``
(text per page, pages joined by a blank line).

A file that cannot be read yields a :class:`FileResult` with ``error`` set and no articles; a
multi-article file can load its good records and report the bad ones in ``problems``. Loading never
raises for bad input, so one broken file never stops the others.
"""

from __future__ import annotations

import codecs
import errno
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .article import Article, short_title
from .dates import parse_date
from .errors import LoadError

TEXT_EXTENSIONS = {".txt", ".md", ".markdown"}
HTML_EXTENSIONS = {".html", ".htm"}
JSON_EXTENSIONS = {".json", ".jsonl", ".ndjson"}
PDF_EXTENSIONS = {".pdf"}
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | JSON_EXTENSIONS | PDF_EXTENSIONS

# pypdf logs a warning for every oddity of a damaged file; the one-line reason is enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_HEADER = re.compile(
    r"^(title|source|outlet|url|link|date|published|published_at|author|by)\s*:\s*(.*)$", re.I
)
_BARE_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2})[ \t]*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class FileResult:
    """What one file gave.

    Attributes:
        path: the file.
        articles: the articles read from it.
        error: why the whole file failed, or None.
        problems: per-record problems in a multi-article file whose other records loaded.
    """

    path: Path
    articles: list[Article] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadLimits:
    """Limits applied while loading (from settings)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_article_chars: int = 2_000_000


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str | None]]:
    """Walk files and folders (recursively), yielding ``(path, error)`` pairs.

    Folders yield only files with a supported extension (hidden names are skipped); a file named
    explicitly is always yielded, so an unsupported one gets an error line. Broken symlinks,
    symlink loops, unreadable folders and things that are not regular files (pipes, devices)
    are reported, never followed forever or read until they block.
    """
    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        problem = _stat_problem(path)
        if problem:
            yield path, problem
        elif path.is_dir():
            yield from _walk(path, seen_dirs)
        else:
            yield path, None


def _stat_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file or folder, or None."""
    try:
        st = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if path.is_symlink():
            return "broken symlink (its target does not exist)"
        if exc.errno == errno.ENOENT:
            return "no such file or folder"
        return f"cannot read ({exc.strerror or exc})"
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        return "not a regular file (a pipe, socket or device)"
    return None


def _walk(root: Path, seen: set[tuple[int, int]]) -> Iterator[tuple[Path, str | None]]:
    try:
        st = root.stat()
    except OSError as exc:
        yield root, f"cannot read folder ({exc.strerror or exc})"
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        yield root, "symlink loop (this folder was already read)"
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        yield root, f"cannot read folder ({exc.strerror or exc})"
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen)
        elif path.suffix.lower() in SUPPORTED_EXTENSIONS:
            yield path, _stat_problem(path)


def display_path(path: str | os.PathLike[str]) -> str:
    """A file name fit for one line of output and for storing: undecodable bytes and control
    characters (a newline in a name) are shown as backslash escapes; other names are unchanged."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def load_file(path: str | os.PathLike[str], limits: LoadLimits = LoadLimits()) -> FileResult:
    """Read one file into articles; never raises for bad content.

    Args:
        path: the file.
        limits: size limits.

    Returns:
        A :class:`FileResult`; ``error`` says why nothing could be loaded.
    """
    path = Path(path)
    try:
        articles, problems = _load(path, limits)
    except LoadError as exc:
        return FileResult(path, error=exc.reason)
    except RecursionError:
        return FileResult(path, error="structure nested too deeply")
    if not articles:
        return FileResult(path, error=_all_failed(problems))
    return FileResult(path, articles=articles, problems=problems)


def _all_failed(problems: list[str]) -> str:
    """One line for a file none of whose records loaded."""
    if len(problems) == 1:
        return problems[0]
    if not problems:
        return "no articles found"
    shown = "; ".join(problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    return f"none of its {len(problems)} records is a usable article ({shown}{more})"


def _load(path: Path, limits: LoadLimits) -> tuple[list[Article], list[str]]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise LoadError(str(path), f"unsupported file type {suffix or '(none)'!r}")
    data = _read_bytes(path, limits)
    if suffix in PDF_EXTENSIONS:
        return [_check(_load_pdf(path, data), limits, path)], []
    text = decode_text(path, data)
    if suffix in TEXT_EXTENSIONS:
        return [_check(_load_text(path, text), limits, path)], []
    if suffix in HTML_EXTENSIONS:
        return [_check(_load_html(path, text), limits, path)], []
    return _load_json(path, text, limits, jsonl=suffix != ".json")


def _read_bytes(path: Path, limits: LoadLimits) -> bytes:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(str(path), "not a regular file (a pipe, socket or device)")
        size = st.st_size
        if size > limits.max_file_bytes:
            raise LoadError(
                str(path),
                f"file is {size / 1e6:.1f} MB, over the {limits.max_file_bytes / 1e6:.0f} MB limit "
                "(NEWSQA_MAX_FILE_MB)",
            )
        data = path.read_bytes()
    except PermissionError:
        raise LoadError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise LoadError(str(path), "is a folder") from None
    except OSError as exc:
        raise LoadError(str(path), f"cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise LoadError(str(path), "file is empty" if not data else "file holds only whitespace")
    return data


def decode_text(path: Path, data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises:
        LoadError: binary content or an undecodable byte sequence.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise LoadError(str(path), f"invalid {encoding.upper()} text") from None
    if b"\x00" in data[:8192]:
        raise LoadError(str(path), _binary_reason(data[:8192]))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            str(path), f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    # Text with many control characters is a binary file with a text extension.
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise LoadError(str(path), "binary content, not text")
    return text


def _binary_reason(head: bytes) -> str:
    # ASCII text saved as UTF-16 without a byte-order mark: every other byte is zero.
    even, odd = head[0::2], head[1::2]
    for zeros, other in ((odd, even), (even, odd)):
        if (
            len(zeros) > 8
            and zeros.count(0) > 0.9 * len(zeros)
            and other.count(0) < 0.05 * len(other)
        ):
            return "UTF-16 text without a byte-order mark (save it as UTF-8)"
    return "binary content, not text"


def _check(article: Article, limits: LoadLimits, path: Path) -> Article:
    if len(article.text.strip()) < _MIN_TEXT_CHARS:
        raise LoadError(str(path), "no article text")
    if len(article.text) > limits.max_article_chars:
        raise LoadError(
            str(path),
            f"article text is {len(article.text):,} characters, over the "
            f"{limits.max_article_chars:,} limit (NEWSQA_MAX_ARTICLE_CHARS)",
        )
    return article


def path_id(path: Path, position: int | None = None) -> str:
    """The id of an article without a url: its absolute path, plus ``#n`` inside a multi-article file."""
    base = display_path(Path(os.path.abspath(path)).as_posix())
    return base if position is None else f"{base}#{position}"


def _load_text(path: Path, text: str) -> Article:
    meta: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    body_start = 0
    bare = _BARE_DATE.match(text)
    if bare:
        meta["date"] = bare[1]
        body_start = bare.end()
    else:
        offset = 0
        for line in lines:
            match = _HEADER.match(line.strip())
            if match and match[2].strip():
                key = match[1].lower()
                key = {
                    "outlet": "source",
                    "link": "url",
                    "published": "date",
                    "published_at": "date",
                    "by": "author",
                }.get(key, key)
                meta[key] = match[2].strip()
                offset += len(line)
            elif not line.strip() and meta:
                offset += len(line)
                break
            else:
                break
        body_start = offset if meta else 0
    body = text[body_start:]
    title = meta.get("title", "")
    if not title:
        first = body.lstrip().split("\n", 1)[0]
        heading = _HEADING.match(first)
        if heading:
            title = heading[1].strip()
            # The heading is the title: keep it out of the body so it is not indexed twice.
            body = body.lstrip()[len(first) :]
    body = body.strip()
    return _article(
        path,
        text=body,
        title=title,
        source=meta.get("source", ""),
        date=meta.get("date"),
        url=meta.get("url", ""),
        author=meta.get("author", ""),
    )


def _load_html(path: Path, html: str) -> Article:
    import trafilatura  # heavy import, only when HTML shows up

    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise LoadError(str(path), f"malformed HTML ({type(exc).__name__})") from None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise LoadError(str(path), "HTML has no article text")
    title = (doc.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    return _article(
        path,
        text=text,
        title=title,
        source=(doc.sitename or doc.hostname or "").strip(),
        date=doc.date,
        url=(doc.url or "").strip(),
        author=(doc.author or "").strip(),
    )


def _load_pdf(path: Path, data: bytes) -> Article:
    import io

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
    title = str(info.get("/Title") or "").strip()
    return _article(
        path,
        text=text,
        title=title,
        author=str(info.get("/Author") or "").strip(),
        date=_pdf_date(info.get("/CreationDate")),
        extra={"pages": len(pages)},
    )


def _pdf_date(raw: Any) -> str | None:
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(raw or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def _load_json(
    path: Path, text: str, limits: LoadLimits, jsonl: bool
) -> tuple[list[Article], list[str]]:
    records: list[tuple[int, Any]] = []
    problems: list[str] = []
    stripped = text.lstrip()
    if not jsonl or stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                str(path), f"malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if isinstance(data, dict) and not _has_body(data):
            # A feed export: {"articles": [...]} (or "items", "data").
            data = next(
                (data[k] for k in ("articles", "items", "data") if isinstance(data.get(k), list)),
                data,
            )
        items = data if isinstance(data, list) else [data]
        records = list(enumerate(items))
    else:
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"line {lineno}: malformed JSON ({exc.msg})")
    where = "line" if jsonl and not stripped.startswith("[") else "item"
    multi = len(records) > 1
    articles: list[Article] = []
    seen: set[str] = set()
    for position, record in records:
        label = f"{where} {position}"
        try:
            article = _json_article(path, record, position if multi else None)
            article = _check(article, limits, path)
        except LoadError as exc:
            problems.append(f"{label}: {exc.reason}" if multi else exc.reason)
            continue
        if article.id in seen:
            problems.append(f"{label}: duplicate id {article.id!r} (first one kept)")
            continue
        seen.add(article.id)
        articles.append(article)
    if not records:
        raise LoadError(str(path), "JSON holds no articles")
    return articles, problems


def _has_body(record: dict) -> bool:
    return any(k in record for k in ("body", "text", "content"))


def _json_article(path: Path, record: Any, position: int | None) -> Article:
    if not isinstance(record, dict):
        raise LoadError(str(path), f"not an article object (got {type(record).__name__})")
    body = record.get("body", record.get("text", record.get("content")))
    if body is None:
        raise LoadError(str(path), "article has no 'body' or 'text' field")
    if not isinstance(body, str):
        raise LoadError(str(path), "article text is not a string")
    raw_date = record.get("published_at", record.get("date", record.get("published")))
    published = parse_date(raw_date)
    if raw_date not in (None, "") and published is None:
        raise LoadError(str(path), f"impossible or unreadable date {str(raw_date)[:40]!r}")

    def text_field(name: str) -> str:
        value = record.get(name)
        return "" if value in (None, "None") else str(value).strip()

    return _article(
        path,
        text=body.strip(),
        title=text_field("title"),
        source=text_field("source") or text_field("outlet"),
        date=published,
        url=text_field("url"),
        author=text_field("author"),
        position=position,
        extra={k: record[k] for k in ("category",) if k in record},
    )


def _article(
    path: Path,
    *,
    text: str,
    title: str = "",
    source: str = "",
    date: Any = None,
    url: str = "",
    author: str = "",
    position: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Article:
    published = parse_date(date)
    if date not in (None, "") and published is None:
        raise LoadError(str(path), f"impossible or unreadable date {str(date)[:40]!r}")
    url = url.strip()
    return Article(
        id=url or path_id(path, position),
        title=title or short_title(text),
        text=text,
        source=source,
        published=published,
        url=url,
        author=author,
        path=display_path(os.path.abspath(path)),
        extra=extra or {},
    )
