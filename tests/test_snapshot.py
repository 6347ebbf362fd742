"""One question, one snapshot: its searches all see one store generation, read once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from index import Article, Settings, open_index
from index.store import Store
from qa import Answerer
from qa.answer.extractive import ExtractiveConfig
from qa.retrieval.retriever import Retriever
from tests.fakes import FakeEmbedder

ARTICLES = [
    ("https://planet.example/a", "Daily Planet", date(2023, 10, 2), "closed two lanes"),
    ("https://planet.example/b", "Daily Planet", date(2023, 11, 28), "ended a week early"),
    ("https://gazette.example/c", "Gotham Gazette", date(2023, 10, 20), "cost more than planned"),
    ("https://wire.example/d", "Metro Wire", date(2023, 11, 14), "passed a safety review"),
]
# Two clauses, each naming an outlet and a date, and a name asked for: the whole question, one
# search per outlet, and one per clause (with feedback terms), all BM25 sub-queries.
QUESTION = (
    "Which city council, reported by the Daily Planet on October 2 and by the Gotham Gazette on "
    "October 20, paid for the harbour bridge repairs?"
)


def _article(url: str, source: str, published: date | None, what: str) -> Article:
    return Article(
        id=url,
        title=f"Harbour bridge repairs {what}",
        text=(
            f"The harbour bridge repairs {what}. The city council paid the engineers who "
            "inspected the steel cables. Traffic on the harbour bridge went to the ferry route."
        ),
        source=source,
        published=published,
        url=url,
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("snapshot") / "data")
    opened = open_index(settings, embedder=FakeEmbedder())
    assert opened.add_articles([_article(*row) for row in ARTICLES]).ok
    return opened


@pytest.fixture
def generation_reads(monkeypatch) -> list[int]:
    """Each read of a store's generation, as it happens."""
    reads: list[int] = []
    read = Store.generation

    def counted(self: Store) -> int:
        generation = read(self)
        reads.append(generation)
        return generation

    monkeypatch.setattr(Store, "generation", counted)
    return reads


@pytest.mark.parametrize("path", ["table", "store"])
def test_a_question_reads_the_generation_once(index, path, generation_reads, monkeypatch):
    if path == "store":
        # Too big to hold in memory: search through Chroma and the BM25 index.
        monkeypatch.setattr(index, "settings", replace(index.settings, memory_table_chunks=0))
    retriever = Retriever(index)
    for _ in range(2):  # cold (the chunk table is read on the way), then warm
        generation_reads.clear()
        result = retriever.retrieve(QUESTION, k=10)
        assert len(result.clauses) == 2 and result.passages
        assert len(generation_reads) == 1


def test_an_answer_reads_the_generation_once(index, generation_reads):
    # The sentence answer: the reader's trained scores expect the real embedder, not the fake.
    answerer = Answerer(index, extractive=ExtractiveConfig(reader=False))
    generation_reads.clear()
    answer = answerer.ask(QUESTION)
    assert answer.citations and len(generation_reads) == 1
    generation_reads.clear()
    *_, streamed = answerer.stream(QUESTION)
    assert streamed.complete and len(generation_reads) == 1


def test_a_snapshot_keeps_its_generation_while_the_index_changes(tmp_path):
    index = open_index(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    index.add_articles([_article(*ARTICLES[0])])
    held = index.snapshot()  # nothing loaded yet: BM25 and the catalogue come on first use
    lighthouse = Article(
        id="https://wire.example/l",
        title="Lighthouse relit",
        text="The old lighthouse on the point was relit after forty years.",
        source="Metro Wire",
        published=date(2023, 12, 1),
        url="https://wire.example/l",
    )
    index.add_articles([lighthouse])

    now = index.snapshot()
    assert now.generation != held.generation
    assert [h.chunk_id for h in now.search_lexical("lighthouse relit", 5)]
    assert now.sources == ("Daily Planet", "Metro Wire") and now.newest == date(2023, 12, 1)
    # The earlier snapshot still sees the index as it was when it was taken.
    assert held.search_lexical("lighthouse relit", 5) == []
    assert held.search_lexical("harbour bridge", 5)
    assert held.sources == ("Daily Planet",) and held.newest == date(2023, 10, 2)
