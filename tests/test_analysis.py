"""Question plans: outlets, dates, publication periods, clauses, and feedback names."""

from __future__ import annotations

from datetime import date

import pytest

from qa.question.decompose import Clause, content_words, split_clauses
from qa.question.outlets import find_outlets, outlet_aliases
from qa.question.periods import find_dates, find_periods, parse_when
from qa.question.plan import QuestionPlan, plan_question
from qa.retrieval.feedback import expansion_terms

SOURCES = [
    "Daily Planet",
    "Gotham Gazette",
    "The Harbour Times | City News Desk",
    "Metro Wire - Sports",
    "Metro Wire - Business",
    "BBC News - Science",
    "Planet Science Weekly",
]
TODAY = date(2023, 12, 20)


# ---- outlets ---------------------------------------------------------------------------------


def test_outlets_are_found_by_full_and_short_name_in_order_of_mention():
    question = "Did the Gotham Gazette and The Harbour Times both cover the ferry strike?"
    assert find_outlets(question, SOURCES) == (
        "Gotham Gazette",
        "The Harbour Times | City News Desk",
    )


def test_outlet_names_match_whole_words_only_and_ignore_case():
    assert find_outlets("what did the daily planet say?", SOURCES) == ("Daily Planet",)
    assert find_outlets("A planetary daily planetarium review", SOURCES) == ()


def test_longest_outlet_name_wins_and_a_bare_shared_name_means_every_section():
    assert find_outlets("Metro Wire - Sports reported a transfer", SOURCES) == (
        "Metro Wire - Sports",
    )
    assert set(find_outlets("What did Metro Wire report?", SOURCES)) == {
        "Metro Wire - Sports",
        "Metro Wire - Business",
    }
    # "Planet Science Weekly" contains neither "Daily Planet" nor is it part of it.
    assert find_outlets("Planet Science Weekly says", SOURCES) == ("Planet Science Weekly",)


def test_short_uppercase_alias_is_case_sensitive():
    assert outlet_aliases("BBC News - Science") == ["BBC News - Science", "BBC News"]
    assert find_outlets("What did BBC News report on the comet?", SOURCES) == (
        "BBC News - Science",
    )


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on October 7, 2023", date(2023, 10, 7)),
        ("on Oct. 7th 2023", date(2023, 10, 7)),
        ("on 7 October 2023", date(2023, 10, 7)),
        ("on the 7th of October, 2023", date(2023, 10, 7)),
        ("dated 2023-10-07", date(2023, 10, 7)),
    ],
)
def test_date_forms(text, expected):
    assert find_dates(f"The match {text} was postponed", TODAY) == (expected,)


def test_a_date_without_year_is_the_latest_such_day_up_to_the_reference():
    assert find_dates("the vote on November 3", TODAY) == (date(2023, 11, 3),)
    assert find_dates("the parade on December 28", TODAY) == (date(2022, 12, 28),)


def test_impossible_dates_are_ignored():
    assert find_dates("on February 30, 2023 and 2023-13-01", TODAY) == ()


def test_parse_when_gives_the_span_of_months_parts_of_months_and_years():
    assert parse_when("November 2023") == (date(2023, 11, 1), date(2023, 11, 30))
    assert parse_when("late February 2024") == (date(2024, 2, 21), date(2024, 2, 29))
    assert parse_when("early March", TODAY) == (date(2023, 3, 1), date(2023, 3, 10))
    assert parse_when("2022") == (date(2022, 1, 1), date(2022, 12, 31))
    assert parse_when("soon") is None


# ---- publication periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, since, until",
    [
        (
            "What did the Daily Planet publish in October 2023 about the tram line?",
            date(2023, 10, 1),
            date(2023, 10, 31),
        ),
        (
            "Which stories published between 3 and 9 November mention the tram line?",
            date(2023, 11, 3),
            date(2023, 11, 9),
        ),
        (
            "Summarise coverage from November 3-9, 2023 on the tram line",
            date(2023, 11, 3),
            date(2023, 11, 9),
        ),
        ("What was reported after October 10, 2023 about the tram line?", date(2023, 10, 11), None),
        (
            "What did articles published before November say about the tram line?",
            None,
            date(2023, 10, 31),
        ),
        ("What news since October 15 covers the tram line?", date(2023, 10, 15), None),
        (
            "Which articles published in late November covered the tram line?",
            date(2023, 11, 21),
            date(2023, 11, 30),
        ),
    ],
)
def test_a_stated_publication_period_becomes_the_filter(question, since, until):
    plan = plan_question(question, SOURCES, TODAY)
    assert (plan.since, plan.until) == (since, until)
    assert plan.notes


def test_a_single_publication_day_is_widened_for_time_zones():
    plan = plan_question(
        "What did the Gotham Gazette report on October 7, 2023 about the dam?", SOURCES, TODAY
    )
    assert (plan.since, plan.until) == (date(2023, 10, 6), date(2023, 10, 8))


def test_an_event_date_is_a_hint_not_a_filter():
    plan = plan_question("Where did the council open the new bridge on April 23?", SOURCES, TODAY)
    assert plan.dates == (date(2023, 4, 23),)
    assert plan.since is None and plan.until is None
    assert find_periods("Did the flood on March 2 close the schools?", TODAY) == []


def test_comparisons_across_reports_are_never_filtered_by_date():
    question = (
        "Did the Daily Planet article published on October 7, 2023 and the Gotham Gazette "
        "article published on October 12, 2023 agree on the cost of the dam?"
    )
    plan = plan_question(question, SOURCES, TODAY)
    assert plan.comparative
    assert plan.outlets == ("Daily Planet", "Gotham Gazette")
    assert plan.dates == (date(2023, 10, 7), date(2023, 10, 12))
    assert plan.since is None and plan.until is None
    # One outlet, but "before/after" relates two reports: still no filter.
    later = plan_question(
        "Was the Daily Planet report published on October 7 consistent with later reports?",
        SOURCES,
        TODAY,
    )
    assert later.since is None and later.until is None


def test_latest_is_noticed():
    assert plan_question("What is the latest on the tram line?", SOURCES, TODAY).wants_latest
    assert not plan_question("What is known about the tram line?", SOURCES, TODAY).wants_latest


# ---- clauses ---------------------------------------------------------------------------------


def test_a_comparison_splits_into_one_clause_per_report_with_its_outlet():
    question = (
        "Does the Daily Planet article say the tram line will open in spring, while the "
        "Gotham Gazette article reports that its budget doubled?"
    )
    clauses = split_clauses(question, SOURCES, TODAY)
    assert [c.outlets for c in clauses] == [("Daily Planet",), ("Gotham Gazette",)]
    assert "spring" in clauses[0].text and "budget" in clauses[1].text
    assert "Gazette" not in clauses[1].topic and "budget" in clauses[1].topic


def test_lists_of_names_and_outlets_are_not_split():
    question = (
        "Which club, praised for its academy that produced Smith, Jones, and Brown, "
        "was fined for late payments, as reported by the Daily Planet, Gotham Gazette, "
        "and Metro Wire - Sports?"
    )
    clauses = split_clauses(question, SOURCES, TODAY)
    texts = [c.text for c in clauses]
    assert any("Smith, Jones, and Brown" in t for t in texts)
    assert clauses[-1].outlets == ("Daily Planet", "Gotham Gazette", "Metro Wire - Sports")
    assert all(len(content_words(t)) >= 3 for t in texts)


def test_a_report_date_belongs_to_the_outlet_clause_and_same_day_inherits_it():
    question = (
        "Between the Daily Planet report on the dam published on October 7, 2023, and the "
        "Gotham Gazette review of the dam published on the same day, did the cost estimates agree?"
    )
    clauses = split_clauses(question, SOURCES, TODAY)
    assert clauses[0].outlets == ("Daily Planet",) and clauses[0].dates == (date(2023, 10, 7),)
    assert clauses[1].outlets == ("Gotham Gazette",) and clauses[1].dates == (date(2023, 10, 7),)


def test_a_question_without_separators_is_one_clause():
    assert len(split_clauses("Where did the council open the new bridge?", SOURCES, TODAY)) == 1


def test_one_sentence_naming_two_outlets_is_cut_between_them():
    question = (
        "Does the Daily Planet piece describe the mayor's housing plan as popular with renters "
        "unlike the Gotham Gazette editorial calling the plan costly for landlords?"
    )
    clauses = split_clauses(question, SOURCES, TODAY)
    assert [c.outlets for c in clauses] == [("Daily Planet",), ("Gotham Gazette",)]


# ---- the plan --------------------------------------------------------------------------------


def test_the_plan_holds_the_clauses_with_what_each_names_and_the_whole_question():
    question = (
        "Which company, known for a sale day as reported by the Daily Planet, was criticised "
        "for its warehouse safety record by the Gotham Gazette on October 7, 2023?"
    )
    plan = plan_question(question, SOURCES, TODAY)
    assert plan.question == question and plan.asks_for_name
    assert plan.outlets == ("Daily Planet", "Gotham Gazette")
    assert list(plan.clauses) == split_clauses(question, SOURCES, TODAY)
    assert [c.outlets for c in plan.clauses if c.outlets] == [
        ("Daily Planet",),
        ("Gotham Gazette",),
    ]
    assert plan.clauses[-1].dates == (date(2023, 10, 7),)


def test_parts_are_empty_for_one_clause_and_inherit_the_question_outlets():
    assert plan_question("Where did the council open the new bridge?", SOURCES, TODAY).parts() == ()
    plan = QuestionPlan(
        "q",
        outlets=("Daily Planet",),
        clauses=(
            Clause("the tram line opened in spring"),
            Clause("budget doubled", ("Metro Wire - Sports",)),
        ),
    )
    assert [c.outlets for c in plan.parts()] == [("Daily Planet",), ("Metro Wire - Sports",)]
    assert [c.outlets for c in plan.parts(inherit_outlets=False)] == [(), ("Metro Wire - Sports",)]


def test_statements_cut_plainly_where_the_clause_split_keeps_a_comparison_whole():
    question = (
        "Was the coverage of the tram line consistent between the Daily Planet report published "
        "on October 7, 2023, and the one published on October 9, 2023?"
    )
    plan = plan_question(question, SOURCES, TODAY)
    assert plan.parts() == ()
    assert plan.statements() == (
        "Was the coverage of the tram line consistent between the Daily Planet report published "
        "on October 7, 2023",
        "the one published on October 9, 2023",
    )
    assert plan.statements(min_words=8) == plan.statements()[:1]


# ---- feedback names --------------------------------------------------------------------------


def test_feedback_adds_a_name_the_first_results_share_and_the_question_lacks():
    passages = [
        "Acme Robotics said on Monday that its warehouse robot ships next year.",
        "Shares of Acme Robotics fell after the recall. Analysts were unsure.",
        "The recall covers 4,000 units, Acme Robotics confirmed to Reuters.",
        "Meanwhile, Zenith Labs raised money from investors.",
    ]
    question = "Which company recalled 4,000 warehouse robots?"
    assert plan_question(question).asks_for_name
    assert expansion_terms(question, passages, max_terms=1) == ["Acme"]
    # A name the question already has, or one from a single passage, is not added.
    assert "Zenith" not in expansion_terms(question, passages, max_terms=5)
    assert expansion_terms("Did Acme Robotics recall robots?", passages, max_terms=5) == []


def test_only_questions_asking_for_a_name_get_feedback():
    assert plan_question("Who is the executive that resigned?").asks_for_name
    assert not plan_question("Did the executive resign?").asks_for_name
