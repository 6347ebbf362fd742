"""Command line: ``python -m index add|upload|follow|list|remove|stats|rebuild|check``.

``add`` prints one line per bad file (``error: PATH: reason``), per skipped record
(``warning: PATH: line N: reason``) and per article that went in with something to check
(``warning: PATH: date 2031-09-10 is in the future (kept as given)``), then a one-line summary.
Exit status: 0 when everything went in (articles with a date warning included), 1 when some
files or records failed (the good ones are still indexed), 2 for usage or configuration errors,
130 when interrupted (run the same command again: finished articles stay, the rest is redone).

``upload`` is what the app's upload box does (:mod:`index.uploads`): each file is checked, kept
under ``DATA_DIR/uploads`` and indexed, with one line per file; exit status as for ``add``.

``follow`` reads RSS and Atom feeds and ingests their new items' pages (:mod:`index.feeds`):
one line per feed and per item that came in, ``error:`` lines for failed feeds and pages (they
are retried on later passes), then the pass's summary. ``--once``: one pass, exit status 0 when
every feed and page went in, 1 when some failed. Without it: a pass every ``--interval``
seconds until Ctrl-C (or SIGTERM), exit status 0.

``check`` queries every committed chunk with its own vector and reports those dense search does
not reach (chroma-core/chroma#7758), and compares the lexical index with the store
(:mod:`index.check`); ``--repair`` writes the unreachable chunks again and rebuilds a lexical
index that disagrees. Exit status 0 when no problem remains, 1 when some do.
"""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import NewsqaError
from .settings import Settings


def _progress_bars():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}
    names = {
        "files": ("file", "reading"),
        "pages": ("page", "fetching"),
        "reach": ("chunk", "checking"),
    }

    def progress(kind: str, done: int, total: int) -> None:
        bar = bars.get(kind)
        if bar is None or bar.disable:  # none yet, or closed: a new pass of ``follow``
            for other in bars.values():
                other.close()
            unit, desc = names.get(kind, ("chunk", "embedding"))
            bar = bars[kind] = tqdm(
                total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True
            )
        bar.total = total
        bar.n = done
        bar.refresh()

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return progress, close


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from .library import open_index
    from .watch import scan

    index = open_index(settings)
    # Taken before the add, so a file arriving while it runs is picked up by --watch.
    before = scan(args.paths) if args.watch else None
    progress, close = _progress_bars() if not args.quiet else (None, lambda: None)
    try:
        report = index.add(args.paths, progress=progress, prune=args.prune)
    finally:
        close()
    _print_report(report)
    if args.watch:
        return _watch(index, args, before)
    return 0 if report.clean else 1


def _print_report(report, stamp: str = "") -> None:
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    for line in [*report.warnings, *report.notes]:
        print(f"warning: {line}", file=sys.stderr)
    print(f"{stamp}{report.summary()}", flush=True)


def _watch(index, args: argparse.Namespace, indexed) -> int:
    """Poll the folders; index new and changed files as they appear (Ctrl-C stops)."""
    from .watch import watch

    # Started in the background (`... &`, nohup) a process inherits SIGINT ignored, and Python
    # then never raises KeyboardInterrupt; a service manager stops it with SIGTERM. Both end the
    # watch (an interrupted round is safe: the next run completes it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(
        f"watching {', '.join(map(str, args.paths))} every {args.interval:g} s (Ctrl-C to stop)",
        flush=True,
    )
    try:
        watch(
            index,
            args.paths,
            args.interval,
            prune=args.prune,
            indexed=indexed,
            on_event=lambda event: _print_report(event.report, time.strftime("%H:%M:%S ")),
        )
    except KeyboardInterrupt:
        pass
    return 0


def cmd_upload(args: argparse.Namespace, settings: Settings) -> int:
    from .library import open_index
    from .loaders import display_path

    report = open_index(settings).add_uploads(args.files)
    for result in report.files:
        line = f"{display_path(result.name)}: {result.summary()}"
        if result.ok:
            print(line, flush=True)
        else:
            print(f"error: {line}", file=sys.stderr)
    return 0 if report.clean else 1


def cmd_follow(args: argparse.Namespace, settings: Settings) -> int:
    from .feeds import FeedList, FetchOptions, FollowOptions, follow, follow_once
    from .library import open_index

    feeds = FeedList(settings.data_dir)
    addresses = [feeds.add(a).url for a in args.feeds] if args.feeds else feeds.urls()
    if not addresses:
        print("error: no feed to follow: give URL_OR_FILE (it is then remembered)", file=sys.stderr)
        return 2
    options = FollowOptions(fetch=FetchOptions(timeout=args.timeout, host_delay=args.delay))
    index = open_index(settings)
    progress, close = _progress_bars() if not args.quiet else (None, lambda: None)
    if args.once:
        try:
            report = follow_once(index, addresses, options, feeds=feeds, progress=progress)
        finally:
            close()
        _print_follow(report)
        return 0 if report.ok else 1
    # As for --watch: a background process inherits SIGINT ignored; SIGTERM stops a service.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(
        f"following {len(addresses)} feeds every {args.interval:g} s (Ctrl-C to stop)", flush=True
    )

    def on_pass(report) -> None:
        close()
        _print_follow(report)

    def on_error(exc: Exception) -> None:
        close()
        print(f"error: this pass failed, the next one redoes it: {exc}", file=sys.stderr)

    try:
        # Named on the command line: those feeds; else the list, re-read every pass.
        follow(
            index,
            addresses if args.feeds else None,
            args.interval,
            options,
            on_pass=on_pass,
            on_error=on_error,
            progress=progress,
        )
    except KeyboardInterrupt:
        close()
        print("stopped (an interrupted pass is redone by the next run)", file=sys.stderr)
    return 0


def _print_follow(report) -> None:
    """One line per feed, per item that came in and per failed page, then the summary."""
    from .loaders import display_path as shown  # escapes control characters from the feeds

    stamp = time.strftime("%H:%M:%S ")
    for feed in report.feeds:
        line = f"feed {shown(feed.url)}: {shown(feed.summary())}"
        if feed.status == "failed":
            print(f"error: {line}", file=sys.stderr)
        else:
            print(f"{stamp}{line}")
    for item in report.items:
        print(f"{stamp}{item.change}: {shown(item.title)} <{shown(item.url)}>")
    for failure in report.failures:
        if failure.next_try is None:
            when = "given up until the feed lists a new version"
        else:
            when = f"retried after {time.strftime('%H:%M:%S', time.localtime(failure.next_try))}"
        print(
            f"error: page {shown(failure.link or failure.key)}: {shown(failure.error)} "
            f"(attempt {failure.attempts}, {when})",
            file=sys.stderr,
        )
    for note in report.notes:
        print(f"warning: {shown(note)}", file=sys.stderr)
    print(f"{stamp}{report.summary()}", flush=True)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from .library import open_index

    for info in open_index(settings).articles():
        when = info.published.isoformat() if info.published else "----------"
        print(f"{when}  {info.source or '-':<24.24}  {info.title[:70]:<70}  {info.id}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from .library import open_index

    index = open_index(settings)
    status = 0
    for article_id in args.ids:
        if index.remove(article_id):
            print(f"removed {article_id}")
        else:
            print(
                f"error: no indexed article has id {article_id!r} (see `python -m index list`)",
                file=sys.stderr,
            )
            status = 1
    return status


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from .library import open_index

    stats = open_index(settings).stats()
    span = f"{stats.first} to {stats.last}" if stats.first else "no dated articles"
    print(f"articles:  {stats.articles}")
    print(f"chunks:    {stats.chunks}")
    print(f"outlets:   {stats.sources}")
    print(f"dates:     {span}")
    print(f"model:     {stats.embed_model}")
    print(f"store:     {stats.location}")
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from .rebuild import rebuild

    progress, close = _progress_bars()
    try:
        report = rebuild(settings, progress=progress)
    finally:
        close()
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from .check import check_index
    from .library import open_index

    index = open_index(settings)
    progress, close = _progress_bars() if not args.quiet else (None, lambda: None)
    try:
        result = check_index(
            index,
            repair=args.repair,
            progress=(lambda done, total: progress("reach", done, total)) if progress else None,
        )
    finally:
        close()
    _print_check(result, args.repair)
    return 0 if result.ok else 1


def _print_check(result, repaired: bool) -> None:
    """Counts first, then the problems (``error:`` for those that remain)."""
    reach, lexical = result.reach, result.lexical
    print(
        f"dense search: checked {reach.checked:,} chunks of {reach.articles:,} articles "
        f"in {reach.seconds:.1f} s; unreachable {len(reach.unreachable):,}, "
        f"repaired {len(reach.repaired):,}"
    )
    if reach.remaining:
        shown = ", ".join(reach.remaining[:5]) + (" ..." if len(reach.remaining) > 5 else "")
        hint = (
            "still unreachable after the repair; try `python -m index rebuild`"
            if repaired
            else "run `python -m index check --repair`"
        )
        print(
            f"error: {len(reach.remaining):,} chunk(s) that dense search cannot reach "
            f"(chroma-core/chroma#7758): {shown}; {hint}",
            file=sys.stderr,
        )
    if lexical.skipped:
        print(f"warning: lexical index not compared: {lexical.skipped}", file=sys.stderr)
        return
    state = "rebuilt, " if lexical.rebuilt else ""
    print(
        f"lexical index: {state}{lexical.chunks:,} chunks in the store, "
        f"{len(lexical.missing):,} missing from it, {len(lexical.extra):,} it should not hold"
    )
    if not lexical.ok:
        fix = "the rebuild did not help" if lexical.rebuilt else "run with --repair to rebuild it"
        print(f"error: the lexical index differs from the store; {fix}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m index``."""
    parser = argparse.ArgumentParser(
        prog="python -m index", description="Manage the newsqa article index."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="index files or folders (txt, md, html, json, jsonl, pdf)")
    add.add_argument("paths", nargs="+", type=Path)
    add.add_argument(
        "--prune", action="store_true", help="remove articles whose files under PATHS are gone"
    )
    add.add_argument(
        "--watch", action="store_true", help="keep watching the folders for new or changed files"
    )
    add.add_argument("--interval", type=float, default=5.0, help="seconds between --watch scans")
    add.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    add.set_defaults(func=cmd_add)
    upload = sub.add_parser(
        "upload", help="keep copies of files under DATA_DIR/uploads and index them (as the app)"
    )
    upload.add_argument("files", nargs="+", type=Path)
    upload.set_defaults(func=cmd_upload)
    follow = sub.add_parser(
        "follow",
        help="read RSS/Atom feeds and index their new items' pages, now and every so often",
    )
    follow.add_argument(
        "feeds",
        nargs="*",
        metavar="URL_OR_FILE",
        help="feeds to follow (remembered; none: every feed followed before)",
    )
    follow.add_argument("--once", action="store_true", help="read each feed once, then exit")
    follow.add_argument("--interval", type=float, default=600.0, help="seconds between passes")
    follow.add_argument(
        "--delay", type=float, default=1.0, help="seconds between two requests to one host"
    )
    follow.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    follow.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    follow.set_defaults(func=cmd_follow)
    sub.add_parser("list", help="list indexed articles").set_defaults(func=cmd_list)
    remove = sub.add_parser("remove", help="remove articles by id")
    remove.add_argument("ids", nargs="+")
    remove.set_defaults(func=cmd_remove)
    sub.add_parser("stats", help="corpus statistics").set_defaults(func=cmd_stats)
    sub.add_parser(
        "rebuild",
        help="rebuild the index with the current settings: its files read again, articles "
        "that came from no file (feeds, code) carried over",
    ).set_defaults(func=cmd_rebuild)
    check = sub.add_parser(
        "check", help="check that every chunk can be found by dense and lexical search"
    )
    check.add_argument(
        "--repair", action="store_true", help="re-add unreachable chunks, rebuild a stale BM25"
    )
    check.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    try:
        settings = Settings.from_env()
        return args.func(args, settings)
    except NewsqaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: run the same command again to finish (nothing is lost)", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    status = main()
    # The interpreter's exit runs a last garbage collection over everything a command built
    # (chromadb, onnxruntime, a lexical generation): 0.35 to 0.45 s of a 3-second one-article
    # add at a million chunks, to free what the process is about to give back anyway
    # (bench/README.md, "Live writes at 1M chunks"). Frozen objects are left to the exit
    # itself; files were written and closed by the command.
    gc.disable()
    gc.freeze()
    sys.exit(status)
