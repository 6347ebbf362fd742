"""Where a record's text costs least to store: ``python -m bench.store_texts``.

Chroma indexes every record's document for full-text search (a trigram index), which newsqa
never queries. This writes the same records three ways into fresh embedded Chroma collections,
side by side, a round each in turn: the text as the document (newsqa before), the text as a
metadata field (newsqa now, :data:`index.store.records.TEXT_FIELD`), and no text at all (the
floor). Records are the MultiHop-RAG corpus's real chunk texts with random unit vectors, written
in batches of 256 with ``upsert`` as ingestion does. Reported: median seconds per 1,000 records
over the rounds, and the disk each layout takes. Results: ``bench/results/store-texts.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .ingest import chunk_texts
from .scale import DATASET, RESULTS

LAYOUTS = ("document", "metadata", "none")
BATCH = 256


def _write(texts: list[str], vectors: np.ndarray, layout: str, folder: Path) -> float:
    """Seconds to upsert every record in ``layout`` into a new collection under ``folder``."""
    import chromadb

    client = chromadb.PersistentClient(str(folder))
    collection = client.create_collection("texts")
    started = time.perf_counter()
    for b in range(0, len(texts), BATCH):
        part = texts[b : b + BATCH]
        metas = [
            {"article_id": f"a{(b + i) // 3}", "start": 0, "end": len(t)}
            for i, t in enumerate(part)
        ]
        if layout == "metadata":
            for meta, text in zip(metas, part):
                meta["text"] = text
        collection.upsert(
            ids=[f"c{b + i}" for i in range(len(part))],
            embeddings=vectors[b : b + len(part)],
            documents=part if layout == "document" else None,
            metadatas=metas,
        )
    return time.perf_counter() - started


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    texts = chunk_texts(DATASET / "corpus.json")[: args.records]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    seconds: dict[str, list[float]] = {layout: [] for layout in LAYOUTS}
    disk: dict[str, float] = {}
    for _ in range(args.rounds):
        for layout in LAYOUTS:
            folder = Path(tempfile.mkdtemp(prefix="newsqa-texts-"))
            try:
                seconds[layout].append(_write(texts, vectors, layout, folder))
                disk[layout] = _disk_mb(folder)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    per_k = {layout: statistics.median(s) / len(texts) * 1000 for layout, s in seconds.items()}
    lines = [
        f"### Storing {len(texts):,} chunk records three ways ({datetime.now(UTC):%Y-%m-%d %H:%M}"
        f" UTC, {os.cpu_count()} CPU cores, {platform.machine()})",
        "",
        f"`python -m bench.store_texts --records {args.records} --rounds {args.rounds}`; "
        "median of the rounds, run side by side.",
        "",
        "| text stored as | s per 1,000 records | vs no text | disk (MB) |",
        "|---|---:|---:|---:|",
    ]
    for layout in LAYOUTS:
        lines.append(
            f"| {layout} | {per_k[layout]:.3f} | {per_k[layout] / per_k['none']:.2f}x "
            f"| {disk[layout]:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "store-texts.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
