"""Chunks dense search cannot reach (chroma-core/chroma#7758's symptom): ``Store.check_reach``
finds them, its repair makes them reachable again, crash recovery checks the articles the
interrupted session touched, and ``python -m index check`` reports and repairs.

Real Chroma on disk throughout. The store is 1,200 one-chunk articles embedded near one common
direction (:class:`tests.fixtures.hnsw.ConcentratedEmbedder`): Chroma's graph leaves a few of
them unreachable on its own (4 to 9 per build here). Where a test needs a chosen chunk to be
unreachable, it cuts that chunk's node out of the saved graph (:func:`tests.fixtures.hnsw.isolate`,
a documented simulation).
"""

from __future__ import annotations

import gc
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import Settings, open_index
from index.article import Article
from index.check import check_index, compare_lexical
from index.store import reach
from tests.conftest import ROOT
from tests.fixtures.hnsw import ConcentratedEmbedder, isolate

ARTICLES = 1200


def _articles() -> list[Article]:
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(3000)]
    return [
        Article(
            id=f"story-{i:04d}",
            title=f"Story {i}",
            text=" ".join(rng.choice(words) for _ in range(40)) + ".",
            source="Wire",
        )
        for i in range(ARTICLES)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A data folder holding the 1,200-article store (built once, copied by each test)."""
    data = tmp_path_factory.mktemp("reach") / "data"
    index = open_index(Settings(data_dir=data), embedder=ConcentratedEmbedder())
    report = index.add_articles(_articles())
    assert report.clean, report.errors
    del index
    gc.collect()
    return data


@pytest.fixture
def data(built, tmp_path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    return copy


def _open(data: Path):
    return open_index(Settings(data_dir=data), embedder=ConcentratedEmbedder())


def _vector(index, chunk_id: str) -> np.ndarray:
    got = index.store.chroma.chunks.get(ids=[chunk_id], include=["embeddings"])
    return np.asarray(got["embeddings"][0], dtype=np.float32)


def _found(index, chunk_id: str, n: int = 100) -> bool:
    """Whether the store's own dense search returns the chunk for its own vector."""
    return chunk_id in [h.chunk.id for h in index.store.dense_query(_vector(index, chunk_id), n)]


def _isolate_some(data: Path, count: int, skip: set[str]) -> list[str]:
    """Cut ``count`` reachable chunks (of the first, saved articles) out of the saved graph,
    each checked unreachable afterwards (a node also on an upper level may not be)."""
    index = _open(data)
    candidates = [
        (c.id, _vector(index, c.id))
        for c in index.store.chunks_of([f"story-{i:04d}" for i in range(0, 200, 7)])
        if c.id not in skip
    ]
    cut: list[str] = []
    for chunk_id, vector in candidates:
        del index
        gc.collect()
        try:
            isolate(data / "chroma", vector)
        except LookupError:  # the entry point: take another
            index = _open(data)
            continue
        index = _open(data)
        if not _found(index, chunk_id):
            cut.append(chunk_id)
            if len(cut) == count:
                return cut
    raise AssertionError(f"could only cut {len(cut)} of {count} nodes")


def test_check_finds_unreachable_chunks_and_repair_makes_them_reachable(data):
    index = _open(data)
    report = index.store.check_reach()
    assert report.checked == ARTICLES and report.articles == ARTICLES
    assert report.unreachable, "Chroma linked every vector this time: nothing to repair"
    assert not report.repaired and report.remaining == report.unreachable
    for chunk_id in report.unreachable:  # confirmed by the reader's own path, 100 deep
        assert not _found(index, chunk_id), chunk_id
    before = index.store.generation()

    fixed = index.store.check_reach(repair=True)

    assert fixed.unreachable == report.unreachable
    assert fixed.repaired == report.unreachable and fixed.ok
    assert all(_found(index, c, 10) for c in report.unreachable)
    # Published as a generation naming the repaired chunks' articles: other processes reopen
    # their vector index, and the lexical side re-reads those articles only.
    after = index.store.generation()
    assert after != before
    owners = {c.article_id for c in index.store.get_chunks(list(report.unreachable))}
    assert index.store.changes_since({before}, after).article_ids == owners
    assert compare_lexical(index).ok
    del index
    gc.collect()
    # A fresh process rebuilds its graph from the saved one plus Chroma's log, re-inserting the
    # logged records (the last 200 chunks and the repair's rewrites) in an order that varies, so
    # it may find a few unreachable again until Chroma saves its graph: its own check repairs them.
    reopened = _open(data)
    again = reopened.store.check_reach(repair=True)
    assert again.ok, again
    assert all(_found(reopened, c, 10) for c in report.unreachable)


def test_a_chunk_cut_out_of_the_saved_graph_is_found_and_repaired(data):
    index = _open(data)
    natural = set(index.store.check_reach().unreachable)
    del index
    (cut,) = _isolate_some(data, 1, skip=natural)
    index = _open(data)
    assert not _found(index, cut)

    report = index.store.check_reach(repair=True)

    assert cut in report.unreachable and cut in report.repaired and report.ok
    assert _found(index, cut, 10)


def test_a_chunk_a_fresh_add_leaves_out_again_gets_another_round(data, monkeypatch):
    """Each add links a new node anew; when one (rarely) is left out again, the repair adds it
    afresh once more instead of reporting it still unreachable. Here the check after the upsert
    and after the first add report the chunk missed, as Chroma did once in a full test run."""
    index = _open(data)
    natural = set(index.store.check_reach().unreachable)
    del index
    (cut,) = _isolate_some(data, 1, skip=natural)
    index = _open(data)
    real_recheck = reach._recheck
    calls = []

    def missed_twice(shard, records):
        calls.append(list(records["ids"]))
        still = real_recheck(shard, records)
        return sorted(set(still) | {cut}) if len(calls) <= 2 else still

    monkeypatch.setattr(reach, "_recheck", missed_twice)
    with index.store.writing():
        still, rewritten = reach.repair(index.store.chroma, [cut])

    assert (still, rewritten) == ([], [cut])
    assert len(calls) == 3  # after the upsert, after the first add, after the second
    assert _found(index, cut, 10)


def test_recovery_checks_and_repairs_the_interrupted_sessions_articles(data):
    index = _open(data)
    natural = set(index.store.check_reach().unreachable)
    del index
    touched_chunk, untouched_chunk = _isolate_some(data, 2, skip=natural)
    index = _open(data)
    touched = index.store.get_chunks([touched_chunk])[0].article_id
    del index
    gc.collect()
    # A writer killed mid-session: it noted (the change log's pending record) the article it
    # was about to rewrite, and its mark is still set.
    script = (
        "import os, sys\n"
        "from index import Settings, open_index\n"
        "from tests.fixtures.hnsw import ConcentratedEmbedder\n"
        "index = open_index(Settings(data_dir=sys.argv[1]), embedder=ConcentratedEmbedder())\n"
        "with index.store.writing():\n"
        "    index.store._session.touch([sys.argv[2]])\n"
        "    os._exit(9)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(data), touched], cwd=ROOT, capture_output=True
    )
    assert killed.returncode == 9, killed.stderr.decode()
    index = _open(data)
    assert index.store.unfinished_writer()

    with index.store.writing():  # the next session recovers first
        pass

    recovery = index.store.recovery_reach
    assert recovery is not None
    assert recovery.checked == 1 and recovery.articles == 1  # that article only, not the store
    assert recovery.unreachable == (touched_chunk,) and recovery.ok
    assert _found(index, touched_chunk, 10)
    assert not _found(index, untouched_chunk)  # left for `python -m index check`
    assert index.store.unfinished_writer() == ""


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "NEWSQA_DATA_DIR": str(data),
        "NEWSQA_EMBED_MODEL": ConcentratedEmbedder.model_id,
        "ANONYMIZED_TELEMETRY": "False",
    }
    return subprocess.run(
        [sys.executable, "-m", "index", "check", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _unreachable(stdout: str) -> tuple[int, int]:
    found = re.search(r"unreachable (\d+), repaired (\d+)", stdout)
    assert found, stdout
    return int(found[1]), int(found[2])


def test_cli_check_reports_repairs_and_exits_by_what_remains(data):
    index = _open(data)
    natural = set(index.store.check_reach().unreachable)
    del index
    _isolate_some(data, 1, skip=natural)

    # (How many beside the cut one depends on the order this process re-inserts Chroma's
    # unsaved records in: see index.store.reach.)
    found = _cli(data)
    assert found.returncode == 1, found.stderr
    assert f"checked {ARTICLES:,} chunks of {ARTICLES:,} articles" in found.stdout
    unreachable, repaired = _unreachable(found.stdout)
    assert unreachable >= 1 and repaired == 0
    assert "0 missing from it, 0 it should not hold" in found.stdout
    assert f"error: {unreachable} chunk(s) that dense search cannot reach" in found.stderr
    assert "run `python -m index check --repair`" in found.stderr

    fixed = _cli(data, "--repair")
    assert fixed.returncode == 0, fixed.stderr
    unreachable, repaired = _unreachable(fixed.stdout)
    assert unreachable >= 1 and repaired == unreachable
    assert "error:" not in fixed.stderr
    # (A later process may find a few of the repaired chunks unreachable again until Chroma
    # saves its graph: see index.store.reach. Not asserted either way here.)


def test_check_rebuilds_a_lexical_index_out_of_step_with_the_store(data):
    index = _open(data)
    index.lexical.ensure_current()
    # A record written behind the write session's back (no generation, no change log entry):
    # the saved lexical index of the current generation does not hold it.
    chunk = index.store.chunks_of(["story-0005"])[0]
    got = index.store.chroma.chunks.get(ids=[chunk.id], include=["embeddings", "metadatas"])
    meta = {**got["metadatas"][0], "article_id": "story-0005"}
    index.store.chroma.chunks.upsert(
        ids=["stray-0000"], embeddings=got["embeddings"], documents=["stray"], metadatas=[meta]
    )

    found = check_index(index)

    assert found.lexical.missing == ("stray-0000",) and not found.lexical.extra
    assert not found.ok

    fixed = check_index(index, repair=True)

    assert fixed.lexical.rebuilt and fixed.lexical.ok
    assert "stray-0000" in index.lexical.ensure_current().live_chunk_ids()
