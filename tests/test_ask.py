"""ask() end to end: real packaged embedder, real Chroma on disk, the bundled sample corpus."""

from __future__ import annotations

import re

import pytest

from qa import Answer, Answerer

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"


@pytest.fixture(scope="module")
def answerer(sample_index):
    return Answerer(sample_index, use_llm=False)


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
    assert answer.mode == "extractive"


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


def test_module_level_ask_uses_environment(sample_index, monkeypatch):
    import qa

    monkeypatch.setenv("NEWSQA_DATA_DIR", str(sample_index.settings.data_dir))
    monkeypatch.setattr(qa, "_default", None)
    answer = qa.ask(LACHIN)
    assert not answer.abstained and answer.citations
    monkeypatch.setattr(qa, "_default", None)
