"""Scale benchmark: ``python -m bench.scale --chunks 100000``.

Loads N synthetic chunks into a fresh index through the real write path
(:meth:`index.store.Store.put_articles` in write sessions, the BM25 side built and saved by the
commit hook), then, in a fresh process as an app would start, measures:

* insert rate (chunks/s into Chroma) and the BM25 build time, separately;
* disk size of the Chroma folder and of the saved BM25 index;
* peak memory (RSS) of the loading process and of the app-like process;
* app start-up: open the index (embedding model included) and answer a first hybrid query, with
  the BM25 side loaded from disk, not rebuilt (checked); then the app retriever's warm-up and
  first question; and, in one more process, the real web app (``python app.py``) from process
  start to its first page served;
* query latency (median and p95 over the questions) for dense search, BM25 search and hybrid
  retrieval (embed the question, dense top 40 + BM25 top 40, reciprocal-rank fusion, fetch the
  top 10 passages), and for the app's own retriever (:class:`qa.Answerer.retrieve`).

Synthetic chunks, so the embedder is not the bottleneck: texts are ~1,200-character windows of
the MultiHop-RAG article bodies (real vocabulary and lengths), ten chunks per synthetic article,
with outlets and 2023 dates drawn from the corpus; vectors are random unit vectors (seeded).
Queries are the first questions of ``queries-dev.json`` (used only as realistic query text).

Results: ``bench/results/scale-<N>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "eval" / "multihop-rag"
RESULTS = ROOT / "bench" / "results"
CHUNKS_PER_ARTICLE = 10
DIM = 384


def _rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _du_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total / 1e6


def synthetic_articles(n_chunks: int, seed: int = 1):
    """Yield (Article, chunks, vectors) for ``n_chunks`` synthetic chunks, ten per article."""
    from index.article import Article
    from index.chunking import Chunk, article_key

    records = json.loads((DATASET / "corpus.json").read_text())
    rng = random.Random(seed)
    vectors_rng = np.random.default_rng(seed)
    start_day = date(2023, 1, 1)
    n_articles = (n_chunks + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE
    made = 0
    for a in range(n_articles):
        record = rng.choice(records)
        body = record["body"]
        count = min(CHUNKS_PER_ARTICLE, n_chunks - made)
        pieces = []
        for _ in range(count):
            at = rng.randrange(max(1, len(body) - 1200))
            window = body[at : at + 1200]
            pieces.append(window[window.find(" ") + 1 : window.rfind(" ")].strip() or window)
        text = "\n\n".join(pieces)
        article_id = f"https://synthetic.example/{a}"
        article = Article(
            id=article_id,
            title=f"{record['title']} ({a})",
            text=text,
            source=record["source"],
            published=start_day + timedelta(days=rng.randrange(365)),
            url=article_id,
        )
        key = article_key(article_id)
        chunks, pos = [], 0
        for i, piece in enumerate(pieces):
            chunks.append(
                Chunk(
                    id=f"{key}-{i:04d}",
                    article_id=article_id,
                    index=i,
                    start=pos,
                    end=pos + len(piece),
                    text=piece,
                    tokens=0,
                )
            )
            pos += len(piece) + 2
        vectors = vectors_rng.standard_normal((count, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        made += count
        yield article, chunks, vectors


class _Model:
    """Stands in for the embedder while loading (vectors are precomputed): only its id is used."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.dim = DIM


def load(data_dir: Path, n_chunks: int, group_chunks: int = 2048) -> dict:
    """Insert ``n_chunks`` synthetic chunks into a fresh index at ``data_dir`` (no BM25 yet).

    Articles go in through :meth:`index.store.Store.put_articles` in groups of about
    ``group_chunks`` chunks (a bulk load; ``index add`` uses ``NEWSQA_INGEST_GROUP``).
    """
    from index import Settings, open_index
    from index.embedding import MINILM_ID

    shutil.rmtree(data_dir, ignore_errors=True)
    index = open_index(Settings(data_dir=data_dir), embedder=_Model(MINILM_ID))
    store = index.store
    # The BM25 side is built by its own step below (timed and measured apart from the inserts),
    # exactly as the writer's commit hook would build it.
    store.remove_commit_hook(index.lexical.prepare)
    started = time.perf_counter()
    inserted, group, last_report = 0, [], started
    with store.writing():
        for item in synthetic_articles(n_chunks):
            group.append(item)
            if sum(len(c) for _, c, _ in group) >= group_chunks:
                store.put_articles(group)
                inserted += sum(len(c) for _, c, _ in group)
                group = []
                if time.perf_counter() - last_report > 60:
                    rate = inserted / (time.perf_counter() - started)
                    print(f"  {inserted:,} chunks, {rate:,.0f} chunks/s", flush=True)
                    last_report = time.perf_counter()
        if group:
            store.put_articles(group)
            inserted += sum(len(c) for _, c, _ in group)
    insert_seconds = time.perf_counter() - started
    return {
        "chunks": store.count_chunks(),
        "articles": store.count_articles(),
        "insert_seconds": round(insert_seconds, 1),
        "insert_chunks_per_s": round(inserted / insert_seconds, 1),
        "insert_group_chunks": group_chunks,
        "load_peak_rss_mb": round(_rss_peak_mb()),
        "chroma_disk_mb": round(_du_mb(data_dir / "chroma"), 1),
    }


def build_lexical(data_dir: Path) -> dict:
    """Build and save the BM25 side for the store's generation, as a writer does at commit."""
    from index import Settings, open_index
    from index.embedding import MINILM_ID

    index = open_index(Settings(data_dir=data_dir), embedder=_Model(MINILM_ID))
    index.lexical.prepare(index.store.generation())
    return {
        "bm25_build_seconds": round(index.lexical.build_seconds, 1),
        "bm25_peak_rss_mb": round(_rss_peak_mb()),
        "bm25_disk_mb": round(_du_mb(data_dir / "bm25"), 1),
    }


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 1),
        "n": len(ordered),
    }


def probe(data_dir: Path, n_queries: int) -> dict:
    """What an app process sees: start-up, then query latencies (run in a fresh process)."""
    t0 = time.perf_counter()
    from index import Settings, open_index
    from qa import Answerer

    questions = [
        q["query"] for q in json.loads((DATASET / "queries-dev.json").read_text())[: n_queries + 1]
    ]
    started = time.perf_counter()
    index = open_index(Settings(data_dir=data_dir))
    opened = time.perf_counter() - started
    t = time.perf_counter()
    index.lexical.ensure_current()
    bm25_load = time.perf_counter() - t
    t = time.perf_counter()
    index.store.dense_query(index.embedder.embed([questions[0]])[0], 10)
    first_dense = time.perf_counter() - t
    first = _hybrid(index, questions[0])
    startup = time.perf_counter() - started
    origin = index.lexical.origin
    answerer = Answerer(index)
    # What app.py does before serving: load the search structures, the article catalogue and
    # the parser.
    t = time.perf_counter()
    answerer.warm()
    app_warm = time.perf_counter() - t
    t = time.perf_counter()
    answerer.retrieve(questions[0], k=10)
    app_first = time.perf_counter() - t

    dense, lexical, hybrid, embed, app = [], [], [], [], []
    for question in questions[1:]:
        # The bare steps search the question's words as they are, each time: none keeps its
        # scores for the next (nor for the app's retriever, which keeps its own).
        with _no_scores_kept():
            t = time.perf_counter()
            vector = index.embedder.embed([question])[0]
            embed.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.store.dense_query(vector, 40)
            dense.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.lexical.search(question, 40)
            lexical.append(time.perf_counter() - t)
            t = time.perf_counter()
            _hybrid(index, question)
            hybrid.append(time.perf_counter() - t)
        t = time.perf_counter()
        answerer.retrieve(question, k=10)
        app.append(time.perf_counter() - t)
    return {
        "import_seconds": round(started - t0, 2),
        "open_seconds": round(opened, 2),
        "bm25_load_seconds": round(bm25_load, 2),
        "first_dense_query_seconds": round(first_dense, 2),
        "startup_seconds": round(startup, 2),
        "bm25_origin": origin,
        "first_query_passages": len(first),
        "app_warm_seconds": round(app_warm, 2),
        "app_first_retrieve_seconds": round(app_first, 2),
        "embed_question": _summary(embed),
        "dense": _summary(dense),
        "bm25": _summary(lexical),
        "hybrid": _summary(hybrid),
        "app_retrieve": _summary(app),
        "app_peak_rss_mb": round(_rss_peak_mb()),
    }


def serve(data_dir: Path, timeout: float = 600.0) -> dict:
    """Start the real web app (``python app.py``) on the index and time its first page.

    Returns:
        Seconds from process start until ``/`` answers, and the process's peak memory.
    """
    from .ui_latency import start_app

    log = data_dir.parent / "serve.log"
    started = time.perf_counter()
    app, _ = start_app(data_dir, log, timeout)
    served = time.perf_counter() - started
    try:
        with open(f"/proc/{app.pid}/status") as status:
            peak = next((int(line.split()[1]) for line in status if line.startswith("VmHWM")), 0)
    finally:
        app.terminate()
        app.wait(timeout=60)
    return {"serve_seconds": round(served, 2), "serve_peak_rss_mb": round(peak / 1024)}


@contextmanager
def _no_scores_kept() -> Iterator[None]:
    """BM25 keeps no score arrays inside the block (restored after it, whatever happens)."""
    from index import bm25

    kept = bm25.SCORES_KEPT
    bm25.SCORES_KEPT = 0
    try:
        yield
    finally:
        bm25.SCORES_KEPT = kept


def _hybrid(index, question: str, k: int = 10, candidates: int = 40) -> list:
    """Embed, dense + BM25, reciprocal-rank fusion, fetch the top ``k`` chunks."""
    vector = index.embedder.embed([question])[0]
    fused: dict[str, float] = {}
    dense = [h.chunk.id for h in index.store.dense_query(vector, candidates)]
    lexical = [h.chunk_id for h in index.lexical.search(question, candidates)]
    for ranked in (dense, lexical):
        for rank, chunk_id in enumerate(ranked):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (60 + rank + 1)
    top = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
    return index.store.get_chunks(top)


def run_step(module: str, *args: str) -> dict:
    """Run ``python -m <module> <args>`` in a fresh process and return its result.

    A fresh process per step, so that each peak memory figure is that step's own. The step
    prints its result as JSON on its last line of output.

    Raises:
        SystemExit: the step failed (with the end of its error output).
    """
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_parser(prog: str, doc: str, chunks: int) -> argparse.ArgumentParser:
    """The options the step-running benchmarks share: ``--chunks``, ``--queries``, ``--note``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=chunks)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--note", default="", help="words added to the machine description")
    return parser


def _step(flag: str, args: argparse.Namespace, data_dir: Path) -> dict:
    """Run one step of this benchmark in a fresh process and return its JSON result."""
    return run_step(
        "bench.scale",
        flag,
        "--chunks",
        str(args.chunks),
        "--data-dir",
        str(data_dir),
        "--queries",
        str(args.queries),
    )


def _markdown(result: dict) -> str:
    load_, probe_ = result["load"], result["probe"]
    rows = [
        ("chunks (articles)", f"{load_['chunks']:,} ({load_['articles']:,})"),
        (
            "insert into Chroma",
            f"{load_['insert_seconds']:,} s, {load_['insert_chunks_per_s']:,} chunks/s "
            f"(groups of {load_.get('insert_group_chunks', 256):,} chunks)",
        ),
        ("BM25 build (once, by the writer)", f"{load_['bm25_build_seconds']} s"),
        ("disk: Chroma / BM25", f"{load_['chroma_disk_mb']:,} MB / {load_['bm25_disk_mb']:,} MB"),
        (
            "peak RSS: loader / BM25 build / app",
            f"{load_['load_peak_rss_mb']:,} MB / {load_['bm25_peak_rss_mb']:,} MB "
            f"/ {probe_['app_peak_rss_mb']:,} MB",
        ),
        (
            "app start-up: open index + model + first hybrid query",
            f"{probe_['startup_seconds']} s (BM25 {probe_['bm25_origin']}; "
            f"imports {probe_['import_seconds']} s more)",
        ),
        (
            "  of which: open store + load model / load BM25 / first dense query",
            f"{probe_['open_seconds']} s / {probe_['bm25_load_seconds']} s "
            f"/ {probe_['first_dense_query_seconds']} s",
        ),
        (
            "app's retriever: warm-up (BM25, article catalogue), then first question",
            f"{probe_.get('app_warm_seconds', '–')} s, "
            f"then {probe_['app_first_retrieve_seconds']} s",
        ),
        (
            "web app (`python app.py`): process start to first page served / its peak RSS",
            f"{probe_.get('serve_seconds', '–')} s / {probe_.get('serve_peak_rss_mb', '–')} MB",
        ),
    ]
    for name in ("embed_question", "dense", "bm25", "hybrid", "app_retrieve"):
        s = probe_[name]
        rows.append(
            (
                f"latency {name.replace('_', ' ')} (median / p95, n={s['n']})",
                f"{s['median_ms']} ms / {s['p95_ms']} ms",
            )
        )
    lines = [
        f"### Scale: {load_['chunks']:,} chunks ({result['when']}, {result['machine']})",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument(
        "--data-dir", type=Path, help="scratch folder (default /tmp/newsqa-scale-N)"
    )
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument(
        "--group", type=int, default=2048, help="chunks per put_articles call while loading"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="skip loading; use the folder a --load-only run filled"
    )
    parser.add_argument(
        "--load-only", action="store_true", help="only load (finish later with --reuse)"
    )
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build-lexical", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--machine", default=f"{os.cpu_count()} CPU cores, {platform.machine()}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(f"/tmp/newsqa-scale-{args.chunks}")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.probe:
        print(json.dumps(probe(data_dir, args.queries)))
        return 0
    if args.build_lexical:
        print(json.dumps(build_lexical(data_dir)))
        return 0
    if args.serve:
        print(json.dumps(serve(data_dir)))
        return 0
    result_path = args.out / f"scale-{args.chunks}.json"
    if args.reuse:
        loaded = json.loads(result_path.read_text())["load"]
    else:
        print(f"loading {args.chunks:,} synthetic chunks into {data_dir}", flush=True)
        loaded = load(data_dir, args.chunks, args.group)
        print(json.dumps(loaded), flush=True)
        if args.load_only:
            args.out.mkdir(parents=True, exist_ok=True)
            result_path.write_text(json.dumps({"load": loaded}, indent=2) + "\n")
            return 0
    # Each step in a fresh process, so each peak memory figure is its own.
    loaded.update(_step("--build-lexical", args, data_dir))
    print(json.dumps(loaded), flush=True)
    probed = _step("--probe", args, data_dir)
    probed.update(_step("--serve", args, data_dir))
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": args.machine,
        "load": loaded,
        "probe": probed,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=2) + "\n")
    result_path.with_suffix(".md").write_text(_markdown(result))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
