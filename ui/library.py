"""Callbacks of the Library tab: list and search, upload, delete, statistics.

Uploads go through :meth:`index.NewsIndex.add`, the same path as ``python -m index add``. Gradio
keeps uploads in a temporary cache it may clear, and an article without a url is identified by
its file path, so each upload is first kept under ``DATA_DIR/uploads/<content digest>/<name>``:
the article's id and recorded path stay valid (``python -m index rebuild`` can re-read it), the
same file uploaded twice is recognised as unchanged, and two different files that happen to
share a name never overwrite each other. Files are indexed one at a time so that each gets its
own result line.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from index import IngestReport
from index.loaders import SUPPORTED_EXTENSIONS
from qa import Answerer

from .examples import render_examples
from .library_view import UploadLine, render_library, render_stats, render_upload_lines
from .status import render_status

#: Called as progress(fraction, desc=...), like ``gr.Progress``.
ProgressFn = Callable[..., Any]


def upload_types() -> list[str]:
    """The file extensions the upload box accepts (those the loaders read)."""
    return sorted(SUPPORTED_EXTENSIONS)


def keep_upload(source: Path, uploads_dir: Path) -> Path:
    """Copy an uploaded file to ``uploads_dir/<digest>/<name>`` (see the module docstring).

    Args:
        source: the file Gradio received.
        uploads_dir: where kept uploads live.

    Returns:
        The kept copy's path.

    Raises:
        OSError: the file cannot be read or copied.
    """
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    target = uploads_dir / digest.hexdigest()[:16] / Path(source.name).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


def upload_line(name: str, kept: Path, report: IngestReport) -> UploadLine:
    """Summarise the ingestion of one uploaded file as one line.

    Args:
        name: the file name as uploaded.
        kept: the kept copy's path (stripped from messages, which name the file already).
        report: what :meth:`index.NewsIndex.add` reported for it.

    Returns:
        The line.
    """

    def clean(message: str) -> str:
        return message.replace(f"{kept}: ", "").replace(str(kept), name)

    if report.failed:
        return UploadLine(
            name, False, "; ".join(clean(e) for e in report.errors) or "could not be read"
        )
    parts = []
    for count, word in (
        (report.added, "added"),
        (report.updated, "updated"),
        (report.unchanged, "already indexed, unchanged"),
    ):
        if count:
            parts.append(f"{count} article{'s' if count != 1 else ''} {word}")
    if report.chunks_embedded:
        parts.append(f"{report.chunks_embedded} chunks embedded")
    if report.warnings:
        parts.append("skipped: " + "; ".join(clean(w) for w in report.warnings))
    return UploadLine(name, True, ", ".join(parts) or "nothing to index")


class LibraryController:
    """The Library tab's callbacks over one answerer's index.

    Args:
        answerer: the answerer (its ``index`` is listed and changed).
        uploads_dir: where uploaded files are kept.
        max_file_mb: the upload size limit (``Settings.max_file_mb``).
    """

    def __init__(self, answerer: Answerer, uploads_dir: Path, max_file_mb: float) -> None:
        self.answerer = answerer
        self.index = answerer.index
        self.uploads_dir = Path(uploads_dir)
        self.max_file_mb = max_file_mb

    def table(self, query: str = "") -> str:
        """The article table, filtered by ``query``."""
        return render_library(self.index.articles(), query or "")

    def stats(self) -> str:
        """Corpus statistics."""
        return render_stats(self.index.stats(), self.index.articles())

    def status(self) -> str:
        """The status bar (mode and index size)."""
        return render_status(
            self.answerer.mode, self.answerer.settings.openai_base_url, self.index.stats()
        )

    def outlets(self) -> list[str]:
        """Outlets of the indexed articles, for the filter's multi-select."""
        return self.index.sources()

    def add_files(
        self, paths: Sequence[str | Path], progress: ProgressFn | None = None
    ) -> list[UploadLine]:
        """Index uploaded files, one result line each.

        Args:
            paths: the uploaded files.
            progress: optional ``gr.Progress``-like callback.

        Returns:
            One line per file, in upload order.
        """
        lines: list[UploadLine] = []
        total = len(paths)
        for position, raw in enumerate(paths):
            source = Path(raw)
            name = source.name
            refusal = self._refusal(source)
            if refusal:
                lines.append(UploadLine(name, False, refusal))
                continue
            try:
                kept = keep_upload(source, self.uploads_dir)
            except OSError as exc:
                lines.append(
                    UploadLine(name, False, f"could not be stored ({exc.strerror or exc})")
                )
                continue

            def report_progress(
                kind: str, done: int, of: int, _pos: int = position, _name: str = name
            ) -> None:
                if progress is None:
                    return
                share = done / of if of else 1.0
                # Reading is quick; embedding is where the time goes, so it gets most of the bar.
                within = 0.1 * share if kind == "files" else 0.1 + 0.9 * share
                step = "reading" if kind == "files" else f"embedding {done}/{of} chunks of"
                progress((_pos + within) / total, desc=f"{step} {_name}")

            report_progress("files", 0, 1)
            lines.append(upload_line(name, kept, self.index.add([kept], progress=report_progress)))
        if progress is not None:
            progress(1.0, desc="done")
        return lines

    def _refusal(self, source: Path) -> str | None:
        if source.suffix.lower() not in SUPPORTED_EXTENSIONS:
            kinds = ", ".join(e.lstrip(".") for e in upload_types())
            return f"unsupported file type {source.suffix or '(none)'!r}; accepted: {kinds}"
        try:
            size = source.stat().st_size
        except OSError as exc:
            return f"could not be read ({exc.strerror or exc})"
        if size > self.max_file_mb * 1024 * 1024:
            return f"file is {size / 1e6:.1f} MB, over the {self.max_file_mb:g} MB limit (NEWSQA_MAX_FILE_MB)"
        return None

    def upload_results(
        self, paths: Sequence[str | Path] | None, progress: ProgressFn | None = None
    ) -> str:
        """Index uploaded files and render their result lines."""
        return render_upload_lines(self.add_files(list(paths or []), progress))

    def refresh(self, query: str = "", selected: Sequence[str] | None = None) -> tuple[Any, ...]:
        """Everything that shows the library's content, after a change or on page load.

        Args:
            query: the library search box.
            selected: outlets currently chosen in the filter (kept when still indexed).

        Returns:
            Table HTML, statistics HTML, status HTML, an update of the outlet multi-select and
            the example questions HTML.
        """
        infos = self.index.articles()
        outlets = self.index.sources()
        kept = [s for s in (selected or []) if s in outlets]
        return (
            render_library(infos, query or ""),
            render_stats(self.index.stats(), infos),
            self.status(),
            gr.update(choices=outlets, value=kept),
            render_examples(infos),
        )

    def on_upload(
        self,
        files: Sequence[str] | None,
        query: str,
        selected: Sequence[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio finds trackers by this default
    ) -> tuple[Any, ...]:
        """Upload callback: index the files, clear the upload box, refresh the library views."""
        results = self.upload_results(files, progress)
        return (results, None, *self.refresh(query, selected))

    def on_delete(
        self, query: str, selected: Sequence[str] | None, evt: gr.EventData
    ) -> tuple[Any, ...]:
        """``delete_article`` event: remove the article, refresh the library views."""
        notice = self.delete(str(getattr(evt, "article_id", "") or ""))
        return (notice, *self.refresh(query, selected))

    def delete(self, article_id: str) -> str:
        """Remove an article from the index; returns a one-line notice."""
        found = self.index.get_article(article_id)
        title = found[0].title if found else article_id
        if not self.index.remove(article_id):
            return render_upload_lines([UploadLine(title, False, "was not in the index")])
        return render_upload_lines([UploadLine(title, True, "deleted from the index")])
