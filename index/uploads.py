"""Uploads: files handed to the library (the app's upload box, ``python -m index upload``), kept
under the data folder and indexed, with one result per file.

Why keep a copy: an upload arrives in a temporary place (Gradio's cache, which it may clear), and
an article without a url is identified by its file path. So each upload is first copied to
``DATA_DIR/uploads/<content digest>/<name>``: the article's id and recorded path stay valid
(``python -m index rebuild`` can re-read it), the same file uploaded twice is recognised as
unchanged, and two different files that happen to share a name never overwrite each other.

Before the copy, a file is refused by type (the extensions the loaders read) and by size
(``NEWSQA_MAX_FILE_MB``), so nothing unusable is kept. The files kept are then indexed together
in one write session (:meth:`index.ingest.Ingestor.add_each`): one generation and one lexical
index update for the whole upload, not one per file (each update costs a BM25 build over the
corpus), while each file still gets its own result, a bad one never losing the others. The
messages name the upload, never the kept copy's path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .ingest import Ingestor, IngestReport
from .loaders import SUPPORTED_EXTENSIONS, display_path

if TYPE_CHECKING:
    from .library import NewsIndex

#: Where kept uploads live, inside the data folder.
UPLOADS_FOLDER = "uploads"

#: Called as progress(fraction of all files done, what is happening now), like ``gr.Progress``.
UploadProgress = Callable[[float, str], None]

# Reading a file is quick; embedding its chunks is where the time goes.
_READING_SHARE = 0.1


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file.

    Attributes:
        name: the file name as uploaded.
        path: the kept copy, or None when the file was refused before it was kept.
        error: why nothing of the file was indexed, or None.
        added: new articles.
        updated: changed articles re-indexed.
        unchanged: articles already indexed as they are.
        chunks_embedded: chunk texts sent to the embedder.
        skipped: one reason per record of the file that was skipped.
        notes: one line per article that went in with something to check (an implausible date).
    """

    name: str
    path: Path | None
    error: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file was indexed (possibly with skipped records)."""
        return self.error is None

    def summary(self) -> str:
        """What happened, in one line ("1 article added, 3 chunks embedded", or the reason)."""
        if self.error is not None:
            return self.error
        parts = []
        for count, word in (
            (self.added, "added"),
            (self.updated, "updated"),
            (self.unchanged, "already indexed, unchanged"),
        ):
            if count:
                parts.append(f"{count} article{'s' if count != 1 else ''} {word}")
        if self.chunks_embedded:
            n = self.chunks_embedded
            parts.append(f"{n} chunk{'s' if n != 1 else ''} embedded")
        if self.skipped:
            parts.append("skipped: " + "; ".join(self.skipped))
        if self.notes:
            parts.append("warning: " + "; ".join(self.notes))
        return ", ".join(parts) or "nothing to index"


@dataclass(frozen=True)
class UploadReport:
    """One :class:`UploadResult` per file, in the order given."""

    files: tuple[UploadResult, ...]

    @property
    def ok(self) -> bool:
        """True when every file was indexed."""
        return all(f.ok for f in self.files)

    @property
    def clean(self) -> bool:
        """True when every file and every record in them went in."""
        return all(f.ok and not f.skipped for f in self.files)


def upload_refusal(source: Path, max_file_mb: float) -> str | None:
    """Why ``source`` is refused before it is kept (type or size), or None.

    Args:
        source: the uploaded file.
        max_file_mb: the size limit in megabytes (``Settings.max_file_mb``).

    Returns:
        One line, or None when the file may be kept and indexed.
    """
    if source.is_dir():
        return "is a folder (index folders with `python -m index add`)"
    if source.suffix.lower() not in SUPPORTED_EXTENSIONS:
        kinds = ", ".join(sorted(e.lstrip(".") for e in SUPPORTED_EXTENSIONS))
        return f"unsupported file type {source.suffix or '(none)'!r}; accepted: {kinds}"
    try:
        size = source.stat().st_size
    except OSError as exc:
        return f"could not be read ({exc.strerror or exc})"
    if size > max_file_mb * 1024 * 1024:
        return (
            f"file is {size / 1e6:.1f} MB, over the {max_file_mb:g} MB limit (NEWSQA_MAX_FILE_MB)"
        )
    return None


def keep_upload(source: Path, uploads_dir: Path) -> Path:
    """Copy an uploaded file to ``uploads_dir/<digest>/<name>`` (see the module docstring).

    Args:
        source: the file as received.
        uploads_dir: where kept uploads live.

    Returns:
        The kept copy's path (the existing one when the same content was kept before).

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


def add_uploads(
    index: NewsIndex,
    files: Sequence[str | os.PathLike[str]],
    progress: UploadProgress | None = None,
    *,
    folder: Path | None = None,
    max_file_mb: float | None = None,
) -> UploadReport:
    """Check, keep and index uploaded files, one result each (see the module docstring).

    Args:
        index: the index to add to.
        files: the uploaded files.
        progress: optional callback, called with the fraction done and a description.
        folder: where to keep them (default: ``DATA_DIR/uploads``).
        max_file_mb: the size limit (default: ``Settings.max_file_mb``).

    Returns:
        The report, one result per file in the order given.

    Raises:
        StoreError: the store cannot be written.
    """
    folder = Path(folder or Path(index.settings.data_dir) / UPLOADS_FOLDER)
    limit = index.settings.max_file_mb if max_file_mb is None else max_file_mb
    results: list[UploadResult | None] = [None] * len(files)
    kept: list[tuple[int, str, Path]] = []  # (position, name as uploaded, kept copy)
    for position, raw in enumerate(files):
        source = Path(raw)
        refusal = upload_refusal(source, limit)
        if refusal:
            results[position] = UploadResult(source.name, None, refusal)
            continue
        try:
            kept.append((position, source.name, keep_upload(source, folder)))
        except OSError as exc:
            error = f"could not be stored ({exc.strerror or exc})"
            results[position] = UploadResult(source.name, None, error)
    if kept:
        what = kept[0][1] if len(kept) == 1 else f"{len(kept)} files"

        def step(kind: str, done: int, of: int) -> None:
            if progress is None:
                return
            share = done / of if of else 1.0
            if kind == "files":
                progress(_READING_SHARE * share, f"reading {what}")
            else:
                fraction = _READING_SHARE + (1 - _READING_SHARE) * share
                progress(fraction, f"embedding {done}/{of} chunks of {what}")

        step("files", 0, 1)
        ingestor = Ingestor(index.settings, index.store, index.embedder)
        batch = ingestor.add_each([path for _, _, path in kept], progress=step)
        names = {path: name for _, name, path in kept}
        for (position, name, path), report in zip(kept, batch.files, strict=True):
            results[position] = upload_result(name, path, report, names)
    if progress is not None:
        progress(1.0, "done")
    return UploadReport(tuple(r for r in results if r is not None))


def upload_result(
    name: str, kept: Path, report: IngestReport, names: Mapping[Path, str] | None = None
) -> UploadResult:
    """The result of indexing one kept upload, its messages naming the upload.

    Args:
        name: the file name as uploaded.
        kept: the kept copy that was indexed.
        report: what indexing it reported.
        names: the upload name of every kept copy of the batch (a message about this file
            may name another one: "already read from ...").

    Returns:
        The result.
    """
    shown = display_path(kept)
    others = {display_path(path): other for path, other in (names or {}).items()}

    def clean(message: str) -> str:
        message = message.removeprefix(f"{shown}: ").replace(shown, name)
        for path, other in others.items():
            message = message.replace(path, other)
        return message

    if report.failed:
        error = "; ".join(clean(e) for e in report.errors) or "could not be read"
        return UploadResult(name, kept, error)
    return UploadResult(
        name,
        kept,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        chunks_embedded=report.chunks_embedded,
        skipped=tuple(clean(w) for w in report.warnings),
        notes=tuple(clean(n) for n in report.notes),
    )
