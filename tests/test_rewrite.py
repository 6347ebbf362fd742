"""Follow-up questions rewritten to stand alone: local rule, LLM rewrite, and ask(history=...)."""

from __future__ import annotations

from datetime import date

import pytest

from qa import Answerer
from qa.answer.prompts import REWRITE_SYSTEM
from qa.question.outlets import find_outlets
from qa.question.periods import find_periods
from qa.question.rewrite import local_rewrite, looks_like_follow_up, rewrite_question
from tests.conftest import NEWS_CORPUS
from tests.fakes import FakeChatModel

#: Outlets of an imagined index, for the local rule's outlet mentions.
OUTLETS = ["TechCrunch", "The Verge", "Reuters", "BBC", "The Guardian", "Bloomberg"]
NVIDIA = "What did TechCrunch report about Nvidia's chip?"

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


@pytest.mark.parametrize(
    ("previous", "follow_up", "outlet", "kept"),
    [
        (NVIDIA, "And what did The Verge say about it?", "The Verge", ["Nvidia"]),
        (NVIDIA, "And The Verge?", "The Verge", ["Nvidia", "report"]),
        ("What did Reuters write about the Lachin corridor?", "and the BBC?", "BBC", ["Lachin"]),
        (
            "What did The Guardian publish about the Fed's rate decision in October?",
            "What did Bloomberg say about it?",
            "Bloomberg",
            ["Fed", "October"],
        ),
        (
            "How did TechCrunch and The Verge cover the Apple Vision Pro?",
            "What about Reuters?",
            "Reuters",
            ["Apple", "Vision"],
        ),
    ],
)
def test_a_newly_named_outlet_replaces_the_old_one(previous, follow_up, outlet, kept):
    rewritten = local_rewrite(follow_up, [(previous, "")], OUTLETS)
    assert find_outlets(rewritten, OUTLETS) == (outlet,)
    for word in kept:
        assert word in rewritten


def test_a_follow_up_made_of_an_outlet_asks_the_previous_question_of_it():
    assert local_rewrite("And The Verge?", [(NVIDIA, "")], OUTLETS) == (
        "What did The Verge report about Nvidia's chip?"
    )


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        (
            "How did Satya Nadella react to the OpenAI board's decision?",
            "What about Sundar Pichai?",
            "How did Sundar Pichai react to the OpenAI board's decision?",
        ),
        ("What did Mr Sunak say in 2022?", "and Mr Starmer?", "What did Mr Starmer say in 2022?"),
        (
            "Did Sam Altman's return to OpenAI surprise investors?",
            "And Emmett Shear's?",
            "Did Emmett Shear's return to OpenAI surprise investors?",
        ),
    ],
)
def test_a_follow_up_made_of_a_person_replaces_the_old_one(previous, follow_up, expected):
    assert local_rewrite(follow_up, [(previous, "")], OUTLETS) == expected


def test_a_newly_named_person_replaces_the_old_one_and_keeps_the_topic():
    history = [("What did Sam Altman tell TechCrunch about GPT-5?", "")]
    rewritten = local_rewrite("And what did Jensen Huang say?", history, OUTLETS)
    assert rewritten.startswith("What did Jensen Huang say?")
    assert "Altman" not in rewritten
    assert "GPT-5" in rewritten and find_outlets(rewritten, OUTLETS) == ("TechCrunch",)


def test_a_newly_named_person_drops_a_previous_answer_naming_another():
    history = [("Who was ousted as OpenAI's chief executive?", "Sam Altman\nThe board did [1].")]
    rewritten = local_rewrite("And what did Satya Nadella do next?", history, OUTLETS)
    assert "Satya Nadella" in rewritten and "Altman" not in rewritten
    assert "OpenAI's" in rewritten


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        (
            "What did TechCrunch report in October about Nvidia's chip?",
            "What about in November?",
            "What did TechCrunch report in November about Nvidia's chip?",
        ),
        (
            "What did the BBC report about the rail strike in 2022?",
            "And in 2023?",
            "What did the BBC report about the rail strike in 2023?",
        ),
        (
            "What did Reuters publish about Storm Edda on October 17, 2023?",
            "and on October 18, 2023?",
            "What did Reuters publish about Storm Edda on October 18, 2023?",
        ),
        (
            "What did Mr Sunak say in 2022?",
            "and Mr Starmer in 2023?",
            "What did Mr Starmer say in 2023?",
        ),
    ],
)
def test_a_newly_named_period_replaces_the_old_one(previous, follow_up, expected):
    assert local_rewrite(follow_up, [(previous, "")], OUTLETS) == expected


def test_the_new_period_stays_a_publication_filter():
    history = [("What did TechCrunch publish in October about Nvidia's chip?", "")]
    rewritten = local_rewrite("What about in November?", history, OUTLETS)
    ((period,),) = [find_periods(rewritten, date(2023, 12, 31))]
    assert (period.since, period.until) == (date(2023, 11, 1), date(2023, 11, 30))


def test_a_period_named_in_a_longer_follow_up_replaces_the_old_one():
    history = [("What did The Verge publish in October about the Vision Pro?", "")]
    rewritten = local_rewrite("What did it say about the price in January?", history, OUTLETS)
    assert "January" in rewritten and "October" not in rewritten
    assert "Vision" in rewritten and find_outlets(rewritten, OUTLETS) == ("The Verge",)


def test_a_follow_up_naming_nothing_keeps_the_subject_outlet_and_period():
    rewritten = local_rewrite("When was it announced?", [(NVIDIA, "")], OUTLETS)
    assert rewritten.startswith("When was it announced?")
    assert "Nvidia" in rewritten and find_outlets(rewritten, OUTLETS) == ("TechCrunch",)
    history = [("What did TechCrunch publish in October about Nvidia's chip?", "")]
    rewritten = local_rewrite("When was it announced?", history, OUTLETS)
    ((period,),) = [find_periods(rewritten, date(2023, 12, 31))]
    assert period.since == date(2023, 10, 1)


def test_a_chain_of_follow_ups_keeps_the_latest_outlet_and_the_first_subject():
    history = [(NVIDIA, "Blackwell [1]."), ("And The Verge?", "Blackwell [1].")]
    rewritten = local_rewrite("When was it announced?", history, OUTLETS)
    assert find_outlets(rewritten, OUTLETS) == ("The Verge",)
    assert "Nvidia" in rewritten
    history.append(("What about in November?", "Blackwell [2]."))
    rewritten = local_rewrite("Who designed it?", history, OUTLETS)
    assert find_outlets(rewritten, OUTLETS) == ("The Verge",)
    assert "Nvidia" in rewritten and "November" in rewritten


@pytest.mark.parametrize(
    "question",
    [
        "What did Reuters report about the Apple Vision Pro in January?",
        "Which outlet first reported the Lachin corridor checkpoint?",
    ],
)
def test_a_new_standalone_question_is_left_alone(question):
    assert local_rewrite(question, [(NVIDIA, "Blackwell [1].")], OUTLETS) == question
    assert rewrite_question(question, [(NVIDIA, "")], None, OUTLETS) == question


def test_the_llm_is_told_that_a_new_outlet_replaces_the_old_one():
    model = FakeChatModel("What did The Verge report about Nvidia's chip?")
    follow_up = "And what did The Verge say about it?"
    assert rewrite_question(follow_up, [(NVIDIA, "")], model, OUTLETS) == (
        "What did The Verge report about Nvidia's chip?"
    )
    assert model.prompts[0][0] == REWRITE_SYSTEM and "replaces" in REWRITE_SYSTEM


def test_the_llm_fallback_knows_the_outlets():
    follow_up = "And what did The Verge say about it?"
    rewritten = rewrite_question(follow_up, [(NVIDIA, "")], FakeChatModel(fail=True), OUTLETS)
    assert find_outlets(rewritten, OUTLETS) == ("The Verge",)


@pytest.fixture(scope="module")
def news_answerer(tmp_path_factory, real_embedder):
    """An answerer over the tests' news corpus (eight outlets; Storm Edda is covered by Meridian
    Wire and, as a wire copy, by Lakeside Gazette)."""
    from index import Settings, open_index

    settings = Settings(data_dir=tmp_path_factory.mktemp("news") / "data")
    index = open_index(settings, embedder=real_embedder)
    report = index.add([NEWS_CORPUS])
    assert report.ok, report.errors
    return Answerer(index)


def test_ask_with_history_searches_the_newly_named_outlet(news_answerer):
    first = news_answerer.ask("What did Meridian Wire report about Storm Edda?")
    assert first.citations[0].passage.source == "Meridian Wire"
    history = [(first.question, first.text)]
    answer = news_answerer.ask("And what did Lakeside Gazette say about it?", history=history)
    assert "Lakeside Gazette" in answer.question and "Meridian Wire" not in answer.question
    assert "Edda" in answer.question
    assert news_answerer.retriever.plan(answer.question).outlets == ("Lakeside Gazette",)
    assert not answer.abstained
    assert answer.citations[0].passage.source == "Lakeside Gazette"
    assert "Edda" in answer.citations[0].passage.text


def test_ask_with_history_keeps_the_outlet_when_the_follow_up_names_none(news_answerer):
    history = [("What did Lakeside Gazette report about Storm Edda?", "")]
    answer = news_answerer.ask("Which river burst its banks?", history=history)
    assert news_answerer.retriever.plan(answer.question).outlets == ("Lakeside Gazette",)
    assert not answer.abstained and "Lenn" in answer.text
