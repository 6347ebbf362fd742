"""Ingestion throughput: ``python -m bench.ingest``.

Side by side in one run, on the same chunk texts (the MultiHop-RAG corpus, 609 articles):

1. raw: the embedder alone (:class:`index.embedding.MiniLMEmbedder`, the batch size and threads
   of the settings) embeds every chunk text ingestion would embed, in one call, in this process
   with the model already loaded: the best the embedder can do here.
2. end to end: ``python -m index add corpus.json`` in a fresh process into an empty data folder,
   timed from start to exit: imports, model load, reading, chunking, embedding, Chroma writes,
   the BM25 build, all of it.
3. raw again on all the texts, to show how much the machine's speed drifted meanwhile (other
   jobs share the CPU); the ratio uses the mean of both raw rates, which bracket the end-to-end
   run in time.

Reported: chunks per second for both, their ratio (the target is >= 0.90), the share of the
end-to-end time spent outside the embedder (from the ingestion's own summary line), and the
unchanged re-add time (the same command again: no embedding).

``--tune`` instead measures the raw embedder for several batch sizes and thread counts on a
sample of the same texts (each setting twice, interleaved, to even out load changes).

Results: ``bench/results/ingest-<label>.json`` and ``.md`` (``ingest-tune.*`` for ``--tune``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
RESULTS = ROOT / "bench" / "results"
_SUMMARY = re.compile(
    r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) failed.*?"
    r"\((\d+) chunks embedded.*?, ([\d.]+) s(?:, ([\d.]+) chunks/s in the embedder)?\)"
)


def chunk_texts(corpus: Path, articles: int | None = None) -> list[str]:
    """The exact texts ingestion sends to the embedder for ``corpus`` (its first ``articles``
    articles when given)."""
    from index.chunking import chunk_article
    from index.embedding import passage_text
    from index.loaders import load_file

    loaded = load_file(corpus).articles[:articles]
    return [passage_text(a.title, c.text) for a in loaded for c in chunk_article(a)]


def raw_rate(texts: list[str], batch_size: int, threads: int) -> tuple[float, float]:
    """(chunks per second, seconds) of the embedder alone on ``texts`` (model load excluded)."""
    from index.embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder(batch_size=batch_size, threads=threads)
    embedder.embed(texts[:batch_size])  # warm-up: first-run allocations
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    return len(texts) / seconds, seconds


def run_add(corpus: Path, data_dir: Path, env: dict[str, str]) -> tuple[float, dict]:
    """Run ``python -m index add`` to the end; returns (wall seconds, parsed summary)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "index", "add", "-q", str(corpus)],
        cwd=ROOT,
        env={**env, "NEWSQA_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"index add failed ({done.returncode}): {done.stderr[-2000:]}")
    match = _SUMMARY.search(done.stdout)
    if not match:
        raise SystemExit(f"no summary line in: {done.stdout!r}")
    added, _updated, unchanged, failed, embedded, seconds, rate = match.groups()
    embed_seconds = int(embedded) / float(rate) if rate else 0.0
    return wall, {
        "added": int(added),
        "unchanged": int(unchanged),
        "failed": int(failed),
        "chunks_embedded": int(embedded),
        "run_seconds": float(seconds),
        "embed_seconds": round(embed_seconds, 1),
        "summary": done.stdout.strip(),
    }


def throughput(args: argparse.Namespace) -> dict:
    """The side-by-side measurement."""
    from index.settings import Settings

    settings = Settings.from_env()
    texts = chunk_texts(args.corpus)
    print(
        f"{len(texts)} chunk texts; batch {settings.embed_batch_size}, "
        f"{settings.embed_threads} threads",
        flush=True,
    )
    raw, raw_seconds = raw_rate(texts, settings.embed_batch_size, settings.embed_threads)
    print(f"raw embedder: {raw:.2f} chunks/s ({raw_seconds:.0f} s)", flush=True)
    data_dir = Path(tempfile.mkdtemp(prefix="newsqa-bench-ingest-"))
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    try:
        wall, summary = run_add(args.corpus, data_dir, env)
        print(
            f"end to end: {summary['chunks_embedded'] / wall:.2f} chunks/s ({wall:.0f} s)",
            flush=True,
        )
        again_wall, again = run_add(args.corpus, data_dir, env)
        print(f"unchanged re-add: {again_wall:.1f} s", flush=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    raw_after, _ = raw_rate(texts, settings.embed_batch_size, settings.embed_threads)
    print(f"raw embedder again: {raw_after:.2f} chunks/s", flush=True)
    e2e = summary["chunks_embedded"] / wall
    reference = statistics.mean([raw, raw_after])
    outside = wall - summary["embed_seconds"]
    return {
        "chunks": len(texts),
        "batch_size": settings.embed_batch_size,
        "threads": settings.embed_threads,
        "ingest_group": settings.ingest_group,
        "raw_chunks_per_s": round(raw, 2),
        "raw_after_chunks_per_s": round(raw_after, 2),
        "end_to_end_chunks_per_s": round(e2e, 2),
        "end_to_end_seconds": round(wall, 1),
        "embedder_seconds_inside_ingestion": summary["embed_seconds"],
        "embedder_chunks_per_s_inside_ingestion": round(
            summary["chunks_embedded"] / summary["embed_seconds"], 2
        ),
        "ratio": round(e2e / reference, 3),
        "ratio_vs_first_raw": round(e2e / raw, 3),
        "share_outside_embedder": round(outside / wall, 3),
        "unchanged_re_add_seconds": round(again_wall, 1),
        "unchanged_re_add_summary": again["summary"],
        "ingest_summary": summary["summary"],
    }


def tune(args: argparse.Namespace) -> dict:
    """Raw embedder speed for several batch sizes and thread counts."""
    texts = random.Random(5).sample(chunk_texts(args.corpus), args.sample)
    settings = [(b, t) for t in (1, 2) for b in (1, 4, 8, 16, 32)]
    rates: dict[str, list[float]] = {f"batch {b}, {t} threads": [] for b, t in settings}
    for round_ in range(2):
        for b, t in settings if round_ == 0 else reversed(settings):
            rate, _ = raw_rate(texts, b, t)
            rates[f"batch {b}, {t} threads"].append(rate)
            print(f"batch {b:>2}, {t} threads: {rate:.2f} chunks/s", flush=True)
    return {
        "sample": len(texts),
        "chunks_per_s": {k: round(statistics.mean(v), 2) for k, v in rates.items()},
        "runs": {k: [round(x, 2) for x in v] for k, v in rates.items()},
    }


def _markdown(result: dict) -> str:
    head = f"### Ingestion throughput ({result['when']}, {result['machine']})\n\n"
    if "chunks_per_s" in result:
        rows = "\n".join(f"| {k} | {v} |" for k, v in result["chunks_per_s"].items())
        return (
            head
            + f"Raw embedder, {result['sample']} chunk texts of the corpus, mean of two runs.\n\n"
            "| setting | chunks/s |\n|---|---|\n" + rows + "\n"
        )
    r = result
    return head + (
        f"{r['chunks']} chunks of the 609-article corpus; batch {r['batch_size']}, "
        f"{r['threads']} threads, "
        f"groups of {r['ingest_group']} chunks.\n\n"
        "| measure | value |\n|---|---|\n"
        f"| raw embedder, all chunks | {r['raw_chunks_per_s']} chunks/s |\n"
        f"| raw embedder again, after | {r['raw_after_chunks_per_s']} chunks/s |\n"
        f"| end-to-end `python -m index add` (wall, start to exit) "
        f"| {r['end_to_end_chunks_per_s']} chunks/s "
        f"({r['end_to_end_seconds']} s) |\n"
        f"| ratio end-to-end / raw (mean of both raw runs) | **{r['ratio']}** (vs first raw run: "
        f"{r['ratio_vs_first_raw']}) |\n"
        f"| time inside the embedder during ingestion | {r['embedder_seconds_inside_ingestion']} s "
        f"({r['embedder_chunks_per_s_inside_ingestion']} chunks/s) |\n"
        f"| share of end-to-end time outside the embedder "
        f"| {r['share_outside_embedder'] * 100:.1f} % |\n"
        f"| unchanged re-add of the corpus (no embedding) | {r['unchanged_re_add_seconds']} s |\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--tune", action="store_true", help="compare batch sizes and thread counts instead"
    )
    parser.add_argument("--sample", type=int, default=160, help="texts per setting with --tune")
    parser.add_argument("--label", default="minilm", help="names the result files")
    parser.add_argument("--machine", default=f"{os.cpu_count()} CPU cores, {platform.machine()}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = tune(args) if args.tune else throughput(args)
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": args.machine,
        **result,
    }
    name = "ingest-tune" if args.tune else f"ingest-{args.label}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(_markdown(result))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
