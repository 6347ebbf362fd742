"""The expected answer type and focus: read from the question once, stored in the plan."""

from __future__ import annotations

import pytest

import qa.question.plan as plan_module
from qa.question.answer_type import HEAD_NOUNS, AnswerType, ExpectedAnswer, expected_answer
from qa.question.plan import plan_question

T = AnswerType

EXAMPLES: dict[AnswerType, tuple[str, ...]] = {
    T.PERSON: (
        "Who is the CEO of Northwind?",
        "Whom did the club appoint as manager?",
        "Which player scored the winning goal in the final?",
        "Who was Apple's chief executive when the iPhone launched?",
        "Name the author of the report on river pollution.",
        "To whom did the minister hand the award?",
    ),
    T.ORGANISATION: (
        "Which company bought the chip designer last year?",
        "What firm advised the city on the bond sale?",
        "Which startup, backed by Sequoia and reported by two outlets, makes the app?",
        "Who is the developer of the game?",
        "Which news outlet first reported the leak?",
    ),
    T.PLACE: (
        "Where was the climate summit held?",
        "In which city will the final be played?",
        "Which country signed the treaty first?",
        "From which port did the ship leave?",
        "What venue hosted the concert?",
    ),
    T.DATE: (
        "When did the factory close?",
        "In what year was the bank founded?",
        "What date is the election scheduled for?",
        "What time does the launch start?",
        "The museum reopened on which day?",
    ),
    T.DURATION: (
        "How long did the strike last?",
        "For how long was the airport closed?",
        "How many years did she serve as mayor?",
        "How much time did the rescue take?",
        "What prison sentence did the judge hand down?",
    ),
    T.COUNT: (
        "How many people died in the flood?",
        "What is the population of the island?",
        "How many new jobs will the plant create?",
        "What was the death toll after the earthquake?",
        "What is the number of employees at the firm?",
    ),
    T.MONEY: (
        "How much does the Lake Orsk solar project cost?",
        "What was the price of the new console?",
        "How big was the fine imposed on the bank?",
        "What did the club pay for the striker?",
        "What is the share price of the retailer?",
        "How much did the startup raise in its latest round?",
    ),
    T.PERCENTAGE: (
        "What percentage of voters backed the plan?",
        "What is the company's market share in Europe?",
        "By how much did shares fall on Monday?",
        "What was the unemployment rate in March?",
        "How large a stake did the fund take?",
    ),
    T.MEASURE: (
        "How tall is the new tower?",
        "How far is the crash site from the airport?",
        "What is the top speed of the train?",
        "How heavy is the satellite?",
        "How long is the bridge?",
        "How many kilometres of track were laid?",
        "How old is the prime minister?",
    ),
    T.QUOTE: (
        "What did the minister say about the budget?",
        "What did the regulator tell reporters after the hearing?",
        "How did the company respond to the lawsuit?",
        "What was the union's response to the offer?",
    ),
    T.REASON: (
        "Why did the talks collapse?",
        "What caused the power outage in the north?",
        "How did the team qualify for the final?",
        "What was the main reason for the delay?",
        "For what reason was the match postponed?",
    ),
    T.YESNO: (
        "Did the council approve the budget?",
        "Is the stadium ready for the final?",
        "Has the airline resumed flights to the island?",
        "Could you tell me whether the vote passed?",
        "Does the Verge article say the phone is cheaper than the Guardian's report claims?",
    ),
    T.LIST: (
        "Name three companies that left the index.",
        "Which two players were injured in the match?",
        "What are some risks the report mentions?",
        "List the countries that joined the alliance.",
    ),
    T.TIMELINE: (
        "How did the dock strike unfold?",
        "Give me a timeline of the merger talks.",
        "What happened after the board fired its chief executive?",
        "What events led up to the founder's guilty plea?",
    ),
    T.ENTITY: (
        "Which product did the company recall?",
        "What award did the film win?",
        "Which tournament did the team win in 2022?",
        "What is the name of the law passed in June?",
        "Which entity is investigating the merger?",
    ),
    T.OTHER: (
        "What did the report find?",
        "What is quantum computing?",
        "Tell me about the flood.",
        "",
    ),
}


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [(q, t) for t, questions in EXAMPLES.items() for q in questions],
)
def test_each_type_is_read_from_its_questions(question, answer_type):
    assert expected_answer(question).answer_type == answer_type


def test_every_type_has_at_least_three_examples():
    assert set(EXAMPLES) == set(AnswerType)
    assert all(len([q for q in qs if q]) >= 3 for qs in EXAMPLES.values())


@pytest.mark.parametrize(
    ("question", "answer_type", "focus"),
    [
        ("How much does the Lake Orsk solar project cost?", T.MONEY, "cost"),
        ("How tall is the tower?", T.MEASURE, "tall"),
        ("Which company bought X?", T.ORGANISATION, "company"),
        ("Who is the CEO of X?", T.PERSON, "CEO"),
        ("How many people died?", T.COUNT, "people"),
        ("What percentage of homes lost power?", T.PERCENTAGE, "percentage"),
        ("What is the firm's market share?", T.PERCENTAGE, "market share"),
        ("Who is Northwind's chief executive?", T.PERSON, "chief executive"),
        ("Where did Azerbaijan set up a checkpoint on April 23?", T.PLACE, "checkpoint"),
        ("Where was the summit held?", T.PLACE, "summit"),
        ("Why did the talks collapse?", T.REASON, "talks"),
        ("How long did the strike last?", T.DURATION, "long"),
        ("What did the minister say about the budget?", T.QUOTE, "budget"),
        ("What was the total cost of the stadium?", T.MONEY, "cost"),
        (
            "Which IIHS executive, vice president of its research centre, spoke?",
            T.PERSON,
            "executive",
        ),
        ("How many electric vehicles did the firm deliver?", T.COUNT, "electric vehicles"),
        ("What is the stock price of the carmaker?", T.MONEY, "stock price"),
    ],
)
def test_focus_is_words_from_the_question(question, answer_type, focus):
    assert expected_answer(question) == ExpectedAnswer(answer_type, focus)
    assert focus.lower() in question.lower()


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        (
            "Which company, reported by TechCrunch as a leader in chips and by The Verge as a "
            "rival to Intel, is planning a new factory?",
            T.ORGANISATION,
        ),
        (
            "Who, according to the Guardian's report on the strike and the BBC's later piece on "
            "the settlement, led the negotiations?",
            T.PERSON,
        ),
        (
            "Considering the BBC's coverage of the floods and a Reuters report on the recovery, "
            "which city was hit hardest?",
            T.PLACE,
        ),
        (
            "According to the Financial Times, how much did the bank pay to settle the case, and "
            "did the regulator accept it?",
            T.MONEY,
        ),
        (
            "What is the name of the organisation that, despite losses reported by Wired, "
            "launched the model covered by TechCrunch?",
            T.ORGANISATION,
        ),
        (
            "Does the Verge article report a delay, while the TechCrunch article published "
            "later says the launch is on time?",
            T.YESNO,
        ),
        (
            "When comparing the two reports, which outlet gave the higher estimate?",
            T.ORGANISATION,
        ),
        ("The new stadium, which opened in March, was designed by whom?", T.PERSON),
    ],
)
def test_multi_part_questions_are_typed_by_what_they_ask(question, answer_type):
    assert expected_answer(question).answer_type == answer_type


def test_lexicon_longest_phrase_wins():
    assert HEAD_NOUNS["market share"] == T.PERCENTAGE
    assert HEAD_NOUNS["share price"] == T.MONEY
    assert expected_answer("What is the share price?").answer_type == T.MONEY
    assert expected_answer("What is the market share?").answer_type == T.PERCENTAGE


def test_noun_phrases_end_where_a_clause_begins():
    # a name after a common noun starts a relative clause; an acronym does not
    assert expected_answer("What is the name of the show Maria Lopez presents?") == (
        ExpectedAnswer(T.ENTITY, "show")
    )
    assert expected_answer("What is Brazil's nominal GDP?") == ExpectedAnswer(T.MONEY, "GDP")
    assert expected_answer("In which journal was the study published?") == (
        ExpectedAnswer(T.ENTITY, "journal")
    )


def test_plan_question_fills_answer_type_and_focus():
    plan = plan_question("How much did the Lake Orsk solar project cost?", ["BBC"])
    assert plan.answer_type == T.MONEY
    assert plan.focus == "cost"
    plain = plan_question("Tell me about the flood.")
    assert (plain.answer_type, plain.focus) == (T.OTHER, "")


def test_plan_reads_the_answer_type_in_its_single_pass(monkeypatch):
    calls = []
    real = plan_module.expected_answer

    def counting(question):
        calls.append(question)
        return real(question)

    monkeypatch.setattr(plan_module, "expected_answer", counting)
    plan = plan_question("Which company bought the chip designer?")
    assert calls == ["Which company bought the chip designer?"]
    assert (plan.answer_type, plan.focus) == (T.ORGANISATION, "company")
