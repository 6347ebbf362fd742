"""Which loader reads a file (by extension), and which files a folder holds.

:func:`load_file` never raises for bad content: whatever goes wrong becomes the
:class:`~index.loaders.base.FileResult`'s ``error`` (one line), so one broken file never stops
the others. :func:`iter_files` walks folders without following symlink loops or blocking on pipes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..article import Article
from ..errors import LoadError
from . import html, json, pdf, text
from .base import FileResult, LoadLimits, check_article, date_note
from .reading import decode_text, read_bytes

SUPPORTED_EXTENSIONS = text.EXTENSIONS | html.EXTENSIONS | json.EXTENSIONS | pdf.EXTENSIONS


def load_file(path: str | os.PathLike[str], limits: LoadLimits | None = None) -> FileResult:
    """Read one file into articles; never raises for bad content.

    Args:
        path: the file.
        limits: size limits (default: :class:`LoadLimits`' defaults).

    Returns:
        A :class:`FileResult`; ``error`` says why nothing could be loaded, ``problems`` which
        records were skipped, ``notes`` what to check in the articles that loaded.
    """
    path = Path(path)
    try:
        articles, problems, notes = _load(path, limits or LoadLimits())
    except LoadError as exc:
        return FileResult(path, error=exc.reason)
    except RecursionError:
        return FileResult(path, error="structure nested too deeply")
    if not articles:
        return FileResult(path, error=_all_failed(problems))
    return FileResult(path, articles=articles, problems=problems, notes=notes)


def _all_failed(problems: list[str]) -> str:
    """One line for a file none of whose records loaded."""
    if len(problems) == 1:
        return problems[0]
    if not problems:
        return "no articles found"
    shown = "; ".join(problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    return f"none of its {len(problems)} records is a usable article ({shown}{more})"


def _load(path: Path, limits: LoadLimits) -> tuple[list[Article], list[str], list[str]]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise LoadError(str(path), f"unsupported file type {suffix or '(none)'!r}")
    data = read_bytes(path, limits.max_file_bytes)
    if suffix in pdf.EXTENSIONS:
        return _single(pdf.load_pdf(path, data), limits, path)
    content = decode_text(path, data)
    if suffix in text.EXTENSIONS:
        return _single(text.load_text(path, content), limits, path)
    if suffix in html.EXTENSIONS:
        return _single(html.load_html(path, content), limits, path)
    return json.load_json(path, content, limits, jsonl=suffix != ".json")


def _single(
    article: Article, limits: LoadLimits, path: Path
) -> tuple[list[Article], list[str], list[str]]:
    note = date_note(check_article(article, limits, path))
    return [article], [], [note] if note else []


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
