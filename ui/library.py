"""Callbacks of the Library tab: list and search, upload, delete, statistics.

Uploads go through :meth:`index.NewsIndex.add_uploads`, which holds the upload policy (type and
size checks, the kept copy under ``DATA_DIR/uploads``, one result per file: see
:mod:`index.uploads`), the same as ``python -m index upload``. The callbacks here pass the files
on and format the results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from index import UploadResult
from index.loaders import SUPPORTED_EXTENSIONS
from index.uploads import UPLOADS_FOLDER
from qa import Answerer

from .examples import render_examples
from .library_view import UploadLine, render_library, render_stats, render_upload_lines
from .status import render_status

#: Called as progress(fraction, desc=...), like ``gr.Progress``.
ProgressFn = Callable[..., Any]


def upload_types() -> list[str]:
    """The file extensions the upload box accepts (those the loaders read)."""
    return sorted(SUPPORTED_EXTENSIONS)


def upload_line(result: UploadResult) -> UploadLine:
    """The result line of one uploaded file."""
    return UploadLine(result.name, result.ok, result.summary())


class LibraryController:
    """The Library tab's callbacks over one answerer's index.

    Args:
        answerer: the answerer (its ``index`` is listed and changed).
        uploads_dir: where uploaded files are kept (default: ``DATA_DIR/uploads``).
        max_file_mb: the upload size limit (default: the index's ``Settings.max_file_mb``).
    """

    def __init__(
        self,
        answerer: Answerer,
        uploads_dir: Path | None = None,
        max_file_mb: float | None = None,
    ) -> None:
        self.answerer = answerer
        self.index = answerer.index
        settings = self.index.settings
        self.uploads_dir = Path(uploads_dir or Path(settings.data_dir) / UPLOADS_FOLDER)
        self.max_file_mb = settings.max_file_mb if max_file_mb is None else max_file_mb

    def table(self, query: str = "") -> str:
        """The article table, filtered by ``query``."""
        return render_library(self.index.articles(), query or "")

    def stats(self) -> str:
        """Corpus statistics."""
        return render_stats(self.index.stats(), self.index.articles())

    def status(self) -> str:
        """The status bar (mode and index size)."""
        return render_status(self.answerer.mode, self.index.stats())

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

        def report_progress(fraction: float, step: str) -> None:
            if progress is not None:
                progress(fraction, desc=step)

        report = self.index.add_uploads(
            list(paths), report_progress, folder=self.uploads_dir, max_file_mb=self.max_file_mb
        )
        return [upload_line(result) for result in report.files]

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
