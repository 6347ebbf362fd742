"""ask() end to end: real packaged embedder, real Chroma on disk, the bundled sample corpus."""

from __future__ import annotations

import re

import pytest

from qa import Answer, Answerer, Mode
from qa.retrieval.retriever import Retriever
from tests.fakes import FakeChatModel

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"


@pytest.fixture(scope="module")
def answerer(sample_index):
    return Answerer(sample_index)


def _article_text(index, article_id: str) -> str:
    found = index.store.get_article(article_id)
    assert found is not None
    return found[1]


def test_lachin_question_is_answered_with_a_cited_passage(answerer):
    answer = answerer.ask(LACHIN)
    assert isinstance(answer, Answer)
    assert not answer.abstained
    assert answer.citations
    assert "lachin" in answer.text.lower()
    assert any("lachin corridor" in c.passage.text.lower() for c in answer.citations)
    assert answer.mode == Mode() and answer.mode.extractive


def test_every_marker_maps_to_a_verbatim_citation(answerer, sample_index):
    answer = answerer.ask(LACHIN)
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert numbers
    assert sorted(set(numbers)) == [c.number for c in answer.citations]
    # numbered in order of first use
    assert list(dict.fromkeys(numbers)) == sorted(set(numbers))
    for citation in answer.citations:
        p = citation.passage
        assert _article_text(sample_index, p.article_id)[p.start : p.end] == p.text
        assert citation.highlights
        for start, end in citation.highlights:
            assert 0 <= start < end <= len(p.text)
        assert p.published is not None


def test_unanswerable_question_abstains_without_citations(answerer):
    answer = answerer.ask(
        "What was the final score of the football match between Arsenal and Chelsea?"
    )
    assert answer.abstained
    assert answer.citations == ()
    assert "don't answer" in answer.text
    assert answer.nearest  # says what the articles do cover


def test_date_filter_excluding_the_article_abstains(answerer):
    from datetime import date

    answer = answerer.ask(LACHIN, since=date(2024, 1, 1))
    assert answer.abstained
    assert answer.filters.since == date(2024, 1, 1)


def test_stream_yields_growing_answers_ending_complete(answerer):
    updates = list(answerer.ask(LACHIN, stream=True))
    assert updates[-1].complete
    assert updates[-1].citations


def test_retrieve_returns_passages_with_metadata(answerer):
    passages = answerer.retrieve(LACHIN, k=3)
    assert 1 <= len(passages) <= 3
    assert any("Lachin" in p.text for p in passages)
    assert all(p.end - p.start == len(p.text) for p in passages)


@pytest.fixture
def no_default_answerer():
    """No default answerer before the test, and none left behind for the next one."""
    import qa

    qa.set_default_answerer(None)
    yield
    qa.set_default_answerer(None)


def test_module_level_ask_uses_environment(sample_index, monkeypatch, no_default_answerer):
    import qa

    monkeypatch.setenv("NEWSQA_DATA_DIR", str(sample_index.settings.data_dir))
    answer = qa.ask(LACHIN)
    assert not answer.abstained and answer.citations
    assert qa.default_answerer() is qa.default_answerer()
    assert qa.default_answerer().index.settings.data_dir == sample_index.settings.data_dir


def test_module_level_functions_use_the_answerer_set_as_default(answerer, no_default_answerer):
    import qa

    qa.set_default_answerer(answerer)
    assert qa.default_answerer() is answerer
    assert qa.ask(LACHIN).text == answerer.ask(LACHIN).text
    assert qa.retrieve(LACHIN, k=2) == answerer.retrieve(LACHIN, k=2)


class CountingRetriever(Retriever):
    """The real retriever, counting its searches."""

    def __init__(self, index) -> None:
        super().__init__(index)
        self.questions: list[str] = []

    def retrieve(self, question, **options):
        self.questions.append(question)
        return super().retrieve(question, **options)


def test_the_answerer_uses_the_retriever_and_chat_model_it_is_given(sample_index):
    def reply(system: str, user: str) -> str:
        blocks = re.split(r"^\[(\d+)\] ", user, flags=re.MULTILINE)
        number = next(n for n, body in zip(blocks[1::2], blocks[2::2]) if "checkpoint" in body)
        return (
            "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor "
            f"on April 23 [{number}]."
        )

    retriever = CountingRetriever(sample_index)
    model = FakeChatModel(reply, model="scripted-lachin")
    answerer = Answerer(sample_index, retriever=retriever, chat_model=model)
    answer = answerer.ask(LACHIN)
    assert retriever.questions == [LACHIN] and len(model.prompts) == 1
    assert LACHIN in model.prompts[0][1]
    assert answer.mode == Mode("scripted-lachin", "fake://") == answerer.mode
    assert not answer.abstained and answer.short_answer == "Lachin Corridor"
    assert answer.citations and "[1]" in answer.text
