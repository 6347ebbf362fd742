"""Questions answered while an ingestion runs: no errors, no half-written article, and readers in
other processes pick up what the writer committed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

from index import Article, Settings, open_index
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder
from tests.fixtures.news import DISTINCT, news_records


def _articles(first: int, count: int) -> list[Article]:
    """Stories ``first`` to ``first + count`` of the test news corpus, no two about the same thing
    (a question naming one's headline finds that one first)."""
    assert first + count <= len(DISTINCT)
    records = news_records()[first : first + count]
    return [
        Article(id=r["url"], title=r["title"], text=r["body"], source=r["source"], url=r["url"])
        for r in records
    ]


def _check_passages(index, passages) -> None:
    """Every passage belongs to a committed article and is exactly a slice of its text."""
    for p in passages:
        found = index.store.get_article(p.article_id)
        assert found is not None, f"passage of uncommitted article {p.article_id}"
        assert found[1][p.start : p.end] == p.text


def test_questions_during_an_ingestion_in_the_same_process(settings):
    from qa import Answerer

    # Groups of about two articles: the ingestion below commits a dozen times.
    index = open_index(settings.with_(ingest_group=4), embedder=FakeEmbedder())
    index.add_articles(_articles(0, 5))
    # Widen the moment between a group's chunks and its article records, when a reader could
    # see chunks of articles that are not committed yet.
    upsert = index.store.chroma.articles.upsert

    def slow_commit(*args, **kwargs):
        time.sleep(0.3)
        return upsert(*args, **kwargs)

    index.store.chroma.articles.upsert = slow_commit
    answerer = Answerer(index)
    questions = [f"What happened: {a.title}?" for a in _articles(0, 30)]
    errors: list[BaseException] = []
    asked = [0]
    done = threading.Event()

    def ask_until_done() -> None:
        try:
            while not done.is_set():
                for question in questions:
                    answer = answerer.ask(question)
                    _check_passages(index, [c.passage for c in answer.citations])
                    _check_passages(index, answerer.retrieve(question, k=8))
                    # The index layer itself never shows a chunk of an uncommitted article.
                    hits = index.store.dense_query(index.embedder.embed([question])[0], 20)
                    lexical = index.store.get_chunks(
                        [h.chunk_id for h in index.lexical.search(question, 20)]
                    )
                    for chunk in [h.chunk for h in hits] + lexical:
                        assert index.store.get_article(chunk.article_id) is not None, chunk.id
                    asked[0] += 1
        except BaseException as exc:  # reported below
            errors.append(exc)

    readers = [threading.Thread(target=ask_until_done) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        report = index.add_articles(_articles(5, 25))
    finally:
        done.set()
        for reader in readers:
            reader.join(60)
    assert not errors, errors[0]
    assert report.added == 25 and asked[0] > 0
    # Once the ingestion is over, every article is found by both retrieval sides.
    last = _articles(29, 1)[0]
    assert last.id in {
        p.article_id for p in answerer.retrieve(f"What happened: {last.title}?", k=8)
    }
    assert index.lexical.generation == index.store.generation()


_READER = r"""
import json, sys, time
from pathlib import Path
from index import Settings, open_index
from index.embedding import MiniLMEmbedder
from qa import Answerer

data, questions, until_count = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
index = open_index(Settings(data_dir=data), embedder=MiniLMEmbedder())
answerer = Answerer(index)
asked, bad, deadline = 0, [], time.monotonic() + 600
while time.monotonic() < deadline:
    final = index.store.count_articles() >= until_count and not index.store.unfinished_writer()
    for question in questions:
        for p in answerer.retrieve(question, k=8):
            found = index.store.get_article(p.article_id)
            if found is None or found[1][p.start:p.end] != p.text:
                bad.append(p.chunk_id)
        asked += 1
    if final:
        break
top = [answerer.retrieve(q, k=8)[0].article_id for q in questions]
print(json.dumps({"asked": asked, "bad": bad, "top": top}))
"""


def test_two_reader_processes_and_a_writer_process_share_one_store(tmp_path, real_embedder):
    data = tmp_path / "data"
    first, later = _articles(20, 4), _articles(24, 6)
    index = open_index(Settings(data_dir=data), embedder=real_embedder)
    index.add_articles(first)
    source = tmp_path / "later.json"
    source.write_text(
        json.dumps(
            [{"title": a.title, "body": a.text, "source": a.source, "url": a.url} for a in later]
        )
    )
    questions = [f"What happened: {a.title}?" for a in first[:2] + later[-2:]]
    env = {
        **os.environ,
        "ANONYMIZED_TELEMETRY": "False",
        "NEWSQA_DATA_DIR": str(data),
        "NEWSQA_INGEST_GROUP": "4",  # the writer commits its six articles in three groups
    }
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _READER,
                str(data),
                json.dumps(questions),
                str(len(first) + len(later)),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # let the readers start asking before the writer starts writing
    writer = subprocess.run(
        [sys.executable, "-m", "index", "add", "-q", str(source)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert writer.returncode == 0, writer.stderr
    results = []
    for reader in readers:
        out, err = reader.communicate(timeout=600)
        assert reader.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    expected_top = [a.id for a in first[:2] + later[-2:]]
    for result in results:
        assert result["bad"] == [], result
        assert result["asked"] > len(questions)
        # Each reader found the writer's new articles without being restarted.
        assert result["top"] == expected_top, result


_OPENER = """
import sys
from pathlib import Path
from index import Settings
from index.store import Store
print("ready", flush=True)
Store(Settings(data_dir=Path(sys.argv[1])), "fake-model")
print("opened", flush=True)
"""


def test_a_process_opening_a_new_store_waits_while_another_opens_it(tmp_path):
    # Chroma creates its tables on a folder's first open without guarding against a second
    # process doing the same; the loser failed with "table collections already exists".
    from index.store import opening_lock

    data = tmp_path / "data"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with opening_lock(data):
        opener = subprocess.Popen(
            [sys.executable, "-c", _OPENER, str(data)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert opener.stdout.readline().strip() == "ready"
        time.sleep(2)  # creating the tables takes well under a second when nothing blocks it
        assert opener.poll() is None
        assert not (data / "chroma" / "chroma.sqlite3").exists()
    out, err = opener.communicate(timeout=120)
    assert opener.returncode == 0 and out.strip() == "opened", err
    assert "is opening this index; waiting" in err
