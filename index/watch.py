"""Watch folders and index new and changed files as they appear (``index add --watch``).

Polling, not inotify: it works the same on network shares and in containers, and a scan of a
news folder every few seconds is cheap next to embedding. A file is indexed once its size and
modification time are the same on two scans in a row, so a file still being copied in is not
indexed half-written. Files that disappear are pruned from the index when asked to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .ingest import IngestReport
from .library import NewsIndex
from .loaders import iter_files

Signature = tuple[float, int]


@dataclass(frozen=True)
class WatchEvent:
    """One round of work: the files it indexed, the number of articles pruned, and the report."""

    files: tuple[Path, ...]
    report: IngestReport


def scan(paths: Sequence[Path]) -> dict[Path, Signature]:
    """Size and modification time of every readable supported file under ``paths``."""
    out: dict[Path, Signature] = {}
    for path, error in iter_files(paths):
        if error is None:
            try:
                st = path.stat()
            except OSError:
                continue
            out[path] = (st.st_mtime, st.st_size)
    return out


def watch(
    index: NewsIndex,
    paths: Sequence[Path],
    interval: float,
    prune: bool = False,
    on_event: Callable[[WatchEvent], None] | None = None,
    stop: threading.Event | None = None,
    indexed: dict[Path, Signature] | None = None,
) -> None:
    """Poll ``paths`` every ``interval`` seconds until ``stop`` is set (or forever).

    Files count as indexed when their signature is in ``indexed``; by default that is every
    file present when watching starts. Take the :func:`scan` before the ``add`` that precedes the
    watch, so a file that arrives in between is not missed.

    Args:
        index: the opened index.
        paths: files and folders to watch.
        interval: seconds between scans.
        prune: remove articles whose file under ``paths`` is gone.
        on_event: called after each round that did work.
        stop: set it to end the loop (Ctrl-C ends it from the command line).
        indexed: signatures of the files already indexed (see above).
    """
    stop = stop or threading.Event()
    indexed = dict(scan(paths) if indexed is None else indexed)
    previous = dict(indexed)
    while not stop.wait(interval):
        now = scan(paths)
        settled = [p for p, sig in now.items() if previous.get(p) == sig and indexed.get(p) != sig]
        gone = [p for p in indexed if p not in now]
        for path in gone:
            indexed.pop(path)
        previous = now
        if not settled and not (gone and prune):
            continue
        report = index.add(settled) if settled else IngestReport()
        for path in settled:
            indexed[path] = now[path]
        if gone and prune:
            report.removed += index.prune(paths)
        if on_event:
            on_event(WatchEvent(tuple(settled), report))
