"""Answering as of a day: ``ask(question, as_of=...)`` and relative dates in questions.

The unit tests read relative dates ("yesterday", "last week", "the past 3 days") against a fixed
reference day. The others run on a small real index (real Chroma on disk, the hashed
bag-of-words fake embedder) of seven invented articles about one river ferry, published over
six weeks of autumn 2023, the newest on Wednesday 15 November.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from index import Article, open_index
from index.errors import QuestionError
from qa import Answerer, AsOf
from qa.answer import prompts
from qa.as_of import cap_until, parse_as_of, reference_day
from qa.question.periods import find_dates, find_periods
from qa.question.plan import plan_question
from qa.question.relative import resolve_relative
from tests.fakes import FakeChatModel

FRIDAY = date(2023, 11, 10)

# Each report in its own words: near-identical texts would be one passage shown once (copies).
ARTICLES = [
    (
        "https://ferry.example/1",
        date(2023, 10, 2),
        "The river ferry's winter timetable was announced on Monday, with fewer crossings "
        "between Northbank and Southbank after dark.",
    ),
    (
        "https://ferry.example/2",
        date(2023, 10, 18),
        "River ferry fares rose by a tenth this week; season tickets for commuters were spared.",
    ),
    (
        "https://ferry.example/3",
        date(2023, 10, 31),
        "A new river ferry boat, built in the Northbank yard, was launched before a crowd of "
        "two hundred.",
    ),
    (
        "https://ferry.example/4",
        date(2023, 11, 3),
        "Crews of the river ferry went on strike over pay, leaving Southbank passengers to take "
        "the long road bridge.",
    ),
    (
        "https://ferry.example/5",
        date(2023, 11, 7),
        "The river ferry strike ended after the union accepted a two-year pay offer.",
    ),
    (
        "https://ferry.example/6",
        date(2023, 11, 14),
        "Full service returned to the river ferry as both boats sailed to the old timetable.",
    ),
    (
        "https://ferry.example/7",
        date(2023, 11, 15),
        "The river ferry operator named a new chief executive, a former harbour master.",
    ),
]
NEWEST = date(2023, 11, 15)
QUESTION = "What happened with the river ferry?"


# ---- relative dates, read against a reference day -------------------------------------------


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("today", FRIDAY, FRIDAY),
        ("yesterday", date(2023, 11, 9), date(2023, 11, 9)),
        ("the day before yesterday", date(2023, 11, 8), date(2023, 11, 8)),
        ("3 days ago", date(2023, 11, 7), date(2023, 11, 7)),
        ("this week", date(2023, 11, 6), FRIDAY),
        ("last week", date(2023, 10, 30), date(2023, 11, 5)),
        ("two weeks ago", date(2023, 10, 23), date(2023, 10, 29)),
        ("this month", date(2023, 11, 1), FRIDAY),
        ("last month", date(2023, 10, 1), date(2023, 10, 31)),
        ("a month ago", date(2023, 10, 1), date(2023, 10, 31)),
        ("this year", date(2023, 1, 1), FRIDAY),
        ("last year", date(2022, 1, 1), date(2022, 12, 31)),
        ("the past 3 days", date(2023, 11, 7), FRIDAY),
        ("last two weeks", date(2023, 10, 27), FRIDAY),
        ("the past week", date(2023, 11, 3), FRIDAY),
        ("the last month", date(2023, 10, 10), FRIDAY),
    ],
)
def test_relative_dates_resolve_against_the_reference_day(text, first, last):
    assert resolve_relative(text, FRIDAY) == (first, last)


def test_last_month_in_january_is_december_of_the_year_before():
    assert resolve_relative("last month", date(2024, 1, 15)) == (
        date(2023, 12, 1),
        date(2023, 12, 31),
    )
    assert resolve_relative("the past month", date(2024, 3, 31)) == (
        date(2024, 2, 29),
        date(2024, 3, 31),
    )


def test_names_and_other_words_are_not_relative_dates():
    assert resolve_relative("Today", FRIDAY) is None  # "USA Today" is an outlet
    assert resolve_relative("recently", FRIDAY) is None  # no span of its own
    assert resolve_relative("900 years ago", date(300, 1, 1)) is None


@pytest.mark.parametrize(
    "question, since, until",
    [
        ("What was reported last week about the ferry?", date(2023, 10, 30), date(2023, 11, 5)),
        ("Any news from yesterday on the strike?", date(2023, 11, 9), date(2023, 11, 9)),
        ("What did last week's coverage say?", date(2023, 10, 30), date(2023, 11, 5)),
        ("Last week's coverage of the ferry?", date(2023, 10, 30), date(2023, 11, 5)),
        ("Yesterday's news on the strike?", date(2023, 11, 9), date(2023, 11, 9)),
        ("What did articles in the past 3 days say?", date(2023, 11, 7), FRIDAY),
        ("Which stories were published this month?", date(2023, 11, 1), FRIDAY),
        ("What was covered over the last two weeks?", date(2023, 10, 27), FRIDAY),
        ("Anything in the coverage since last month?", date(2023, 10, 1), None),
        ("Was it reported before last week?", None, date(2023, 10, 29)),
    ],
)
def test_a_relative_date_after_a_publication_word_is_a_publication_period(question, since, until):
    ((period,),) = [find_periods(question, FRIDAY)]
    assert (period.since, period.until) == (since, until)


@pytest.mark.parametrize(
    "question",
    [
        "Who won the match last week?",  # an event's time, not the articles'
        "What did the articles from the last week of October say?",  # a week of a month
        "What was reported by USA Today about the ferry?",  # an outlet's name
        "Who reported last year's results?",  # a possessive of something else
        "What has been reported recently about the ferry?",  # no span to filter by
    ],
)
def test_other_relative_words_are_no_publication_period(question):
    assert find_periods(question, FRIDAY) == []


def test_a_relative_day_is_a_date_hint_like_a_calendar_date():
    assert find_dates("What happened 3 days ago in the harbour?", FRIDAY) == (date(2023, 11, 7),)
    assert find_dates("Is the bridge open today or was it yesterday?", FRIDAY) == (
        FRIDAY,
        date(2023, 11, 9),
    )
    assert find_dates("What did USA Today report about the bridge?", FRIDAY) == ()


def test_the_plan_filters_by_a_relative_period_and_records_its_reference():
    plan = plan_question("What was reported last week about the ferry?", (), FRIDAY)
    assert (plan.since, plan.until, plan.reference) == (
        date(2023, 10, 30),
        date(2023, 11, 5),
        FRIDAY,
    )
    # One publication day is widened by a day either side, as a calendar day is.
    plan = plan_question("What was in the news yesterday?", (), FRIDAY)
    assert (plan.since, plan.until) == (date(2023, 11, 8), FRIDAY)
    assert plan_question("Who won the match last week?", (), FRIDAY).since is None


# ---- the as-of option ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, day",
    [
        (None, None),
        (FRIDAY, FRIDAY),
        (datetime(2023, 11, 10, 23, 30), FRIDAY),
        ("2023-11-10", FRIDAY),
        (" 2023-11-10 ", FRIDAY),
    ],
)
def test_as_of_takes_a_date_a_datetime_or_an_iso_day(value, day):
    assert parse_as_of(value) == day


@pytest.mark.parametrize("value", ["2023-13-01", "10/11/2023", "last week", ""])
def test_a_bad_as_of_string_is_refused_with_what_to_write(value):
    with pytest.raises(QuestionError, match=r"^as_of: .* is not a date; use YYYY-MM-DD"):
        parse_as_of(value)


def test_an_as_of_of_another_type_is_refused():
    with pytest.raises(TypeError, match="as_of must be a date, a datetime or a 'YYYY-MM-DD'"):
        parse_as_of(20231110)


def test_a_given_as_of_caps_until_and_the_default_caps_nothing():
    given, default = reference_day(FRIDAY, NEWEST), reference_day(None, NEWEST)
    assert given == AsOf(FRIDAY, given=True) and default == AsOf(NEWEST, given=False)
    assert reference_day(None, None).day == date.today()
    assert cap_until(None, given) == FRIDAY
    assert cap_until(date(2023, 12, 1), given) == FRIDAY
    assert cap_until(date(2023, 11, 1), given) == date(2023, 11, 1)
    assert cap_until(None, default) is None
    assert given.describe() == "as of 10 Nov 2023"
    assert default.describe() == "as of 15 Nov 2023 (the newest article)"


def test_the_model_is_told_the_as_of_day_before_the_question():
    message = prompts.user_message("What happened yesterday?", ["[1] A\nx"], as_of=FRIDAY)
    assert message.endswith(
        "Today is 2023-11-10 (Friday).\nQuestion: What happened yesterday?\nAnswer:"
    )


# ---- on an index -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from index import Settings
    from tests.fakes import FakeEmbedder

    settings = Settings(data_dir=tmp_path_factory.mktemp("as-of") / "data")
    opened = open_index(settings, embedder=FakeEmbedder())
    report = opened.add_articles(
        [
            Article(
                id=url,
                title=f"River ferry news, {published.isoformat()}",
                text=what,
                source="Riverside Post",
                published=published,
                url=url,
            )
            for url, published, what in ARTICLES
        ]
    )
    assert report.ok and report.added == len(ARTICLES)
    return opened


@pytest.fixture
def answerer(index):
    return Answerer(index)


def _days(passages) -> set[date]:
    return {p.published for p in passages}


def test_as_of_keeps_later_articles_out(answerer):
    assert _days(answerer.retrieve(QUESTION)) == {d for _, d, _ in ARTICLES}
    day = date(2023, 10, 20)
    assert _days(answerer.retrieve(QUESTION, as_of=day)) == {date(2023, 10, 2), date(2023, 10, 18)}
    answer = answerer.ask(QUESTION, as_of=day)
    assert answer.as_of == AsOf(day, given=True)
    assert answer.filters.until == day and not answer.filters.from_question
    shown = [c.passage for c in answer.citations] + list(answer.nearest)
    assert shown and all(p.published <= day for p in shown)


def test_an_explicit_until_later_than_as_of_is_capped_and_an_earlier_one_kept(answerer):
    day = date(2023, 11, 8)
    capped = answerer.ask(QUESTION, until=date(2023, 11, 30), as_of=day)
    assert capped.filters.until == day
    kept = answerer.ask(QUESTION, since=date(2023, 10, 10), until=date(2023, 11, 1), as_of=day)
    assert (kept.filters.since, kept.filters.until) == (date(2023, 10, 10), date(2023, 11, 1))


def test_without_as_of_the_answer_is_as_of_the_newest_article_and_nothing_is_capped(answerer):
    answer = answerer.ask(QUESTION)
    assert answer.as_of == AsOf(NEWEST, given=False)
    assert answer.filters.until is None


def test_last_week_is_read_against_the_newest_article_by_default(answerer):
    # Wednesday 15 November: last week ran from 6 to 12 November.
    answer = answerer.ask("What was reported last week about the river ferry?")
    assert (answer.filters.since, answer.filters.until) == (date(2023, 11, 6), date(2023, 11, 12))
    assert answer.filters.from_question
    found = answerer.retrieve("What was reported last week about the river ferry?")
    assert _days(found) == {date(2023, 11, 7)}


def test_last_week_is_read_against_the_as_of_day(answerer):
    # Wednesday 8 November: last week ran from 30 October to 5 November.
    question = "What was reported last week about the river ferry?"
    answer = answerer.ask(question, as_of="2023-11-08")
    assert (answer.filters.since, answer.filters.until) == (date(2023, 10, 30), date(2023, 11, 5))
    assert answer.as_of == AsOf(date(2023, 11, 8), given=True)
    assert _days(answerer.retrieve(question, as_of="2023-11-08")) == {
        date(2023, 10, 31),
        date(2023, 11, 3),
    }


def test_yesterday_and_this_month_follow_the_as_of_day(answerer):
    as_of = datetime(2023, 11, 4, 9, 0)
    found = answerer.retrieve("What was in the news yesterday about the river ferry?", as_of=as_of)
    # Yesterday was 3 November, widened by a day for time zones, and nothing after 4 November.
    assert _days(found) == {date(2023, 11, 3)}
    found = answerer.retrieve("Which river ferry stories were published this month?", as_of=as_of)
    assert _days(found) == {date(2023, 11, 3)}


def test_a_question_period_reaching_past_as_of_is_cut_at_it(answerer):
    question = "What did articles from November 2023 say about the river ferry?"
    answer = answerer.ask(question, as_of=date(2023, 11, 8))
    assert (answer.filters.since, answer.filters.until) == (date(2023, 11, 1), date(2023, 11, 8))
    assert _days(answerer.retrieve(question, as_of=date(2023, 11, 8))) == {
        date(2023, 11, 3),
        date(2023, 11, 7),
    }


def test_since_after_as_of_leaves_nothing_and_says_so(answerer):
    answer = answerer.ask(QUESTION, since=date(2023, 11, 10), as_of=date(2023, 11, 8))
    assert answer.abstained and answer.citations == () and answer.nearest == ()
    assert "no articles: 10 Nov 2023 is after 8 Nov 2023" in answer.text


def test_a_bad_as_of_fails_at_the_call_before_any_search(answerer, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the question was searched")

    monkeypatch.setattr(answerer.retriever, "retrieve", refuse)
    with pytest.raises(QuestionError, match="as_of: '2023-11-31' is not a date"):
        answerer.stream(QUESTION, as_of="2023-11-31")
    with pytest.raises(QuestionError, match="as_of: '8 Nov' is not a date"):
        answerer.ask(QUESTION, as_of="8 Nov")
    with pytest.raises(TypeError, match="as_of must be"):
        answerer.retrieve(QUESTION, as_of=1699401600)


def test_a_written_answer_is_as_of_the_day_the_model_was_told(index):
    def reply(system: str, user: str) -> str:
        return "The strike ended\nThe river ferry strike ended [1]."

    model = FakeChatModel(reply, model="scripted-ferry")
    answerer = Answerer(index, chat_model=model)
    updates = list(answerer.stream(QUESTION, as_of=date(2023, 11, 8)))
    final = updates[-1]
    assert model.prompts, "the evidence gate let the model answer"
    assert "Today is 2023-11-08 (Wednesday).\nQuestion: " in model.prompts[-1][1]
    assert final.mode.llm_model == "scripted-ferry" and final.complete
    assert all(u.as_of == AsOf(date(2023, 11, 8), given=True) for u in updates)
    assert all(c.passage.published <= date(2023, 11, 8) for c in final.citations)
