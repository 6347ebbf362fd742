"""newsqa inside LlamaIndex: the retriever and query engine, driven through LlamaIndex's own APIs.

Retrieval runs over a small real index (real Chroma on disk, the hashed bag-of-words fake
embedder): four articles from three outlets and three dates. Answers run over the bundled
sample index (real packaged embedder), extractive and with a scripted LLM on a loopback server.
No LlamaIndex LLM is configured anywhere; one test checks its global ``Settings`` stay unset.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import date

import pytest
from llama_index.core import Settings as LlamaSettings
from llama_index.core.base.response.schema import Response
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import ResponseMode, get_response_synthesizer
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle, TextNode

import qa
from index import Article, Settings, open_index
from index.errors import QuestionError
from qa import Answerer, NewsqaQueryEngine, NewsqaRetriever
from qa.answer.llm import ChatModel, LLMConfig
from tests.chat_server import ChatServer, ChatServerState
from tests.conftest import ROOT

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
FERRY = "Why was the night ferry to the island cancelled?"

ARTICLES = [
    Article(
        id="https://coast.example/ferry-storm",
        title="Night ferry cancelled as storm reaches the island",
        text=(
            "The night ferry to the island was cancelled on Tuesday because a storm brought "
            "waves of four metres. The harbour master said the crossing would resume once the "
            "wind dropped. Passengers were offered rooms in the port hotel."
        ),
        source="Coast Courier",
        published=date(2023, 10, 3),
        url="https://coast.example/ferry-storm",
    ),
    Article(
        id="https://coast.example/ferry-strike",
        title="Ferry crews strike over pay",
        text=(
            "Ferry crews walked out over pay, and the night ferry to the island was cancelled "
            "for a second week. The union said talks with the operator had stalled. Island "
            "shops reported empty shelves as deliveries stopped."
        ),
        source="Coast Courier",
        published=date(2023, 11, 20),
        url="https://coast.example/ferry-strike",
    ),
    Article(
        id="https://island.example/ferry-engine",
        title="Engine fault keeps the night ferry in port",
        text=(
            "An engine fault kept the night ferry in port, and the crossing to the island was "
            "cancelled while engineers replaced a fuel pump. The operator apologised to "
            "passengers and promised refunds."
        ),
        source="Island Post",
        published=date(2023, 11, 2),
        url="https://island.example/ferry-engine",
    ),
    Article(
        id="https://wire.example/ferry-timetable",
        title="Winter timetable for the island ferry",
        text=(
            "The winter timetable for the island ferry drops the night sailing on Sundays. "
            "Tickets for the morning ferry can be bought on board. The timetable runs until "
            "March."
        ),
        source="Metro Wire",
        published=date(2023, 12, 1),
        url="https://wire.example/ferry-timetable",
    ),
]
BY_ID = {a.id: a for a in ARTICLES}


@pytest.fixture(scope="module")
def ferry_answerer(tmp_path_factory):
    from tests.fakes import FakeEmbedder

    settings = Settings(data_dir=tmp_path_factory.mktemp("ferries") / "data")
    index = open_index(settings, embedder=FakeEmbedder())
    report = index.add_articles(ARTICLES)
    assert report.ok and report.added == len(ARTICLES)
    return Answerer(index)


@pytest.fixture(scope="module")
def sample_answerer(sample_index):
    return Answerer(sample_index)


def _article_ids(nodes: list[NodeWithScore]) -> set[str]:
    return {n.node.metadata["article_id"] for n in nodes}


def _assert_verbatim_with_metadata(scored: NodeWithScore) -> None:
    node = scored.node
    assert isinstance(node, TextNode)
    meta = node.metadata
    article = BY_ID[meta["article_id"]]
    assert article.text[meta["start"] : meta["end"]] == node.text
    assert (node.start_char_idx, node.end_char_idx) == (meta["start"], meta["end"])
    assert meta["title"] == article.title
    assert meta["source"] == article.source
    assert meta["published"] == article.published.isoformat()
    assert meta["url"] == article.url
    assert node.node_id == meta["chunk_id"] and meta["chunk_id"]
    assert node.ref_doc_id == article.id


# The retriever.


def test_retrieve_a_query_bundle_gives_verbatim_nodes_with_metadata(ferry_answerer):
    nodes = NewsqaRetriever(ferry_answerer).retrieve(QueryBundle(FERRY))
    assert nodes
    for scored in nodes:
        _assert_verbatim_with_metadata(scored)
    assert _article_ids(nodes) == set(BY_ID)


def test_retrieve_a_string_gives_newsqa_passages_in_order(ferry_answerer):
    nodes = NewsqaRetriever(ferry_answerer, k=3).retrieve(FERRY)
    passages = ferry_answerer.retrieve(FERRY, k=3)
    assert len(passages) == 3
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in passages]
    assert [n.score for n in nodes] == [p.score for p in passages]
    assert [n.node.text for n in nodes] == [p.text for p in passages]


def test_date_filter_excludes_articles_outside_the_range(ferry_answerer):
    everything = _article_ids(NewsqaRetriever(ferry_answerer).retrieve(FERRY))
    assert "https://coast.example/ferry-storm" in everything
    assert "https://wire.example/ferry-timetable" in everything
    nodes = NewsqaRetriever(
        ferry_answerer, since=date(2023, 11, 1), until=date(2023, 11, 30)
    ).retrieve(FERRY)
    assert _article_ids(nodes) == {
        "https://coast.example/ferry-strike",
        "https://island.example/ferry-engine",
    }
    for scored in nodes:
        assert "2023-11-01" <= scored.node.metadata["published"] <= "2023-11-30"


def test_as_of_searches_only_what_was_published_by_that_day(ferry_answerer):
    for retriever in (
        NewsqaRetriever(ferry_answerer, as_of=date(2023, 11, 2)),
        NewsqaRetriever(ferry_answerer.retriever, as_of="2023-11-02"),
    ):
        nodes = retriever.retrieve(FERRY)
        assert _article_ids(nodes) == {
            "https://coast.example/ferry-storm",
            "https://island.example/ferry-engine",
        }
    with pytest.raises(QuestionError):
        NewsqaRetriever(ferry_answerer, as_of="2 November")


def test_outlet_filter_keeps_only_those_outlets(ferry_answerer):
    nodes = NewsqaRetriever(ferry_answerer, sources=["Coast Courier"]).retrieve(FERRY)
    assert _article_ids(nodes) == {
        "https://coast.example/ferry-storm",
        "https://coast.example/ferry-strike",
    }
    assert NewsqaRetriever(ferry_answerer, sources=["No Such Outlet"]).retrieve(FERRY) == []


def test_a_newsqa_retriever_object_can_back_it(ferry_answerer):
    nodes = NewsqaRetriever(ferry_answerer.retriever, k=2, sources=["Island Post"]).retrieve(FERRY)
    assert _article_ids(nodes) == {"https://island.example/ferry-engine"}
    for scored in nodes:
        _assert_verbatim_with_metadata(scored)


def test_without_arguments_it_uses_the_default_answerer(ferry_answerer, monkeypatch):
    monkeypatch.setattr(qa, "default_answerer", lambda: ferry_answerer)
    nodes = NewsqaRetriever(k=2).retrieve(FERRY)
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in qa.retrieve(FERRY, k=2)]


def test_aretrieve_matches_retrieve(ferry_answerer):
    retriever = NewsqaRetriever(ferry_answerer, k=4)
    nodes = asyncio.run(retriever.aretrieve(FERRY))
    assert [n.node.node_id for n in nodes] == [n.node.node_id for n in retriever.retrieve(FERRY)]


def test_bad_k_is_refused():
    with pytest.raises(ValueError, match="k must be at least 1"):
        NewsqaRetriever(k=0)
    with pytest.raises(ValueError, match="k must be at least 1"):
        NewsqaQueryEngine(k=0)


def test_llamaindex_query_engine_reads_nodes_as_a_model_would(ferry_answerer):
    # LlamaIndex's synthesizers need an LLM; MockLLM, passed explicitly, echoes the prompt it
    # was given, which shows what a model would read of each node.
    synthesizer = get_response_synthesizer(
        llm=MockLLM(), response_mode=ResponseMode.SIMPLE_SUMMARIZE
    )
    engine = RetrieverQueryEngine(
        NewsqaRetriever(ferry_answerer, k=2, sources=["Island Post"]),
        response_synthesizer=synthesizer,
    )
    response = engine.query(FERRY)
    assert _article_ids(response.source_nodes) == {"https://island.example/ferry-engine"}
    prompt = str(response)
    assert "Engine fault keeps the night ferry in port" in prompt  # title
    assert "Island Post" in prompt and "2023-11-02" in prompt
    assert "replaced a fuel pump" in prompt  # the passage text
    node = response.source_nodes[0].node
    assert node.node_id not in prompt and "chunk_id" not in prompt  # ids are for programs
    assert "chunk_id" not in node.get_content(metadata_mode=MetadataMode.EMBED)
    assert LlamaSettings._llm is None and LlamaSettings._embed_model is None


# The query engine.


def test_query_engine_response_is_newsqas_answer_with_cited_nodes(sample_answerer, sample_index):
    expected = sample_answerer.ask(LACHIN)
    assert not expected.abstained and expected.citations
    response = NewsqaQueryEngine(sample_answerer).query(QueryBundle(LACHIN))
    assert isinstance(response, Response)
    assert response.response == expected.text
    assert "lachin" in str(response).lower()
    assert response.metadata["abstained"] is False
    assert response.metadata["short_answer"] == expected.short_answer
    assert response.metadata["answer"] == expected
    # source_nodes are exactly the cited passages, in citation order.
    assert [n.node.node_id for n in response.source_nodes] == [
        c.passage.chunk_id for c in expected.citations
    ]
    numbers = [n.node.metadata["citation"] for n in response.source_nodes]
    assert numbers == list(range(1, len(numbers) + 1))
    assert sorted({int(m) for m in re.findall(r"\[(\d+)\]", response.response)}) == numbers
    for scored, citation in zip(response.source_nodes, expected.citations):
        meta = scored.node.metadata
        found = sample_index.get_article(meta["article_id"])
        assert found is not None
        assert found[1][meta["start"] : meta["end"]] == scored.node.text
        assert meta["highlights"] == [list(span) for span in citation.highlights]
        assert meta["published"] == "2023-05-01"


def test_query_engine_abstains_when_a_filter_excludes_the_evidence(sample_answerer):
    response = NewsqaQueryEngine(sample_answerer, since=date(2024, 1, 1)).query(LACHIN)
    assert response.metadata["abstained"] is True
    assert response.metadata["short_answer"] == ""
    assert response.source_nodes == []
    assert response.metadata["answer"].filters.since == date(2024, 1, 1)


def test_query_engine_answers_as_of_a_day_and_says_which(sample_answerer):
    response = NewsqaQueryEngine(sample_answerer, as_of=date(2023, 4, 1)).query(LACHIN)
    assert response.metadata["as_of"] == "2023-04-01"
    assert response.metadata["answer"].as_of.given
    assert all(n.node.metadata["published"] <= "2023-04-01" for n in response.source_nodes)


def test_aquery_gives_the_same_response(sample_answerer):
    engine = NewsqaQueryEngine(sample_answerer)
    response = asyncio.run(engine.aquery(LACHIN))
    assert response.response == engine.query(LACHIN).response
    assert [n.node.node_id for n in response.source_nodes] == [
        n.node.node_id for n in engine.query(LACHIN).source_nodes
    ]


def _two_passage_reply(messages: list[dict]) -> str:
    """Cites another passage first (a sentence of its own), then the Lachin Corridor one."""
    user = messages[-1]["content"]
    parts = re.split(r"^\[(\d+)\] [^\n]*\n", user, flags=re.MULTILINE)
    blocks = {int(n): body.split("\n\n")[0] for n, body in zip(parts[1::2], parts[2::2])}
    lachin = [n for n, body in blocks.items() if "Lachin Corridor" in body]
    others = [n for n, body in blocks.items() if "Lachin" not in body and ". " in body]
    assert lachin and others, blocks
    other_claim = blocks[others[0]].split(". ")[0] + "."
    return (
        f"Lachin Corridor\n{other_claim} [{others[0]}] Azerbaijan set up a checkpoint at the "
        f"entrance to the Lachin Corridor on April 23 [{lachin[0]}]."
    )


def test_query_engine_answers_with_newsqas_llm_not_llamaindexs(sample_index):
    with ChatServer(ChatServerState(reply=_two_passage_reply)) as server:
        model = ChatModel(
            LLMConfig(model="scripted", base_url=server.base_url, api_key="t", retries=0)
        )
        response = NewsqaQueryEngine(Answerer(sample_index, chat_model=model)).query(LACHIN)
    assert len(server.state.requests) == 1
    answer = response.metadata["answer"]
    assert response.metadata["mode"] == "llm:scripted"
    assert response.metadata["short_answer"] == "Lachin Corridor"
    assert response.response == answer.text and response.response.endswith("April 23 [2].")
    # Cited passages only, numbered by first use: the other passage is [1], Lachin's [2].
    assert [n.node.metadata["citation"] for n in response.source_nodes] == [1, 2]
    assert [n.node.node_id for n in response.source_nodes] == [
        c.passage.chunk_id for c in answer.citations
    ]
    assert "Lachin" not in response.source_nodes[0].node.text
    assert "Lachin Corridor" in response.source_nodes[1].node.text
    assert LlamaSettings._llm is None


# The packaged embedder as a LlamaIndex embedding model.


def test_packaged_embedder_ranks_a_llamaindex_vector_index(real_embedder):
    import numpy as np
    from llama_index.core import VectorStoreIndex

    from index.llama_embedding import NewsqaEmbedding

    embed_model = NewsqaEmbedding(real_embedder)
    assert np.allclose(
        embed_model.get_text_embedding(ARTICLES[0].text), real_embedder.embed([ARTICLES[0].text])[0]
    )
    nodes = [TextNode(text=a.text, id_=a.id) for a in ARTICLES]
    vector_index = VectorStoreIndex(nodes, embed_model=embed_model)
    hits = vector_index.as_retriever(similarity_top_k=1).retrieve("Which engine part was replaced?")
    assert [h.node.node_id for h in hits] == ["https://island.example/ferry-engine"]
    assert LlamaSettings._embed_model is None


# The package.


def test_importing_qa_does_not_import_llamaindex():
    code = (
        "import sys, qa; print('llama_index' in sys.modules); "
        "qa.NewsqaRetriever; print('llama_index' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
    assert qa.NewsqaQueryEngine is qa.llamaindex.NewsqaQueryEngine
