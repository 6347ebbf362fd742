"""Timeline questions are recognised in every usual wording, and nothing else is taken for one."""

from __future__ import annotations

from datetime import date

import pytest

from qa.question.answer_type import AnswerType, expected_answer
from qa.question.plan import plan_question
from qa.question.timeline import Relation, TimelineRequest, read_timeline, story_period

A, AFTER, BEFORE = Relation.ALL, Relation.AFTER, Relation.BEFORE


@pytest.mark.parametrize(
    ("question", "topic", "relation", "anchor"),
    [
        ("Timeline of the Veldmark tram strike", "the Veldmark tram strike", A, ""),
        ("Give me a timeline of the tram strike.", "the tram strike", A, ""),
        ("Can you give me a timeline of the harbour dispute?", "the harbour dispute", A, ""),
        ("What is the timeline of the merger talks?", "the merger talks", A, ""),
        ("The Lachin Corridor dispute timeline", "Lachin Corridor dispute", A, ""),
        ("How did the tram strike unfold?", "the tram strike", A, ""),
        ("How did the sign-stealing scandal develop?", "the sign-stealing scandal", A, ""),
        ("How has the price war evolved over time?", "the price war", A, ""),
        ("How is the fraud trial progressing?", "the fraud trial", A, ""),
        ("How did the dispute play out?", "the dispute", A, ""),
        ("How did the merger talks unravel?", "the merger talks", A, ""),
        ("How is the coalition unravelling?", "the coalition", A, ""),
        (
            "How did the club's December unfold under its new coach?",
            ("the club's December under its new coach"),
            A,
            "",
        ),
        ("What is the sequence of events in the ferry sinking?", "the ferry sinking", A, ""),
        ("Describe the chronology of the dock strike", "the dock strike", A, ""),
        ("What were the key events of the trial?", "the trial", A, ""),
        (
            "List the events of the bank collapse in chronological order.",
            "the bank collapse",
            A,
            "",
        ),
        ("Walk me through the antitrust case.", "the antitrust case", A, ""),
        ("Trace the history of the songs fund.", "the songs fund", A, ""),
        (
            "Trace the conductor's career from the youth orchestra to the opera house.",
            "the conductor's career from the youth orchestra to the opera house",
            A,
            "",
        ),
        ("Chart the rise of the ferry operator.", "the ferry operator", A, ""),
        ("What is the history of the Lachin Corridor?", "the Lachin Corridor", A, ""),
        (
            "What happened after the board fired its chief executive?",
            "the board fired its chief executive",
            AFTER,
            "the board fired its chief executive",
        ),
        (
            "What has happened since the regulator warned the platform?",
            "the regulator warned the platform",
            AFTER,
            "the regulator warned the platform",
        ),
        (
            "What happened next after the jury's verdict?",
            "the jury's verdict",
            AFTER,
            "the jury's verdict",
        ),
        (
            "What happened to the robotaxi company after the crash?",
            "the robotaxi company the crash",
            AFTER,
            "the crash",
        ),
        ("What happened before the settlement?", "the settlement", BEFORE, "the settlement"),
        (
            "What events led up to the founder's guilty plea?",
            "the founder's guilty plea",
            BEFORE,
            "the founder's guilty plea",
        ),
        (
            "How did the talks develop after the vote in November?",
            "the talks",
            AFTER,
            "the vote in November",
        ),
        # Spelled with a hyphen, with a space or as one word (the hyphen once raised KeyError).
        ("What happened in the run-up to the election?", "the election", BEFORE, "the election"),
        ("What happened in the lead-up to the vote?", "the vote", BEFORE, "the vote"),
        ("What happened in the runup to the vote?", "the vote", BEFORE, "the vote"),
        (
            "How did the talks develop in the run up to the vote?",
            "the talks",
            BEFORE,
            "the vote",
        ),
        (
            "How did the ferry company fare after the strike?",
            "the ferry company",
            AFTER,
            "the strike",
        ),
        (
            "How did the club's season go after the coach was sacked?",
            "the club's season",
            AFTER,
            "the coach was sacked",
        ),
        (
            "What happened between the mayor and the council after the vote?",
            "the mayor and the council the vote",
            AFTER,
            "the vote",
        ),
    ],
)
def test_timeline_questions_are_read_with_their_story_and_anchor(question, topic, relation, anchor):
    assert read_timeline(question) == TimelineRequest(topic, relation, anchor)


@pytest.mark.parametrize(
    "question",
    [
        "What happened on October 7?",  # a date
        "What led to the collapse of the exchange?",  # a reason
        "Who was fired by the board?",
        "Did TechCrunch report the firing before The Verge?",  # the order of two reports
        "Does the history of the club matter to its fans?",
        "Why did the talks collapse?",
        "Why did the deal unravel?",  # a reason
        "How did the drivers return to work?",  # a manner
        "How much did the strike cost the shops?",
        "Where did the ferry sink?",
        "Did investigators trace the money to the ferry operator?",
        "How did the match go?",  # one event
        "How did the team fare against Spain?",
        "How did the drivers go to work after the strike?",  # going somewhere
        "What happened between the two votes?",  # a period, no anchor
        "",
    ],
)
def test_other_questions_are_not_timelines(question):
    assert read_timeline(question) is None


def test_a_timeline_question_has_its_own_answer_type_and_the_plan_keeps_the_request():
    question = "How did the Veldmark tram strike unfold?"
    expected = expected_answer(question)
    assert expected.answer_type is AnswerType.TIMELINE
    assert expected.focus == "the Veldmark tram strike"
    plan = plan_question(question)
    assert plan.answer_type is AnswerType.TIMELINE
    assert plan.timeline == TimelineRequest("the Veldmark tram strike")
    assert plan_question("Who called the strike?").timeline is None


def test_the_search_words_join_a_subject_and_its_anchor():
    request = read_timeline("What happened to the robotaxi company after the crash?")
    assert request is not None
    assert request.query == "the robotaxi company the crash"
    assert read_timeline("What happened after the crash?").query == "the crash"


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("How did the club's December unfold?", (date(2023, 12, 1), date(2023, 12, 31))),
        ("Timeline of the talks since October", (date(2023, 10, 1), None)),
        ("How did the strike develop in 2023?", (date(2023, 1, 1), date(2023, 12, 31))),
        ("How did the strike develop during March?", (date(2023, 3, 1), date(2023, 3, 31))),
        ("How did India's 2023 World Cup campaign unfold?", None),  # names the event
        ("Timeline of the tram strike", None),
        # the month dates the summit (the anchor), not the events that led up to it
        ("What events led up to the summit in San Francisco in November 2023?", None),
        ("What happened after the vote in March?", None),
        # the year ends a span: the story runs up to it
        (
            "Timeline of Don McLean's career, from his birth to his Christmas album of 2023",
            (date.min, date(2023, 12, 31)),
        ),
        # so does a period after "up to"
        (
            "Timeline of the fight against its financing, up to the sanctions of October 2023",
            (date.min, date(2023, 10, 31)),
        ),
        # "of decentralized" names no December
        ("Timeline of the fediverse of decentralized apps after Musk bought Twitter", None),
    ],
)
def test_a_period_named_in_the_question_bounds_the_story(question, period):
    request = read_timeline(question)
    assert request is not None
    assert story_period(request, date(2023, 12, 25)) == period


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "How did cranberries become a Thanksgiving staple? Give me their history in America.",
            "cranberries become a Thanksgiving staple in America",
        ),
        ("What happened to the port? Tell me its history.", "the port"),
        ("I cover the port. How did the dock strike unfold?", "the dock strike"),
    ],
)
def test_a_sentence_asking_for_an_account_is_read_within_a_longer_question(question, topic):
    request = read_timeline(question)
    assert request is not None
    assert request.topic == topic


@pytest.mark.parametrize(
    "question", ["Who runs the port? What does she do?", "The board met. Was it legal?"]
)
def test_a_longer_question_without_an_account_asked_is_not_a_timeline(question):
    assert read_timeline(question) is None


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "How did the port go from record traffic to a standstill?",
            "the port from record traffic to a standstill",
        ),
        (
            "How did the shares fare from the listing to the crash?",
            "the shares from the listing to the crash",
        ),
        (
            "The mayor's career in chronological order, from the council to city hall",
            "mayor's career from the council to city hall",
        ),
    ],
)
def test_a_story_from_one_state_to_another_is_a_timeline(question, topic):
    request = read_timeline(question)
    assert request is not None
    assert request.topic == topic


def test_going_somewhere_is_not_a_timeline():
    assert read_timeline("Where did the mayor go from there?") is None
    assert read_timeline("How did the mayor get to work?") is None


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "What happened to Harbour United in the 2023-24 cup group stage?",
            "Harbour United in the 2023-24 cup group stage",
        ),
        ("What happened during the tram strike?", "the tram strike"),
        ("What happened in the ferry saga in November?", "the ferry saga in November"),
        ("What happened to the port during 2023?", "the port during 2023"),
        ("What happened with the robotaxis this autumn?", "the robotaxis this autumn"),
        ("What happened in Veldmark over the past month?", "Veldmark over the past month"),
        ("What happened to the shares last week?", "the shares last week"),
        (
            "What happened in the club's season in the autumn of 2023, her first there?",
            "the club's season in the autumn of 2023, her first there",
        ),
        (
            "What happened in the war in the north during 2023?",
            "the war in the north during 2023",
        ),
    ],
)
def test_what_happened_over_a_stretch_of_time_is_a_timeline(question, topic):
    assert read_timeline(question) == TimelineRequest(topic)


@pytest.mark.parametrize(
    "question",
    [
        "What happened to the ferry?",  # its fate: one event
        "What happened in Veldmark?",
        "What happened in October?",  # a month with no subject
        "What happened during November?",
        "What happened to safety bumpers in 1979?",  # "in" a year may date one event
        "What happened to the shares on October 7?",  # one day
        "What happened to the shares yesterday?",
        "What happened to the shares in the end?",
        "What happened during the match?",  # not a stretch of time
        "What happened yesterday in Veldmark?",
    ],
)
def test_what_happened_to_something_at_one_time_is_not_a_timeline(question):
    assert read_timeline(question) is None


def test_the_period_of_a_stretch_bounds_the_story():
    request = read_timeline("What happened in the ferry saga in November?")
    assert story_period(request, date(2023, 12, 20)) == (date(2023, 11, 1), date(2023, 11, 30))


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "How did the harvest fair become a national holiday?",
            "the harvest fair a national holiday",
        ),
        ("How did the mayor come to be the owner of the club?", "the mayor the owner of the club"),
    ],
)
def test_how_something_became_a_thing_is_a_timeline(question, topic):
    assert read_timeline(question) == TimelineRequest(topic)


@pytest.mark.parametrize(
    "question", ["How did the fire become so deadly?", "How did she become famous?"]
)
def test_how_something_became_so_is_not_a_timeline(question):
    assert read_timeline(question) is None


@pytest.mark.parametrize(
    "question",
    ["How did the strike unfold? Give me the details.", "How did the strike unfold? Who led it?"],
)
def test_the_sentence_after_an_account_asked_for_is_not_part_of_its_story(question):
    assert read_timeline(question) == TimelineRequest("the strike")


def test_the_sentence_after_an_anchored_question_is_not_part_of_its_anchor():
    assert read_timeline("What happened after the vote? Who won?") == TimelineRequest(
        "the vote", AFTER, "the vote"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "How did the port's trade develop after Sept. 11?",
            TimelineRequest("the port's trade", AFTER, "Sept. 11"),
        ),
        (
            "How did the talks develop after the Nov. 3 vote?",
            TimelineRequest("the talks", AFTER, "the Nov. 3 vote"),
        ),
        ("How did the strike unfold in St. Louis?", TimelineRequest("the strike in St. Louis")),
    ],
)
def test_an_abbreviation_s_full_stop_does_not_end_the_question(question, expected):
    assert read_timeline(question) == expected
