"""Statements compared: the values a sentence states, when two agree, and when two sentences
state the same claim or disagree (qa.answer.values, qa.answer.claims)."""

from __future__ import annotations

import pytest

from qa.answer.claims import ClaimConfig, compare, statement
from qa.answer.values import agree, comparable, values_in

CONFIG = ClaimConfig()


def value(sentence: str, kind: str):
    found = [v for v in values_in(sentence) if v.kind == kind]
    assert found, (sentence, values_in(sentence))
    return found[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("It raised $1.3 billion.", "It raised $1,300 million."),
        ("It raised $1.3bn.", "It raised US$1.3 billion."),
        ("It raised $22 million.", "It raised $22M."),
        ("The toll rose to 30,000.", "The toll rose to 30,112."),
        ("Shares fell 13 per cent.", "Shares fell 12.9%."),
        ("Hamas killed more than 1,200 people.", "Hamas killed more than 1,300 people."),
        ("At least 1,537 people were killed.", "Some 1,540 people were killed."),
        ("Between 25,000 and 30,000 people attended.", "About 27,000 people attended."),
        ("It will have about 110 units.", "It will have 108 units."),
    ],
)
def test_figures_that_round_hedge_or_range_alike_agree(a, b):
    kind = values_in(a)[0].kind
    assert agree(value(a, kind), value(b, kind))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The toll rose to 30,000.", "The toll rose to 25,000."),
        ("It raised $1.3 billion.", "It raised $1.4 billion."),
        ("Three people were hurt.", "Four people were hurt."),
        ("Shares fell 13 per cent.", "Shares fell 9 per cent."),
        ("It will have 108 units.", "It will have 120 units."),
        ("The display is 7.4 inches.", "The display is 7.6 inches."),
    ],
)
def test_different_figures_disagree(a, b):
    kind = values_in(a)[0].kind
    assert comparable(value(a, kind), value(b, kind))
    assert not agree(value(a, kind), value(b, kind))


def test_units_currencies_and_counted_nouns_keep_values_apart():
    assert not comparable(
        value("It cost $5 million.", "money"), value("It cost €5 million.", "money")
    )
    assert not comparable(
        value("30,000 people were killed.", "count"), value("5,000 homes were lost.", "count")
    )
    assert comparable(
        value("The 7-inch screen.", "measure"), value("A 7.4 inches screen.", "measure")
    )
    assert value("It rose 2 percentage points.", "percent").unit == "pp"


def test_dates_agree_on_every_part_both_give():
    oct20 = value("It will be released Oct. 20 on Switch.", "date")
    assert oct20.date == (0, 10, 20)
    assert agree(oct20, value("It will be released October 20, 2023.", "date"))
    assert not agree(oct20, value("It will be released Oct. 27 on Switch.", "date"))
    assert agree(value("It launched in 2017.", "date"), value("It launched in May 2017.", "date"))
    assert not agree(value("It launched in 2017.", "date"), value("It launched in 2015.", "date"))


def test_speakers_are_names_without_their_titles():
    speaker = value('"We will rebuild," Interior Minister Lucia Ferrand said on Friday.', "speaker")
    assert speaker.name == "lucia ferrand"
    assert agree(speaker, value('"We will rebuild," Ferrand told reporters.', "speaker"))
    assert not agree(speaker, value('"We will rebuild," said Tomas Arveno.', "speaker"))
    assert not [v for v in values_in('"We will rebuild," he said.') if v.kind == "speaker"]


def test_words_are_not_figures():
    assert not values_in("One man's quest to rewrite history reached another summit.")
    assert not values_in("Two of the players were rested.")


TOLL = "The death toll rose to 3,100 on Wednesday, the national disaster agency said."


def test_a_copy_states_the_same_claim_and_a_changed_figure_disagrees():
    mine = statement(TOLL)
    same = compare(mine, statement(TOLL))
    assert CONFIG.same_claim(same, mine) and not CONFIG.disagrees(same)
    other = compare(mine, statement(TOLL.replace("3,100", "2,600")))
    assert not CONFIG.same_claim(other, mine)
    ((v, w),) = CONFIG.disagrees(other)
    assert (v.text, w.text) == ("3,100", "2,600")


def test_a_later_day_named_in_the_sentence_still_lines_the_figures_up():
    later = TOLL.replace("3,100 on Wednesday", "3,900 on Thursday")
    assert CONFIG.disagrees(compare(statement(TOLL), statement(later)))


def test_the_same_frame_counting_another_thing_is_no_disagreement():
    killed = "The agency said 3,100 people were killed when buildings collapsed in Alcosta."
    injured = killed.replace("3,100 people were killed", "5,400 people were injured")
    comparison = compare(statement(killed), statement(injured))
    assert not CONFIG.disagrees(comparison) and not CONFIG.same_claim(comparison, statement(killed))


def test_another_subject_worded_alike_is_no_disagreement():
    mine = "That startup, Simply Homes, has recently secured $22 million in funding."
    other = "That startup, Roofline Living, has recently secured $35 million in funding."
    assert not CONFIG.disagrees(compare(statement(mine), statement(other)))


def test_a_report_holding_both_values_of_a_change_does_not_disagree():
    mine = statement("The death toll rose to 3,100, officials said.")
    other = statement("The death toll rose from 2,600 to 3,100, officials said.")
    assert not CONFIG.disagrees(compare(mine, other))


def test_the_same_quote_given_to_another_speaker_disagrees():
    mine = statement(
        '"We will rebuild every school in Alcosta," Interior Minister Lucia Ferrand said.'
    )
    other = statement(
        '"We will rebuild every school in Alcosta," Prime Minister Tomas Arveno said.'
    )
    ((v, w),) = CONFIG.disagrees(compare(mine, other))
    assert (v.kind, v.text, w.text) == ("speaker", "Lucia Ferrand", "Tomas Arveno")


def test_a_shorter_report_of_a_long_statement_states_it():
    long = statement(
        "Shohei Ohtani reached another summit on Saturday when he agreed to a 10-year, "
        "$700 million contract with the Los Angeles Dodgers, his agency CAA announced."
    )
    short = statement("Ohtani agrees to 10-year, $700 million deal with Dodgers")
    assert CONFIG.same_claim(compare(long, short), long)
    # the same words without the figures are no report of it
    vague = statement("Ohtani agrees to a deal with the Dodgers")
    assert not CONFIG.same_claim(compare(long, vague), long)


def test_the_same_topic_is_not_the_same_claim():
    mine = statement(
        "Evolution Mining sank 13 per cent after it raised $525 million from investors."
    )
    topic = statement(
        "Evolution Mining shares were among the biggest decliners on the ASX on Tuesday."
    )
    assert not CONFIG.same_claim(compare(mine, topic), mine)
