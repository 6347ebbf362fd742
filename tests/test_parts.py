"""Questions that ask several things are cut into parts, each a question of its own."""

from __future__ import annotations

import pytest

from qa.question.parts import split_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who designed the Kestrel Bay footbridge and when will work on it start?",
            (
                "Who designed the Kestrel Bay footbridge?",
                "When will work on the Kestrel Bay footbridge start?",
            ),
        ),
        (
            "How much did the Calder dam cost, and who paid for it?",
            ("How much did the Calder dam cost?", "Who paid for the Calder dam?"),
        ),
        (
            "Who won the regatta at Vellmar, where was it held, and how many boats took part?",
            (
                "Who won the regatta at Vellmar?",
                "Where was the regatta at Vellmar held?",
                "How many boats took part?",
            ),
        ),
        (
            "Which bank bought Ostmark Savings; what did its shareholders receive?",
            (
                "Which bank bought Ostmark Savings?",
                "What did Ostmark Savings's shareholders receive?",
            ),
        ),
    ],
)
def test_a_question_asking_several_things_is_cut_into_parts(question, parts):
    assert split_parts(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Who designed the Kestrel Bay footbridge?",
        # one thing asked under two conditions: the multi-hop clause split's business
        "Which company, reported by TechCrunch and The Verge, is facing a lawsuit over search?",
        "When and where did the regatta take place?",
        "What did the mayor say and why?",
        "Did the council approve the plan, and when?",
    ],
)
def test_a_question_asking_one_thing_is_not_cut(question):
    assert split_parts(question) == ()
