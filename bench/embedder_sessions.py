"""Embedder sessions: one session splitting each batch over N threads, or N one-thread sessions.

    python -m bench.embedder_sessions [--articles 150] [--rounds 3] [--loads 0,0.3,0.6]

Embeds the chunk texts of the first ``--articles`` MultiHop-RAG articles (the texts ingestion
sends to the embedder) with both layouts, taking turns round by round, first on an otherwise
idle machine and then while another process keeps a share of one core busy (``--loads``: 0.3
is a busy loop running 3 ms of every 10 ms). That second process stands for what shares the
machine with the embedder in real use: the ingestion's own chunking, story grouping and store
writes, or other users' questions. Reports the median chunks per second of each layout under
each load and the ratio to the same layout's idle figure. Results:
``bench/results/embedder-sessions.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import queue
import statistics
import sys
import time

from bench.ingest import CORPUS, RESULTS, chunk_texts


def _busy(share: float, stop) -> None:
    """Keep ``share`` of one core busy until ``stop`` is set (10 ms periods)."""
    while not stop.is_set():
        start = time.perf_counter()
        while time.perf_counter() - start < 0.01 * share:
            pass
        time.sleep(0.01 * (1 - share) + 1e-6)


def split_embedder(batch_size: int, threads: int):
    """The earlier layout: one onnxruntime session running each batch on ``threads`` threads."""
    import onnxruntime as ort

    from index.embedding import MiniLMEmbedder, minilm_files

    embedder = MiniLMEmbedder(batch_size=batch_size, threads=1)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(
        str(minilm_files()[0]), sess_options=options, providers=["CPUExecutionProvider"]
    )
    embedder._sessions = queue.SimpleQueue()
    embedder._sessions.put(session)
    return embedder


def measure(texts: list[str], loads: list[float], rounds: int, threads: int) -> dict:
    """Chunks/s of each layout under each load, ``rounds`` turns each."""
    from index.embedding import MiniLMEmbedder

    layouts = {
        f"one session, {threads} threads per batch": split_embedder(8, threads),
        f"{threads} sessions of one thread": MiniLMEmbedder(batch_size=8, threads=threads),
    }
    for embedder in layouts.values():
        embedder.embed(texts[:16])  # first-run allocations
    rates: dict[str, dict[str, list[float]]] = {name: {} for name in layouts}
    for load in loads:
        stop = mp.Event()
        other = mp.Process(target=_busy, args=(load, stop), daemon=True) if load else None
        if other:
            other.start()
        try:
            for _ in range(rounds):
                for name, embedder in layouts.items():
                    started = time.perf_counter()
                    embedder.embed(texts)
                    rate = len(texts) / (time.perf_counter() - started)
                    rates[name].setdefault(str(load), []).append(round(rate, 2))
                    print(f"load {load}: {name}: {rate:.1f} chunks/s", flush=True)
        finally:
            stop.set()
            if other:
                other.join()
    return {"texts": len(texts), "threads": threads, "rounds": rounds, "rates": rates}


def markdown(result: dict) -> str:
    """The table of medians and each layout's share of its idle rate."""
    loads = list(next(iter(result["rates"].values())))
    lines = [
        f"Embedder layouts, {result['texts']} MultiHop-RAG chunk texts, median of "
        f"{result['rounds']} rounds taken in turns (chunks/s; in brackets, the share of the "
        "same layout's idle rate).",
        "",
        "| layout | " + " | ".join(f"other process {float(x):.0%} of a core" for x in loads) + " |",
        "|---|" + "---:|" * len(loads),
    ]
    for name, by_load in result["rates"].items():
        idle = statistics.median(by_load[loads[0]])
        cells = []
        for load in loads:
            rate = statistics.median(by_load[load])
            cells.append(f"{rate:.1f} ({rate / idle:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loads", default="0,0.3,0.6")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    loads = [float(x) for x in args.loads.split(",")]
    if loads[0] != 0:
        loads.insert(0, 0.0)
    if not CORPUS.is_file():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    result = measure(chunk_texts(CORPUS, args.articles), loads, args.rounds, args.threads)
    table = markdown(result)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "embedder-sessions.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "embedder-sessions.md").write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
