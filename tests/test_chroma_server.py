"""Chroma server mode (NEWSQA_CHROMA_URL): a real ``chroma run`` on loopback, the same ingestion and
question answering as the embedded store, crash recovery, and one writer at a time."""

from __future__ import annotations

import json
import os
import random
import socket
import time

import pytest

from index import Settings, StoreError, open_index
from tests.fixtures.chroma_server import running_chroma
from tests.fixtures.kills import kill_repeatedly
from tests.fixtures.news import LONG, news_records, write_feed
from tests.fixtures.storecheck import assert_same_content, check_consistent, snapshot


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with running_chroma(tmp_path_factory.mktemp("chroma-server") / "db") as url:
        yield url


@pytest.fixture(scope="module")
def news_slice(tmp_path_factory):
    """Ten articles of the test news corpus (nine stories and the long read: 35 chunks), as a
    JSON file."""
    records = news_records()
    return write_feed(
        tmp_path_factory.mktemp("slice") / "slice.json", [*records[10:19], records[LONG]]
    )


@pytest.fixture(scope="module")
def both(tmp_path_factory, chroma_url, news_slice, real_embedder):
    """The same slice indexed into the embedded store and into the server, and the seconds the
    server build took."""
    embedded = open_index(
        Settings(data_dir=tmp_path_factory.mktemp("embedded")), embedder=real_embedder
    )
    served = open_index(
        Settings(
            data_dir=tmp_path_factory.mktemp("served"), chroma_url=chroma_url, collection="both"
        ),
        embedder=real_embedder,
    )
    for index in (embedded, served):
        report = index.add([news_slice])
        assert report.clean and report.added == 10, report.errors
    # The server build's time tells the kill test how long a run has work to do.
    return embedded, served, report.seconds


def test_server_index_holds_the_same_content_as_the_embedded_one(both):
    embedded, served, _ = both
    assert served.store.location.startswith("http://127.0.0.1:")
    got = snapshot(served)
    check_consistent(served, got)
    assert_same_content(got, snapshot(embedded))


def test_unchanged_re_add_on_the_server_embeds_nothing(both, news_slice):
    _, served, _ = both
    report = served.add([news_slice])
    assert (report.unchanged, report.chunks_embedded) == (10, 0)


def test_questions_get_the_same_answers_from_both_stores(both, news_slice):
    from qa import Answerer

    embedded, served, _ = both
    records = json.loads(news_slice.read_text())
    answers = {}
    for name, index in (("embedded", embedded), ("served", served)):
        answerer = Answerer(index)
        answers[name] = [answerer.ask(f"What happened: {r['title']}?") for r in records[:5]]
    for record, a, b in zip(records, answers["embedded"], answers["served"]):
        assert not b.abstained and b.citations, record["title"]
        assert record["url"] in {c.passage.article_id for c in b.citations}
        assert a.text == b.text
        assert [c.passage.chunk_id for c in a.citations] == [
            c.passage.chunk_id for c in b.citations
        ]


def test_killed_ingestion_into_the_server_recovers(
    tmp_path, chroma_url, news_slice, both, real_embedder
):
    from urllib.parse import urlparse

    import chromadb

    url = urlparse(chroma_url)
    client = chromadb.HttpClient(host=url.hostname, port=url.port)

    def count() -> int:
        names = {c.name for c in client.list_collections()}
        return client.get_collection("killed_articles").count() if "killed_articles" in names else 0

    env = {
        **os.environ,
        "NEWSQA_DATA_DIR": str(tmp_path / "data"),
        "NEWSQA_CHROMA_URL": chroma_url,
        "NEWSQA_COLLECTION": "killed",
        # Groups of about two articles: a run commits several times, so kills land between
        # commits.
        "NEWSQA_INGEST_GROUP": "4",
        "ANONYMIZED_TELEMETRY": "False",
    }
    seed = int(os.environ.get("NEWSQA_TEST_SEED", time.time_ns() % 100_000))
    runs = kill_repeatedly(
        ["add", "-q", str(news_slice)],
        env,
        count,
        random.Random(seed),
        kills=4,
        seconds=both[2],
        total=10,
    )
    assert runs[-1].articles_after == 10, (seed, runs)
    assert any(r.killed_midway and 0 < r.articles_after < 10 for r in runs), (seed, runs)
    index = open_index(
        Settings(data_dir=tmp_path / "data", chroma_url=chroma_url, collection="killed"),
        embedder=real_embedder,
    )
    got = snapshot(index)
    check_consistent(index, got)
    assert_same_content(got, snapshot(both[0]))


def test_a_second_writer_waits_for_a_live_lease_and_takes_over_a_dead_one(
    tmp_path, chroma_url, real_embedder
):
    from index import Article

    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url, collection="lease")
    index = open_index(settings, embedder=real_embedder)
    article = Article(
        id="https://lease.example/1", title="Lease", text="The harbour reopened on Friday. " * 5
    )
    metadata = index.store.chroma.metadata()

    # A writer on this host whose process is alive (this test's parent) holds the lease.
    live = f"{socket.gethostname()}:{os.getppid()}:abcd1234"
    index.store.chroma.set_metadata({**metadata, "writer": live, "writer_seen": time.time()})
    with pytest.raises(StoreError, match="another ingestion"):
        index.add_articles([article])
    assert index.store.count_articles() == 0

    # Its process is gone: the lease is taken over and what it left half-done is cleaned.
    dead = f"{socket.gethostname()}:{_dead_pid()}:abcd1234"
    index.store.chroma.chunks.upsert(
        ids=["orphan-0000"],
        embeddings=[[0.0] * 383 + [1.0]],
        documents=["left over"],
        metadatas=[{"article_id": "https://lease.example/gone", "index": 0}],
    )
    index.store.chroma.set_metadata({**metadata, "writer": dead, "writer_seen": time.time()})
    report = index.add_articles([article])
    assert report.added == 1 and report.orphans_removed == 1
    assert index.store.unfinished_writer() == ""
    assert index.store.get_chunks(["orphan-0000"]) == []


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1
