"""Crash safety: ``python -m index add`` killed at any moment, then run again, ends equal to a
clean build (same chunk ids and count, no duplicate, no orphan, BM25 in step with Chroma)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import Settings, open_index
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder
from tests.fixtures.kills import Run, kill_repeatedly
from tests.fixtures.news import LONG, editions, news_records, write_feed
from tests.fixtures.storecheck import assert_same_content, check_consistent, snapshot

#: Small groups (about two articles of the test news corpus each), so a killed run has committed
#: some groups and not others.
GROUP = 4


def _env(data: Path, group: int = GROUP) -> dict[str, str]:
    return {
        **os.environ,
        "NEWSQA_DATA_DIR": str(data),
        "NEWSQA_INGEST_GROUP": str(group),
        "ANONYMIZED_TELEMETRY": "False",
    }


def count_embedded_articles(data: Path) -> int:
    """Committed articles of the embedded store under ``data``, read by a throwaway client."""
    import chromadb

    from index.store import forget_cached_system, opening_lock

    path = str(data / "chroma")
    if not (data / "chroma").exists():
        return 0
    # The index process may be creating the files right now (the first kill is placed by
    # polling this count while it runs).
    with opening_lock(data):
        forget_cached_system(path)
        client = chromadb.PersistentClient(path=path)
    try:
        names = {c.name for c in client.list_collections()}
        return client.get_collection("newsqa_articles").count() if "newsqa_articles" in names else 0
    finally:
        forget_cached_system(path)


def _kill_repeatedly(
    args: list[str],
    data: Path,
    rng: random.Random,
    kills: int,
    seconds: float,
    total: int,
    group: int = GROUP,
    progress_kill: bool = True,
) -> list[Run]:
    return kill_repeatedly(
        args,
        _env(data, group),
        lambda: count_embedded_articles(data),
        rng,
        kills,
        seconds,
        total,
        progress_kill,
    )


def _clean_build(path: Path, data: Path, embedder, group: int = GROUP):
    index = open_index(Settings(data_dir=data, ingest_group=group), embedder=embedder)
    started = time.perf_counter()
    report = index.add([path])
    assert report.clean, report.errors
    return index, time.perf_counter() - started


def _killed_index(data: Path, embedder, group: int = GROUP):
    return open_index(Settings(data_dir=data, ingest_group=group), embedder=embedder)


def test_killed_ingestion_ends_equal_to_a_clean_build(tmp_path, real_embedder):
    records = news_records()
    # The whole test corpus but two stories (34 articles, 83 chunks); the second round adds them.
    first, extra = records[:30] + records[LONG:], records[30:LONG]
    source = write_feed(tmp_path / "slice.json", first)
    seed = int(os.environ.get("NEWSQA_TEST_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)

    clean, seconds = _clean_build(source, tmp_path / "clean", real_embedder)
    runs = _kill_repeatedly(
        ["add", "-q", str(source)],
        tmp_path / "killed",
        rng,
        kills=4,
        seconds=seconds,
        total=len(first),
    )

    context = f"seed {seed}, clean build {seconds:.1f} s, runs {runs}"
    assert any(r.killed_midway and 0 < r.articles_after < len(first) for r in runs), (
        f"no kill landed mid-way: {context}"
    )
    killed = _killed_index(tmp_path / "killed", real_embedder)
    got = snapshot(killed)
    check_consistent(killed, got)
    assert_same_content(got, snapshot(clean))

    # Second round: some articles changed, some dropped from the file, some new; --prune.
    changed = [
        dict(r, body=r["body"] + "\n\nThis article was updated with a correction.")
        for r in first[:3]
    ]
    second = changed + first[3:10] + extra
    write_feed(source, second)
    runs = _kill_repeatedly(
        ["add", "-q", "--prune", str(source)],
        tmp_path / "killed",
        rng,
        kills=2,
        seconds=seconds * 5 / len(first),
        total=len(second),
        progress_kill=False,  # the index already holds most of them: kill by the clock
    )
    reference, _ = _clean_build(source, tmp_path / "clean2", real_embedder)
    killed = _killed_index(tmp_path / "killed", real_embedder)
    got = snapshot(killed)
    check_consistent(killed, got)
    assert_same_content(got, snapshot(reference))
    assert killed.lexical.search("updated with a correction", 3)[0].chunk_id in got.chunks
    assert killed.lexical.origin == "loaded", (
        "the BM25 side was rebuilt at start-up instead of loaded"
    )


@pytest.mark.slow
def test_killed_ingestion_of_a_612_article_feed_ends_complete(tmp_path, real_embedder):
    """Seventeen editions of the test news corpus (612 articles, about 1,500 chunks, every one
    embedded), killed five times. The reference is a clean build of the same file with a fast
    embedder: chunk ids, texts, metadata, article records and the BM25 side do not depend on the
    embedding model; the vectors are checked on a sample re-embedded here."""
    seed = int(os.environ.get("NEWSQA_TEST_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    records = editions(news_records(), 17)
    feed = write_feed(tmp_path / "feed.json", records)
    data = tmp_path / "killed"
    # How long a clean build would take here: the chunk count times the embedder's pace now.
    from index.chunking import chunk_article
    from index.loaders import load_file

    articles = load_file(feed).articles
    chunks = [c.text for a in articles for c in chunk_article(a)]
    started = time.perf_counter()
    real_embedder.embed(chunks[:48])
    seconds = len(chunks) * (time.perf_counter() - started) / 48
    # Groups of 64 chunks: the run commits about two dozen of them.
    runs = _kill_repeatedly(
        ["add", "-q", str(feed)],
        data,
        rng,
        kills=5,
        seconds=0.8 * seconds,
        total=len(records),
        group=64,
    )
    context = f"seed {seed}, estimate {seconds:.0f} s, runs {runs}"
    assert runs[-1].articles_after == len(records), context
    assert sum(r.killed_midway and 0 < r.articles_after < len(records) for r in runs) >= 2, context

    killed = open_index(Settings(data_dir=data), embedder=real_embedder)
    got = snapshot(killed)
    check_consistent(killed, got, dense_samples=100)
    fast = FakeEmbedder()
    reference = open_index(Settings(data_dir=tmp_path / "reference"), embedder=fast)
    assert reference.add([feed]).clean
    want = snapshot(reference)
    assert_same_content(got, want, vectors=False)
    sample = random.Random(seed).sample(sorted(got.chunks), 150)
    from index.embedding import passage_text

    fresh = real_embedder.embed(
        [passage_text(got.chunks[c][1]["title"], got.chunks[c][0]) for c in sample]
    )
    for chunk_id, vector in zip(sample, fresh):
        assert float(vector @ got.vectors[chunk_id]) > 0.999, chunk_id
    # Every chunk's BM25 score, not only a top 10: the editions tie with each other, and chunks
    # committed in another order may break the ties another way.
    for query in (
        "Carran Valley dam piezometer readings",
        "Brightlake Software data breach customers",
        "Marlow Rovers cup final",
    ):
        scores = {h.chunk_id: h.score for h in killed.lexical.search(query, len(got.chunks))}
        want_scores = {
            h.chunk_id: h.score for h in reference.lexical.search(query, len(want.chunks))
        }
        assert len(scores) >= 17 and scores.keys() == want_scores.keys(), query
        assert scores == pytest.approx(want_scores, rel=1e-5), query


# Crash at every write step: a child process ingests and dies (os._exit, no clean-up) right
# before its k-th write call to Chroma or the BM25 folder, for every k; the next run completes.
_CRASH_CHILD = r"""
import os, sys
from pathlib import Path
import chromadb.api.models.Collection as C
import index.lexical as L
from index import Settings, open_index
from tests.fakes import FakeEmbedder

target, counter = int(sys.argv[1]), [0]
def step(name):
    counter[0] += 1
    if counter[0] == target:
        sys.stdout.write(name); sys.stdout.flush(); os._exit(9)
def wrap(cls, name):
    original = getattr(cls, name)
    def wrapped(self, *a, **k):
        step(name)
        return original(self, *a, **k)
    setattr(cls, name, wrapped)
for name in ("upsert", "add", "delete", "modify"):
    wrap(C.Collection, name)
wrap(L.LexicalIndex, "_save")
index = open_index(Settings(data_dir=Path(sys.argv[2]), ingest_group=4), embedder=FakeEmbedder())
report = index.add([Path(p) for p in sys.argv[3:]], prune=True)
step("end")
sys.stdout.write("done")
"""


def _articles(version: int, keys: range) -> list[dict]:
    return [
        {
            "title": f"Story {k}",
            "url": f"https://wire.example/{k}",
            "body": f"Version {version} of story {k}. "
            + "The port authority reported record traffic. " * (40 + k),
        }
        for k in keys
    ]


def test_crash_before_any_write_step_recovers(tmp_path):
    v1 = _articles(1, range(6))
    # Two articles changed, one dropped from the file, one new.
    v2 = _articles(2, range(2)) + v1[2:5] + _articles(1, range(7, 8))
    source = tmp_path / "feed.json"

    def build(data: Path, version: list[dict]):
        source.write_text(json.dumps(version))
        index = open_index(Settings(data_dir=data, ingest_group=4), embedder=FakeEmbedder())
        assert index.add([source], prune=True).clean
        return index

    build(tmp_path / "ref", v1)
    want = snapshot(build(tmp_path / "ref", v2))
    crash_points = []
    for k in range(1, 60):
        data = tmp_path / f"crash{k}"
        build(data, v1)
        source.write_text(json.dumps(v2))
        child = subprocess.run(
            [sys.executable, "-c", _CRASH_CHILD, str(k), str(data), str(source)],
            cwd=ROOT,
            env=_env(data, 4),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if child.stdout.endswith("done"):
            break
        assert child.returncode == 9, child.stderr
        crash_points.append(child.stdout)
        # The same command again, in this process (whose view of the store predates the crash).
        recovered = build(data, v2)
        got = snapshot(recovered)
        check_consistent(recovered, got, dense_samples=5)
        assert_same_content(got, want, vectors=False)
    else:
        pytest.fail("the child never finished")
    # Every kind of write was interrupted at least once, and the run after the last write too.
    assert {"delete", "upsert", "modify", "_save", "end"} <= set(crash_points), crash_points
