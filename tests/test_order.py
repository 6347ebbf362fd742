"""Questions about the order of two reports are answered by the articles' publication dates."""

from __future__ import annotations

from datetime import date

import pytest

from qa.answer.extractive import ExtractiveAnswerer
from qa.answer.order import Order, order_sides, read_order
from qa.answer.sentences import SentenceTable
from qa.question.plan import plan_question
from qa.types import Passage

OUTLETS = ("TechCrunch", "The Verge", "Wired")
LAYOFFS = "Acme Robotics laid off four hundred warehouse workers in Ohio, the company confirmed."
LAYOFFS_TOO = "Acme Robotics laid off hundreds of warehouse workers in Ohio, staff told reporters."
MERGER = "Globex shareholders approved the merger with Initech at a meeting in Denver."
MERGER_TOO = "The Globex merger with Initech won shareholder approval, the two firms announced."


def _passage(i: int, text: str, source: str, published: date | None) -> Passage:
    return Passage(
        text=text,
        article_id=f"art{i}",
        title=f"Story {i}",
        source=source,
        published=published,
        url=f"https://example.invalid/{i}",
        start=0,
        end=len(text),
    )


def _news(
    layoffs_tc: date | None = date(2023, 11, 5),
    layoffs_verge: date | None = date(2023, 11, 1),
    merger_verge: date | None = date(2023, 11, 3),
    merger_tc: date | None = date(2023, 11, 8),
) -> list[Passage]:
    """Each outlet reported both stories; the earliest report of each story is not always the
    one the question names."""
    return [
        _passage(0, LAYOFFS, "TechCrunch", layoffs_tc),
        _passage(1, LAYOFFS_TOO, "The Verge", layoffs_verge),
        _passage(2, MERGER, "The Verge", merger_verge),
        _passage(3, MERGER_TOO, "TechCrunch", merger_tc),
    ]


def _read(question: str, passages: list[Passage], embedder):
    """Read the order as the extractive answerer will: its per-clause sentence choice."""
    extractive = ExtractiveAnswerer(embedder)
    table = SentenceTable(passages, embedder, min_words=extractive.config.min_words)
    plan = plan_question(question, OUTLETS)
    return read_order(plan, table, lambda clause: extractive._best_for(clause, table, _no_bonus))


def _no_bonus(_candidate) -> float:
    return 0.0


def test_an_earlier_report_answers_yes_to_before(fake_embedder):
    reading = _read(
        "Did The Verge report on the Acme Robotics layoffs before TechCrunch reported on "
        "the Globex merger with Initech?",
        _news(),
        fake_embedder,
    )
    assert reading is not None
    assert reading.answer == "Yes"
    assert reading.order is Order.BEFORE
    assert (reading.subject.passage_index, reading.subject.published) == (1, date(2023, 11, 1))
    assert (reading.other.passage_index, reading.other.published) == (3, date(2023, 11, 8))
    assert reading.statement == (
        "Yes: The Verge reported it on 2023-11-01, before TechCrunch on 2023-11-08."
    )


def test_a_later_report_answers_no_to_before(fake_embedder):
    reading = _read(
        "Did The Verge report on the Acme Robotics layoffs before TechCrunch reported on "
        "the Globex merger with Initech?",
        _news(layoffs_verge=date(2023, 11, 9)),
        fake_embedder,
    )
    assert reading is not None
    assert reading.answer == "No"
    assert reading.statement == (
        "No: The Verge reported it on 2023-11-09, after TechCrunch on 2023-11-08."
    )


def test_after_compares_the_other_way(fake_embedder):
    question = (
        "Was the TechCrunch report on the Globex merger with Initech published after "
        "The Verge's report on the Acme Robotics layoffs?"
    )
    reading = _read(question, _news(), fake_embedder)
    assert reading is not None
    assert (reading.answer, reading.order) == ("Yes", Order.AFTER)
    assert (reading.subject.source, reading.other.source) == ("TechCrunch", "The Verge")
    reversed_dates = _news(merger_tc=date(2023, 10, 30))
    assert _read(question, reversed_dates, fake_embedder).answer == "No"


def test_an_order_word_leading_the_question_asks_about_the_report_after_the_comma(fake_embedder):
    reading = _read(
        "Following The Verge's report on the Acme Robotics layoffs, did TechCrunch report on "
        "the Globex merger with Initech?",
        _news(),
        fake_embedder,
    )
    assert reading is not None
    assert (reading.order, reading.answer) == (Order.AFTER, "Yes")
    assert (reading.subject.source, reading.other.source) == ("TechCrunch", "The Verge")


def test_each_side_is_dated_by_its_own_outlets_report(fake_embedder):
    # The Verge's layoffs report (November 1) is the earliest on the layoffs, but the question
    # asks about TechCrunch's (November 5), which came after The Verge's merger report.
    reading = _read(
        "Did TechCrunch report on the Acme Robotics layoffs before The Verge reported on "
        "the Globex merger with Initech?",
        _news(),
        fake_embedder,
    )
    assert reading is not None
    assert reading.subject.source == "TechCrunch"
    assert reading.subject.published == date(2023, 11, 5)
    assert reading.other.source == "The Verge"
    assert reading.answer == "No"


def test_a_side_naming_only_an_outlet_takes_the_other_sides_topic(fake_embedder):
    reading = _read(
        "Did TechCrunch report on the Acme Robotics layoffs before The Verge?",
        _news(),
        fake_embedder,
    )
    assert reading is not None
    assert (reading.subject.passage_index, reading.other.passage_index) == (0, 1)
    assert reading.answer == "No"


def test_reports_of_the_same_day_cannot_be_ordered(fake_embedder):
    reading = _read(
        "Did The Verge report on the Acme Robotics layoffs before TechCrunch reported on "
        "the Globex merger with Initech?",
        _news(layoffs_verge=date(2023, 11, 8)),
        fake_embedder,
    )
    assert reading is not None
    assert reading.answer is None
    assert reading.same_day
    assert reading.statement.startswith("Same day:")
    assert "2023-11-08" in reading.statement


def test_a_report_without_a_date_gives_no_reading(fake_embedder):
    reading = _read(
        "Did The Verge report on the Acme Robotics layoffs before TechCrunch reported on "
        "the Globex merger with Initech?",
        _news(layoffs_verge=None),
        fake_embedder,
    )
    assert reading is None


def test_an_outlet_that_was_not_retrieved_gives_no_reading(fake_embedder):
    # Without Wired's report, another outlet's date must not stand in for it.
    reading = _read(
        "Did Wired report on the Acme Robotics layoffs before TechCrunch reported on "
        "the Globex merger with Initech?",
        _news(),
        fake_embedder,
    )
    assert reading is None


def test_both_sides_found_in_one_article_give_no_reading(fake_embedder):
    text = (
        "Acme Robotics laid off four hundred warehouse workers in Ohio on Monday. "
        "Globex shareholders approved the merger with Initech at a meeting in Denver."
    )
    passages = [
        _passage(0, text, "Wired", date(2023, 11, 2)),
        _passage(1, "Rain is forecast for the coastal towns all weekend long.", "Wired", None),
    ]
    reading = _read(
        "Did the Acme Robotics layoffs in Ohio happen before the Globex merger with Initech?",
        passages,
        fake_embedder,
    )
    assert reading is None


@pytest.mark.parametrize(
    "question",
    [
        "Did The Verge report on the Acme Robotics layoffs and did TechCrunch report on the "
        "Globex merger?",
        "Did TechCrunch report that Acme Robotics laid off warehouse workers?",
        "Which outlet reported first on the Acme Robotics layoffs, TechCrunch or The Verge?",
        "When did TechCrunch report on the Acme Robotics layoffs?",
    ],
)
def test_a_question_not_about_order_gives_no_reading(question, fake_embedder):
    assert _read(question, _news(), fake_embedder) is None


@pytest.mark.parametrize(
    ("question", "order", "subject", "other"),
    [
        (
            "Did the Acme Robotics layoffs happen before the Globex Initech merger?",
            Order.BEFORE,
            "Did the Acme Robotics layoffs happen",
            "the Globex Initech merger",
        ),
        (
            "Did the Wired article on the Acme layoffs come out earlier than the TechCrunch "
            "piece on the Globex merger?",
            Order.BEFORE,
            "Did the Wired article on the Acme layoffs come out",
            "the TechCrunch piece on the Globex merger",
        ),
        (
            "Was the Verge story on the Acme layoffs published prior to the TechCrunch report "
            "on the Globex merger?",
            Order.BEFORE,
            "Was the Verge story on the Acme layoffs published",
            "the TechCrunch report on the Globex merger",
        ),
        (
            "Was TechCrunch's report on the Acme layoffs followed by The Verge's report on the "
            "Globex merger?",
            Order.BEFORE,
            "Was TechCrunch's report on the Acme layoffs",
            "The Verge's report on the Globex merger",
        ),
        (
            "Did the Verge report on the Globex merger come later than TechCrunch's article on "
            "the Acme layoffs?",
            Order.AFTER,
            "Did the Verge report on the Globex merger come",
            "TechCrunch's article on the Acme layoffs",
        ),
        (
            "Before The Verge reported on the Globex merger, had TechCrunch reported on the "
            "Acme layoffs?",
            Order.BEFORE,
            "had TechCrunch reported on the Acme layoffs",
            "The Verge reported on the Globex merger",
        ),
        (
            "Did TechCrunch report on the Acme layoffs first, compared to The Verge's report on "
            "the Globex merger?",
            Order.BEFORE,
            "Did TechCrunch report on the Acme layoffs first",
            "compared to The Verge's report on the Globex merger",
        ),
    ],
)
def test_order_words_cut_the_question_into_two_sides(question, order, subject, other):
    sides = order_sides(plan_question(question, OUTLETS))
    assert sides is not None
    assert (sides[0].text, sides[1].text, sides[2]) == (subject, other, order)


@pytest.mark.parametrize(
    "question",
    [
        # A date, not a report, on the other side: the reader compares dates.
        "Did TechCrunch report on the Acme Robotics layoffs before October 7?",
        # The order word is inside what The Verge reported.
        "Did The Verge report that Acme shares fell after the quarterly earnings call?",
        "Was the Acme layoffs report published before or after the Globex merger report?",
        "Did the TechCrunch report on the layoffs the following day agree with The Verge?",
    ],
)
def test_order_words_that_do_not_relate_two_reports_are_ignored(question):
    assert order_sides(plan_question(question, OUTLETS)) is None
