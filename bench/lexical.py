"""Lexical index benchmark: ``python -m bench.lexical --chunks 1000000``.

Measures the incremental lexical index (:mod:`index.lexical`) side by side with a full rebuild of
the same index (what every write cost before segments: a rebuild from every chunk), at N
synthetic chunks, without Chroma: loading a million chunks into Chroma took about two hours
here (bench/README.md, "Scale"), and the lexical side is what changed. The chunks come from the
same generator as :mod:`bench.scale` (~1,200-character windows of the MultiHop-RAG bodies, ten
per article, outlets and 2023 dates drawn from the corpus), regenerated on demand from the
article number, so the stand-in store (:class:`SyntheticStore`) holds no text in memory and the
measured process's memory is the lexical index's own. It answers exactly the calls
:class:`index.lexical.LexicalIndex` makes of a :class:`index.store.Store`, change log included.

Each step runs in a fresh process (peak RSS is that step's), in this order:

1. ``build``: the full build of N chunks (the old path's cost for any write);
2. ``add-one``: one new 3-chunk article, incrementally (a writer's commit);
3. ``sessions``: 99 more one-article writes (100 small sessions in all): time per session and
   the disk after 1 and after 100 small sessions;
4. ``add-many``: 1,000 new articles (10,000 chunks);
5. ``remove-many``: 1,000 articles removed;
6. ``rebuild``: a full rebuild of the index as it now is, in another folder (the side-by-side);
7. ``query``: BM25 latency, median and p95 over the first questions of ``queries-dev.json``, on
   the incremental index and on the rebuilt one, and their top 10 compared.

Results: ``bench/results/lexical-<N>.json`` and ``.md``.

``--step latency`` (after ``--step build`` and any writes, same ``--folder``) measures the BM25
latency of the incremental index alone, each question three times.

``--compare-bm25s`` measures query latency instead against the index newsqa had before segments
(bm25s's precomputed score matrix over the same chunks), both in one process, questions
interleaved (``--rounds``: each question that many times): ``bench/results/lexical-bm25s-<N>.json``
and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .scale import (
    CHUNKS_PER_ARTICLE,
    DATASET,
    RESULTS,
    _rss_peak_mb,
    _summary,
    bench_parser,
    run_step,
)

#: The steps of a full run, in order.
STEPS = ("build", "add-one", "sessions", "add-many", "remove-many", "rebuild", "query")
#: Article numbers from here on are the 3-chunk articles of single-article writes.
SMALL = 10_000_000


@dataclass
class _Settings:
    collection: str = "bench"


class SyntheticStore:
    """What :class:`index.lexical.LexicalIndex` reads of a store, over synthetic articles.

    The state (live articles, generation, change log) is a small JSON file, so every step's
    process sees the previous step's writes.

    Args:
        path: the state file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.settings = _Settings()
        self.state = json.loads(path.read_text())
        self._records = json.loads((DATASET / "corpus.json").read_text())

    @classmethod
    def create(cls, path: Path, n_chunks: int) -> SyntheticStore:
        """A store of ``n_chunks`` chunks, ten per article, at generation 1."""
        n = (n_chunks + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE
        state = {"generation": 1, "base": n, "added": [], "removed": [], "log": []}
        path.write_text(json.dumps(state))
        return cls(path)

    # ---- writing (what a write session does to the store and its log) --------------------

    def commit(self, added: list[int], removed: list[int]) -> int:
        """Apply a write and log it; returns the new generation."""
        state = self.state
        previous = state["generation"]
        generation = previous + 1
        state["added"] += added
        state["removed"] += removed
        state["log"].append([generation, previous, [_id(a) for a in added + removed]])
        state["generation"] = generation
        self.path.write_text(json.dumps(state))
        self._live = None
        return generation

    # ---- reading (the Store methods the lexical index calls) -----------------------------

    def generation(self) -> int:
        """The current generation."""
        return self.state["generation"]

    def changes_since(self, held, target):
        """As :meth:`index.store.Store.changes_since`, from the in-file log."""
        from index.store.changelog import ChangeSet

        entries = {g: (p, ids) for g, p, ids in self.state["log"]}
        ids: set[str] = set()
        at, walked = target, 0
        while at not in held:
            if at not in entries:
                return None
            at, changed = entries[at]
            ids.update(changed)
            walked += 1
        return ChangeSet(at, target, frozenset(ids), walked)

    def live(self) -> list[int]:
        """Live article numbers, in store order."""
        if getattr(self, "_live", None) is None:
            removed = set(self.state["removed"])
            numbers = [*range(self.state["base"]), *self.state["added"]]
            self._live = [a for a in numbers if a not in removed]
        return self._live

    def article_infos(self, ids):
        """Infos of the live articles among ``ids``."""
        live = set(self.live())
        return [self._article(n)[0] for n in sorted(_number(i) for i in ids) if n in live]

    def chunks_of(self, ids):
        """Chunks of ``ids`` (the caller passes live ones)."""
        return [c for n in sorted(_number(i) for i in ids) for c in self._article(n)[1]]

    def list_articles(self):
        """Every live article's info, newest first."""
        infos = [self._article(n, text=False)[0] for n in self.live()]
        infos.sort(key=lambda a: (a.published or date.min, a.title), reverse=True)
        return infos

    def committed_chunks(self, articles=None, vectors=False):
        """Every live chunk, in pages of about 5,000."""
        page = []
        for n in self.live():
            page.extend(self._article(n)[1])
            if len(page) >= 5000:
                yield page, None
                page = []
        if page:
            yield page, None

    def _article(self, n: int, text: bool = True):
        from index.store import ArticleInfo, StoredChunk

        rng = random.Random(n)
        record = self._records[rng.randrange(len(self._records))]
        count = 3 if n >= SMALL else CHUNKS_PER_ARTICLE
        published = date(2023, 1, 1) + timedelta(days=rng.randrange(365))
        article_id = _id(n)
        info = ArticleInfo(
            id=article_id,
            title=f"{record['title']} ({n})",
            source=record["source"],
            published=published,
            url=article_id,
            author="",
            path="",
            content_hash=f"{n:x}",
            chunks=count,
        )
        if not text:
            return info, []
        body, chunks = record["body"], []
        for i in range(count):
            at = rng.randrange(max(1, len(body) - 1200))
            window = body[at : at + 1200]
            piece = window[window.find(" ") + 1 : window.rfind(" ")].strip() or window
            chunks.append(
                StoredChunk(
                    id=f"{n:08x}-{i:04d}",
                    article_id=article_id,
                    text=piece,
                    title=info.title,
                    source=info.source,
                    published=published,
                    url=article_id,
                    start=0,
                    end=len(piece),
                    index=i,
                )
            )
        return info, chunks


def _id(n: int) -> str:
    return f"https://synthetic.example/{n}"


def _number(article_id: str) -> int:
    return int(article_id.rsplit("/", 1)[1])


def _open(folder: Path, root: str = "incremental"):
    from index.lexical import LexicalIndex

    store = SyntheticStore(folder / "state.json")
    return store, LexicalIndex(store, folder / root)  # type: ignore[arg-type]


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def step(name: str, folder: Path, n_chunks: int, n_queries: int) -> dict:
    """Run one step in this process; returns its measures."""
    if name == "build":
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        store = SyntheticStore.create(folder / "state.json", n_chunks)
        _, lexical = _open(folder)
        seconds, _ = _timed(lambda: lexical.rebuild(store.generation(), "benchmark"))
        return _measures(seconds, lexical, rows=n_chunks)
    store, lexical = _open(folder)
    if name in ("add-one", "add-many", "remove-many"):
        if name == "add-one":
            added, removed = [SMALL + len(store.state["added"])], []
        elif name == "add-many":
            first = store.state["base"] + 1
            added, removed = list(range(first, first + 1000)), []
        else:
            added, removed = [], list(range(0, 2000, 2))
        generation = store.commit(added, removed)
        seconds, _ = _timed(lambda: lexical.prepare(generation))
        return _measures(seconds, lexical, rows=lexical.last_update.rows)
    if name == "rebuild":
        _, clean = _open(folder, "rebuilt")
        shutil.rmtree(folder / "rebuilt", ignore_errors=True)
        seconds, _ = _timed(lambda: clean.rebuild(store.generation(), "benchmark side by side"))
        return _measures(seconds, clean, rows=clean.last_update.rows)
    if name == "query":
        _, clean = _open(folder, "rebuilt")
        return _queries(lexical.ensure_current(), clean.ensure_current(), n_queries)
    if name == "latency":
        return _latency(lexical.ensure_current(), n_queries)
    if name == "sessions":
        before = lexical.disk_bytes()
        times = []
        for _ in range(99):
            generation = store.commit([SMALL + len(store.state["added"])], [])
            seconds, _ = _timed(lambda: lexical.prepare(generation))  # noqa: B023
            times.append(seconds)
        return {
            "disk_after_1_mb": round(before / 1e6, 2),
            "disk_after_100_mb": round(lexical.disk_bytes() / 1e6, 2),
            "session": _summary(times),
            "segments": len(lexical.ensure_current().states),
            "peak_rss_mb": round(_rss_peak_mb()),
        }
    raise SystemExit(f"unknown step {name}")


def _measures(seconds: float, lexical, rows: int) -> dict:
    update = lexical.last_update
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(_rss_peak_mb()),
        "rows_indexed": rows,
        "origin": update.origin,
        "segments": update.segments,
        "merged": update.merged,
        "disk_mb": round(lexical.disk_bytes() / 1e6, 1),
    }


def _queries(incremental, rebuilt, n: int) -> dict:
    questions = [q["query"] for q in json.loads((DATASET / "queries-dev.json").read_text())[:n]]
    times: dict[str, list[float]] = {"incremental": [], "rebuilt": []}
    differing = 0
    for question in questions:
        hits = {}
        for name, generation in (("incremental", incremental), ("rebuilt", rebuilt)):
            seconds, hits[name] = _timed(lambda g=generation, q=question: g.search(q, 40))
            times[name].append(seconds)
        a = [round(h.score, 4) for h in hits["incremental"][:10]]
        b = [round(h.score, 4) for h in hits["rebuilt"][:10]]
        differing += a != b
    return {
        "incremental": _summary(times["incremental"]),
        "rebuilt": _summary(times["rebuilt"]),
        "incremental_segments": len(incremental.states),
        "rebuilt_segments": len(rebuilt.states),
        "top10_score_lists_differing": differing,
        "questions": len(questions),
    }


def _latency(generation, n: int, rounds: int = 3) -> dict:
    """BM25 latency (top 40) on one index, each question asked ``rounds`` times, interleaved."""
    questions = [q["query"] for q in json.loads((DATASET / "queries-dev.json").read_text())[:n]]
    generation.search(questions[0], 40)  # first touch of the mapped files
    times = []
    for _ in range(rounds):
        for question in questions:
            seconds, _ = _timed(lambda q=question: generation.search(q, 40))
            times.append(seconds)
    return {
        **_summary(times),
        "rows": generation.rows,
        "live_rows": generation.live_count,
        "segments": len(generation.states),
        "peak_rss_mb": round(_rss_peak_mb()),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def compare_bm25s(n_chunks: int, n_queries: int, folder: Path, rounds: int = 1) -> dict:
    """BM25 latency of the segments and of a bm25s index over the same chunks, interleaved
    (each question asked ``rounds`` times)."""
    import bm25s
    import numpy as np

    from index.lexical import chunk_header
    from index.text import tokenize

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = SyntheticStore.create(folder / "state.json", n_chunks)
    _, lexical = _open(folder)
    segments = lexical.rebuild(store.generation(), "benchmark")
    tokens, ids = [], []
    for page, _ in store.committed_chunks():
        ids.extend(c.id for c in page)
        tokens.extend(
            tokenize([f"{chunk_header(c.title, c.source, c.published)}\n{c.text}" for c in page])
        )
    old = bm25s.BM25()
    old.index(tokens, show_progress=False)
    del tokens
    questions = [q["query"] for q in json.loads((DATASET / "queries-dev.json").read_text())]
    times: dict[str, list[float]] = {"segments": [], "bm25s": []}
    differing = 0
    for question in [q for _ in range(rounds) for q in questions[:n_queries]]:
        seconds, new_hits = _timed(lambda q=question: segments.search(q, 40))
        times["segments"].append(seconds)
        started = time.perf_counter()
        # What the old LexicalGeneration.search did: bm25s scores, then the top 40.
        q_tokens = [t for t in tokenize([question])[0] if t in old.vocab_dict]
        scores = old.get_scores(q_tokens) if q_tokens else np.zeros(len(ids), dtype=np.float32)
        top = np.argpartition(-scores, 39)[:40]
        top = top[np.argsort(-scores[top], kind="stable")]
        times["bm25s"].append(time.perf_counter() - started)
        a = [round(h.score, 4) for h in new_hits[:10]]
        b = [round(float(scores[i]), 4) for i in top[:10] if scores[i] > 0]
        differing += a != b
    differing //= rounds
    shutil.rmtree(folder, ignore_errors=True)
    seg, before = _summary(times["segments"]), _summary(times["bm25s"])
    return {
        "chunks": n_chunks,
        "segments": seg,
        "bm25s": before,
        "median_ratio": round(seg["median_ms"] / before["median_ms"], 2),
        "segment_count": len(segments.states),
        "top10_score_lists_differing": differing,
        "questions": len(times["segments"]) // rounds,
        "rounds": rounds,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def _run(name: str, args: argparse.Namespace, folder: Path) -> dict:
    print(f"  {name} ...", flush=True)
    result = run_step(
        "bench.lexical",
        "--step",
        name,
        "--chunks",
        str(args.chunks),
        "--folder",
        str(folder),
        "--queries",
        str(args.queries),
    )
    print(f"    {result}", flush=True)
    return result


def _markdown(r: dict) -> str:
    b, one, many, rem = r["build"], r["add-one"], r["add-many"], r["remove-many"]
    full, q, s = r["rebuild"], r["query"], r["sessions"]

    def row(what: str, inc: dict) -> str:
        ratio = full["seconds"] / inc["seconds"] if inc["seconds"] else float("inf")
        return (
            f"| {what} | {inc['seconds']} s / {inc['peak_rss_mb']:,} MB | "
            f"{full['seconds']} s / {full['peak_rss_mb']:,} MB | {ratio:,.0f}x |"
        )

    lines = [
        f"### Lexical index: {r['chunks']:,} synthetic chunks ({r['when']}, {r['machine']})",
        "",
        "| write | incremental: time / peak RSS | full rebuild: time / peak RSS | speed-up |",
        "|---|---|---|---|",
        row("add one 3-chunk article", one),
        row("add 1,000 articles (10,000 chunks)", many),
        row("remove 1,000 articles", rem),
        "",
        f"Full build of the first {r['chunks']:,} chunks: {b['seconds']} s, peak RSS "
        f"{b['peak_rss_mb']:,} MB, {b['disk_mb']:,} MB on disk ({b['segments']} segments). The "
        f"full-rebuild column is one rebuild of the index after the three writes (its cost does "
        f"not depend on what changed: it is what each write cost before segments).",
        "",
        "| measure | incremental index | rebuilt index |",
        "|---|---|---|",
        f"| BM25 latency, top 40 (median / p95, n={q['questions']}) | "
        f"{q['incremental']['median_ms']} ms / {q['incremental']['p95_ms']} ms "
        f"({q['incremental_segments']} segments) | {q['rebuilt']['median_ms']} ms / "
        f"{q['rebuilt']['p95_ms']} ms ({q['rebuilt_segments']} segments) |",
        f"| questions whose top-10 scores differ | {q['top10_score_lists_differing']} | – |",
        "",
        f"Disk after the full build and 1 small write session: {s['disk_after_1_mb']:,} MB; "
        f"after 100: "
        f"{s['disk_after_100_mb']:,} MB ({s['disk_after_100_mb'] / s['disk_after_1_mb']:.3f}x); "
        f"one-article session median / p95: {s['session']['median_ms']} ms / "
        f"{s['session']['p95_ms']} ms; {s['segments']} segments after them.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one step of it, in this process); returns the exit status."""
    parser = bench_parser("python -m bench.lexical", __doc__, 1_000_000)
    parser.add_argument("--folder", type=Path, help="scratch (default /tmp/newsqa-lexical-N)")
    parser.add_argument("--compare-bm25s", action="store_true", help="query latency vs bm25s")
    parser.add_argument("--rounds", type=int, default=1, help="--compare-bm25s: question rounds")
    parser.add_argument(
        "--step",
        choices=(*STEPS, "latency"),
        help="run one step in this process, on the --folder the earlier steps left (latency: "
        "BM25 latency of the incremental index alone)",
    )
    args = parser.parse_args(argv)
    folder = args.folder or Path(f"/tmp/newsqa-lexical-{args.chunks}")
    if args.compare_bm25s:
        from .retrieval import machine

        result = compare_bm25s(args.chunks, args.queries, folder, args.rounds)
        result["machine"] = machine() + (f"; {args.note}" if args.note else "")
        result["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        stem = RESULTS / f"lexical-bm25s-{args.chunks}"
        stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
        seg, old = result["segments"], result["bm25s"]
        text = (
            f"### BM25 latency, segments vs bm25s: {args.chunks:,} chunks ({result['when']}, "
            f"{result['machine']})\n\n| index | median | p95 |\n|---|---|---|\n"
            f"| segments ({result['segment_count']}), scored at query time | "
            f"{seg['median_ms']} ms | {seg['p95_ms']} ms |\n"
            f"| bm25s precomputed scores (before) | {old['median_ms']} ms | {old['p95_ms']} ms |\n"
            f"\n{result['questions']} questions, {result.get('rounds', 1)} round(s). Median ratio "
            f"segments / bm25s: {result['median_ratio']}. Questions whose top-10 "
            f"scores differ: {result['top10_score_lists_differing']} of {result['questions']}. "
            f"Load average (1 min) at the end: {result['load_average_1min']}.\n"
        )
        stem.with_suffix(".md").write_text(text)
        print(text)
        return 0
    if args.step:
        print(json.dumps(step(args.step, folder, args.chunks, args.queries)))
        return 0
    from .retrieval import machine

    result: dict = {"chunks": args.chunks}
    for name in STEPS:
        result[name] = _run(name, args, folder)
    result["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result["machine"] = machine() + (f"; {args.note}" if args.note else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"lexical-{args.chunks}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    markdown = _markdown(result)
    stem.with_suffix(".md").write_text(markdown)
    print(markdown)
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
