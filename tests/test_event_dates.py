"""Event dates: read from the sentence, its section's date line, or the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from qa.answer.event_dates import (
    DateSource,
    EventDate,
    Precision,
    date_clauses,
    date_event,
    date_in_text,
    date_mentions,
    dated_entries,
    last_update,
    section_date,
)

SATURDAY = date(2023, 11, 18)  # the day the sentences below are "published"


@pytest.mark.parametrize(
    ("sentence", "day", "precision"),
    [
        ("The chief executive was fired on Friday.", date(2023, 11, 17), Precision.DAY),
        ("Last Saturday the board met again.", date(2023, 11, 11), Precision.DAY),
        ("He will speak to staff on Monday.", date(2023, 11, 20), Precision.DAY),
        ("Yesterday, the employees signed a letter.", date(2023, 11, 17), Precision.DAY),
        ("The deal was announced today.", SATURDAY, Precision.DAY),
        # "today's networks" is the present, not a day: the year dates the sentence
        (
            "What today's networks offer hit a low last year, when Twitter was sold.",
            date(2022, 1, 1),
            Precision.YEAR,
        ),
        ("The trial began October 3.", date(2023, 10, 3), Precision.DAY),
        ("The vote will be held on December 5.", date(2023, 12, 5), Precision.DAY),
        ("The exchange filed for bankruptcy on Nov. 11, 2022.", date(2022, 11, 11), Precision.DAY),
        ("It happened on 17 November.", date(2023, 11, 17), Precision.DAY),
        ("The game kicks off at 8 p.m. on Sunday, Dec. 3.", date(2023, 12, 3), Precision.DAY),
        ("Last week the company held its first conference.", date(2023, 11, 6), Precision.WEEK),
        # the weekend before the Saturday: a week, Monday to Sunday
        ("The striker scored twice last weekend.", date(2023, 11, 6), Precision.WEEK),
        ("The striker scored twice over the weekend.", date(2023, 11, 13), Precision.WEEK),
        ("In late October the talks stalled.", date(2023, 10, 21), Precision.MONTH),
        ("The deal closed in October 2023.", date(2023, 10, 1), Precision.MONTH),
        ("The blockade has lasted since December.", date(2022, 12, 1), Precision.MONTH),
        ("The firm raised money in May.", date(2023, 5, 1), Precision.MONTH),
        ("The company was founded in 2015.", date(2015, 1, 1), Precision.YEAR),
        ("The phrase first appeared on coins in 1865.", date(1865, 1, 1), Precision.YEAR),
        ("The treaty was signed on July 4, 1776.", date(1776, 7, 4), Precision.DAY),
        ("The songs were written during the 2013-14 tour.", date(2013, 1, 1), Precision.YEAR),
        ("The attorney general sued the company a year ago.", date(2022, 1, 1), Precision.YEAR),
        ("Two weeks ago the striker broke his leg.", date(2023, 10, 30), Precision.WEEK),
        ("The ban was lifted three days ago.", date(2023, 11, 15), Precision.DAY),
        ("Six months ago the plant closed.", date(2023, 5, 1), Precision.MONTH),
        ("Earlier this year, the regulator ruled against it.", date(2023, 1, 1), Precision.YEAR),
        # the future tense belongs to the second predicate, not to Thursday's plea
        ("She pleaded guilty Thursday and will be sentenced.", date(2023, 11, 16), Precision.DAY),
        ("He will resign and leave on Tuesday.", date(2023, 11, 21), Precision.DAY),
        # holidays: a fixed day, or a weekday of a month (Thanksgiving 2023: 23 November)
        ("Finally, on Christmas Day 2021, they spoke.", date(2021, 12, 25), Precision.DAY),
        ("The store closed on Christmas Eve.", date(2022, 12, 24), Precision.DAY),
        ("The family gathers on Thanksgiving.", date(2022, 11, 24), Precision.DAY),
        ("The parade will be held on Thanksgiving.", date(2023, 11, 23), Precision.DAY),
        ("He retired on Memorial Day 2019.", date(2019, 5, 27), Precision.DAY),
        ("The strike began on Labor Day.", date(2023, 9, 4), Precision.DAY),
        # a year before 1700, where the clause goes on as after a year
        ("The settlers came in 1620 \u2014 and stayed.", date(1620, 1, 1), Precision.YEAR),
        ("The first feast was in 1619 in the colony.", date(1619, 1, 1), Precision.YEAR),
        # a month naming a thing of its own, and a month "around" which it happened
        ("The robot was shown in an August video.", date(2023, 8, 1), Precision.MONTH),
        ("The October vote was close.", date(2023, 10, 1), Precision.MONTH),
        ("Around April, the fund named its first picks.", date(2023, 4, 1), Precision.MONTH),
        # a month or a day of the year before (or after) the reference's
        ("In March last year the coach seemed finished.", date(2022, 3, 1), Precision.MONTH),
        ("The club was sold in June of last year.", date(2022, 6, 1), Precision.MONTH),
        ("He was hired on March 3 last year.", date(2022, 3, 3), Precision.DAY),
        ("The vote is set for 9 May next year.", date(2024, 5, 9), Precision.DAY),
        ("In March, last year's champions lost.", date(2023, 3, 1), Precision.MONTH),
        # part of a year after a preposition
        ("In early 2022, the family agreed to a truce.", date(2022, 1, 1), Precision.YEAR),
        ("By mid-2021 the deal was done.", date(2021, 1, 1), Precision.YEAR),
        # a date naming another thing, or the end of a state, gives way to the event's own
        (
            "In early 2022, they agreed to a truce, according to this week's court filing.",
            date(2022, 1, 1),
            Precision.YEAR,
        ),
        (
            "The fence that, until October 7, kept them apart was completed in December 2021.",
            date(2021, 12, 1),
            Precision.MONTH,
        ),
        ("It was not until 2019 that he won the title.", date(2019, 1, 1), Precision.YEAR),
        ("Last week's ruling came out on Monday.", date(2023, 11, 13), Precision.DAY),
    ],
)
def test_a_date_the_sentence_states_is_resolved_against_the_reference(sentence, day, precision):
    found = date_in_text(sentence, SATURDAY)
    assert found is not None
    assert (found.day, found.precision, found.source) == (day, precision, DateSource.TEXT)


@pytest.mark.parametrize(
    "sentence",
    [
        "Black Friday deals are here.",
        "The Thursday Night Football game was a blowout.",
        "Saturday's attacks shocked the region.",  # dates the attacks, not this sentence
        "He may resign.",
        "They married in September of that year.",  # a year named in another sentence
        "They went out of Europe for the first time since 2005.",  # a record, not a date
        "The 2020 ceasefire placed peacekeepers in the corridor.",  # a name, not a date
        "Halloween Kills opened to mixed reviews.",  # a film named after the holiday
        "Independence Day is a disaster film.",
        "Thanksgiving dinner costs more this year.",
        "The storm damaged 1800 homes.",  # a count: a year alone is read from 1900 only
        "The chain now trades in 1500 stores.",  # a count after a preposition
        "The May government fell.",  # a name: "May" and "March" are read only after a preposition
        "Critics praised the March on the capital.",
        "She met August Wilson in the lobby.",
    ],
)
def test_words_that_only_look_like_dates_are_not_read(sentence):
    assert date_in_text(sentence, SATURDAY) is None


def test_a_past_day_and_month_in_an_article_updated_later_takes_the_updates_year():
    sentence = (
        "Prior to the leadership chaos, on November 6, the company held its first conference."
    )
    published = date(2023, 9, 28)
    assert date_in_text(sentence, published).day == date(2022, 11, 6)
    article = f"{sentence}\nwe have re-enabled sign-ups — Sam (@sam) December 13, 2023"
    updated = last_update(article, published)
    assert updated == date(2023, 12, 13)
    assert date_in_text(sentence, published, updated).day == date(2023, 11, 6)


def test_a_sentence_under_a_date_line_takes_its_day_and_reads_weekdays_from_it():
    before = "Intro text.\n\nNovember 21\n\nAltman returns\n\n"
    assert section_date(before, SATURDAY) == EventDate(
        date(2023, 11, 21), Precision.DAY, DateSource.TEXT, "November 21"
    )
    found = date_event("The board reached a deal with him.", SATURDAY, before)
    assert (found.day, found.source) == (date(2023, 11, 21), DateSource.TEXT)
    # "on Sunday" under the November 21 line is the Sunday before it, not before publication.
    found = date_event(
        "His decision to join Microsoft on Sunday was the best path.", SATURDAY, before
    )
    assert found.day == date(2023, 11, 19)


def test_a_date_line_with_a_headline_or_a_month_counts_and_a_dated_sentence_does_not():
    assert section_date("x\nSept. 24: Swift attends game\n", date(2023, 10, 12)).day == date(
        2023, 9, 24
    )
    month = section_date("x\nDecember 2023\n\nSome entry\n", date(2023, 9, 28))
    assert (month.day, month.precision) == (date(2023, 12, 1), Precision.MONTH)
    assert section_date("x\nOct. 3: The jury was picked.\n", SATURDAY) is None


@pytest.mark.parametrize(
    ("before", "sentence", "expected"),
    [
        (
            "He became head of recruitment at MK Dons in 2010, where he spotted Dele Alli. ",
            "Two years later he joined Southampton in the same role.",
            EventDate(date(2012, 1, 1), Precision.YEAR, DateSource.TEXT, "Two years later"),
        ),
        (
            "The plant opened in March 2019 to great fanfare. ",
            "Six months later, it closed.",
            EventDate(date(2019, 9, 1), Precision.MONTH, DateSource.TEXT, "Six months later"),
        ),
        (
            "She won her first title on July 4, 1999. ",
            "The following year, she won it again.",
            EventDate(date(2000, 1, 1), Precision.YEAR, DateSource.TEXT, "The following year"),
        ),
        (
            "In 1983, Brus made a similar discovery. ",
            "A decade later, Bawendi devised a method.",
            EventDate(date(1993, 1, 1), Precision.YEAR, DateSource.TEXT, "A decade later"),
        ),
        # an age, from the birth year stated before
        (
            "Born in Alice Springs in 1983, he was moved to Perth after his mother's death. ",
            "At 18 he returned to central Australia.",
            EventDate(date(2001, 1, 1), Precision.YEAR, DateSource.TEXT, "At 18"),
        ),
        (
            "She was born on 4 May 1990 in Leeds. ",
            "She left school at the age of 16, and found work.",
            EventDate(date(2006, 1, 1), Precision.YEAR, DateSource.TEXT, "at the age of 16"),
        ),
        # a score, a share, no birth year stated, or an age past the article's own date
        ("Born in 1983, he grew up in Perth. ", "Tied at 18, the Lakers ran away.", None),
        ("Born in 1983, he grew up in Perth. ", "Turnout was at 18 percent.", None),
        ("He grew up in Perth. ", "At 18 he returned to central Australia.", None),
        ("Born in 1983, he grew up in Perth. ", "Aged 45, he will retire.", None),
        # no month to count on from, no date at all, or past the article's own date
        ("The plant opened in 2019. ", "Six months later, it closed.", None),
        ("The plant opened to great fanfare. ", "Two years later, it closed.", None),
        ("The plant opened in 2022. ", "Two years later, it closed.", None),
    ],
)
def test_a_span_later_counts_on_from_the_date_stated_just_before(before, sentence, expected):
    published = EventDate(SATURDAY, Precision.DAY, DateSource.PUBLISHED)
    assert date_event(sentence, SATURDAY, before) == (expected or published)


def test_a_sentence_without_a_date_takes_its_articles_publication_date():
    found = date_event(
        "Shop owners said the strike cut their takings.", SATURDAY, "Earlier text.\n"
    )
    assert found == EventDate(SATURDAY, Precision.DAY, DateSource.PUBLISHED)
    assert date_event("No date anywhere.", None) is None


def test_date_mentions_counts_the_dates_a_chronology_is_made_of():
    assert date_mentions("Nov. 17 he left; in 2015 it began; by March 2022 it grew.") == 3
    assert date_mentions("On Friday the board met.") == 0


def test_event_dates_know_the_last_day_they_may_stand_for():
    assert EventDate(date(2023, 2, 1), Precision.MONTH, DateSource.TEXT).last_day == date(
        2023, 2, 28
    )
    assert EventDate(date(2023, 1, 1), Precision.YEAR, DateSource.TEXT).last_day == date(
        2023, 12, 31
    )
    assert EventDate(date(2023, 11, 13), Precision.WEEK, DateSource.TEXT).last_day == date(
        2023, 11, 19
    )


@pytest.mark.parametrize(
    ("sentence", "clauses"),
    [
        (
            "She had sat on the museum's board since 1998, taking over as its director in 2006.",
            [
                (date(1998, 1, 1), "She had sat on the museum's board since 1998"),
                (date(2006, 1, 1), "taking over as its director in 2006."),
            ],
        ),
        (
            "The inquiry, which opened on November 6, heard the mayor on Thursday.",
            [
                (date(2023, 11, 6), "The inquiry, which opened on November 6"),
                (date(2023, 11, 16), "heard the mayor on Thursday."),
            ],
        ),
        (
            "The first drug was approved in January 2010 and the second was approved in May 2017.",
            [
                (date(2010, 1, 1), "The first drug was approved in January 2010"),
                (date(2017, 5, 1), "and the second was approved in May 2017."),
            ],
        ),
    ],
)
def test_a_sentence_dating_two_events_is_cut_into_its_clauses(sentence, clauses):
    found = date_clauses(sentence, SATURDAY)
    assert [(when.day, sentence[start:end]) for when, start, end in found] == clauses
    assert all(when.source is DateSource.TEXT for when, _, _ in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "The fair ran from November 3 to November 5 in the old market hall.",  # one clause
        "The fair ran between November 3 and November 5 in the old market hall.",
        "In February 2016, the club sold a stake to a fund that raised it in January 2022.",
        "The 2023 final was won by the visitors on Sunday, November 12, in front of 90,000.",
        "The ferry sailed on Monday, November 13, and docked the same night.",  # one date
        "The council voted on Tuesday to close the pool.",
    ],
)
def test_a_sentence_telling_one_event_is_not_cut(sentence):
    assert date_clauses(sentence, SATURDAY) == []


def test_the_date_of_a_report_is_not_moved_by_what_it_reports():
    """ "Announced March 23 that it plans to cut jobs": the announcement is past."""
    when = date_in_text("Announced March 23 that it plans to cut 19,000 jobs.", SATURDAY)
    assert when is not None and when.day == date(2023, 3, 23)


def test_next_year_is_the_year_after_publication_only_in_the_future_tense():
    launch = date_event("Gemini Ultra is set to launch next year in Bard.", SATURDAY, "x")
    assert launch == EventDate(date(2024, 1, 1), Precision.YEAR, DateSource.TEXT, "next year")
    # past tense: the year after some earlier one, which only the story before it says
    past = date_event("It was not broken open until next year, when they reported it.", SATURDAY)
    assert past == EventDate(SATURDAY, Precision.DAY, DateSource.PUBLISHED)


def test_a_table_of_results_read_as_one_line_is_cut_into_its_dated_entries():
    line = (
        "Date Fixture/Result Sept. 19 Harbour 0-0 Ferrow Sept. 19 Quay 2-0 Dockside "
        "Tues, Oct. 3 Dockside 1-3 Harbour Oct. 24 Harbour 4-1 Quay"
    )
    found = dated_entries(line, SATURDAY)
    assert [(when.day, line[start:end]) for when, start, end in found] == [
        (date(2023, 9, 19), "Sept. 19 Harbour 0-0 Ferrow"),
        (date(2023, 9, 19), "Sept. 19 Quay 2-0 Dockside"),
        (date(2023, 10, 3), "Tues, Oct. 3 Dockside 1-3 Harbour"),
        (date(2023, 10, 24), "Oct. 24 Harbour 4-1 Quay"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # prose naming several days: its clauses, if any, are date_clauses' to cut
        "The trial began on Oct. 3 and ended on Nov. 2, with a verdict on Nov. 3.",
        "Games: Oct. 3 at home, Oct. 10 away and Oct. 17 at home again.",
        "Sept. 19 Harbour 0-0 Ferrow Oct. 3 Dockside 1-3 Harbour",  # two entries: no list
    ],
)
def test_prose_or_a_short_line_is_no_table_of_entries(sentence):
    assert dated_entries(sentence, SATURDAY) == []
