"""Follow-up questions rewritten to stand alone: local rule, LLM rewrite, and ask(history=...)."""

from __future__ import annotations

import pytest

from qa import Answerer
from qa.question.rewrite import local_rewrite, looks_like_follow_up, rewrite_question
from tests.fakes import FakeChatModel

HISTORY = [
    ("What did Armenia say about the Lachin corridor checkpoint?", "It called it illegal [1].")
]


def test_follow_ups_are_recognised():
    assert looks_like_follow_up("and what did Baku say?")
    assert looks_like_follow_up("What about the US?")
    assert looks_like_follow_up("Why did they do it?")
    assert not looks_like_follow_up(
        "Which outlet reported the Lachin corridor checkpoint on April 23?"
    )


def test_local_rewrite_carries_the_previous_topic_forward():
    rewritten = local_rewrite("and what did Baku say?", HISTORY)
    assert rewritten.startswith("What did Baku say?")
    for word in ("Armenia", "Lachin", "corridor", "checkpoint"):
        assert word in rewritten


def test_local_rewrite_borrows_a_short_previous_answer():
    history = [
        ("Who was ousted as OpenAI's chief executive?", "Sam Altman\nThe board removed him [1].")
    ]
    assert "Sam Altman" in local_rewrite("What did he do next?", history)


def test_standalone_questions_and_empty_history_are_left_alone():
    question = "Which outlet reported the Lachin corridor checkpoint on April 23?"
    assert local_rewrite(question, HISTORY) == question
    assert local_rewrite("and Baku?", []) == "and Baku?"


def test_llm_rewrite_is_used_when_a_model_is_given():
    model = FakeChatModel(
        "Rewritten question: What did Baku say about the Lachin corridor checkpoint?\n"
    )
    assert rewrite_question("and what did Baku say?", HISTORY, model) == (
        "What did Baku say about the Lachin corridor checkpoint?"
    )
    ((system, user),) = model.prompts
    assert "stand" in system or "without the conversation" in system
    assert HISTORY[0][0] in user and "and what did Baku say?" in user


@pytest.mark.parametrize(
    "model", [FakeChatModel(fail=True), FakeChatModel("")], ids=["error", "empty"]
)
def test_llm_failure_falls_back_to_the_local_rule(model):
    assert rewrite_question("and what did Baku say?", HISTORY, model) == local_rewrite(
        "and what did Baku say?", HISTORY
    )


def test_llm_is_not_asked_for_standalone_questions():
    model = FakeChatModel("something else")
    question = "Which outlet reported the Lachin corridor checkpoint on April 23?"
    assert rewrite_question(question, HISTORY, model) == question
    assert model.prompts == []


def test_ask_with_history_answers_the_rewritten_follow_up(sample_index):
    answerer = Answerer(sample_index)
    alone = answerer.ask("and what did Baku do?")
    follow_up = answerer.ask(
        "and what did Baku do?", history=[("What happened at the Lachin corridor on April 23?", "")]
    )
    assert "Lachin" in follow_up.question and "April" in follow_up.question
    assert not follow_up.abstained
    assert any("checkpoint" in c.passage.text for c in follow_up.citations)
    assert alone.question == "and what did Baku do?"
