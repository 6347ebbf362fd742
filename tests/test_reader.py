"""The reader states the short answer: a typed span of the best sentences, cited (opt-in)."""

from __future__ import annotations

from datetime import date

import pytest

from qa import Answerer
from qa.answer.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.answer.reader import ReaderConfig, candidates, read
from qa.question.answer_type import AnswerType
from qa.question.plan import plan_question
from qa.types import Passage

READER = ExtractiveConfig(reader=True)


def _passage(i: int, text: str, source: str = "Harbour Gazette") -> Passage:
    return Passage(
        text=text,
        article_id=f"art{i}",
        title=f"Story {i}",
        source=source,
        published=date(2025, 6, 1 + i),
        url=f"https://example.invalid/{i}",
        start=0,
        end=len(text),
    )


def _ask(question, texts, embedder, config=READER):
    passages = [_passage(i, t) for i, t in enumerate(texts)]
    extractive = ExtractiveAnswerer(embedder, config)
    return extractive.answer(question, passages, plan=plan_question(question))


# One invented passage per answer type: (question, passage, expected short answer).
CASES = [
    (
        "How much did the Lindqvist ferry terminal cost to build?",
        "The Lindqvist ferry terminal cost 41 million crowns to build, officials said. "
        "It opened to passengers after years of delays.",
        "41 million crowns",
    ),
    (
        "How many volunteers cleaned the Orla river banks?",
        "Organisers said 1,200 volunteers cleaned the Orla river banks over the weekend. "
        "The clean-up began at dawn near the old mill.",
        "1,200 volunteers",
    ),
    (
        "When did the Brightwater library reopen?",
        "The Brightwater library reopened on March 3, 2024 after a long renovation. "
        "Readers queued outside the building from early morning.",
        "March 3, 2024",
    ),
    (
        "Who designed the new Kestrel Bay footbridge?",
        "The new Kestrel Bay footbridge was designed by architect Marta Okonkwo, the council "
        "confirmed. Work on the crossing will start in the spring.",
        "Marta Okonkwo",
    ),
    (
        "Which company won the contract to run the Pellham tram line?",
        "The contract to run the Pellham tram line was won by Corvane Transit Group. "
        "The new operator takes over the route in the autumn.",
        "Corvane Transit Group",
    ),
    (
        "Where did the Tallow Records festival move this summer?",
        "The Tallow Records festival moved this summer to Vellmar, a port town in the north. "
        "Tickets sold out within the first week of sale.",
        "Vellmar",
    ),
    (
        "What share of the vote did the Green Alliance win in Dunmore?",
        "The Green Alliance won 37.5% of the vote in Dunmore, its best result yet. "
        "Turnout across the district was lower than in previous elections.",
        "37.5%",
    ),
    (
        "How long was the Arvel bakery strike?",
        "The Arvel bakery strike lasted three weeks before the owners agreed to talks. "
        "Bread shelves in the town stayed half empty throughout the dispute.",
        "three weeks",
    ),
    (
        "How tall is the Sorrento Point lighthouse?",
        "The Sorrento Point lighthouse stands 62 metres tall above the rocks of the bay. "
        "Its lamp was replaced with an electric one in the last century.",
        "62 metres",
    ),
]


@pytest.mark.parametrize(("question", "text", "expected"), CASES)
def test_the_short_answer_is_the_typed_span(question, text, expected, fake_embedder):
    answer = _ask(question, [text], fake_embedder)
    assert not answer.abstained
    assert answer.short_answer == expected
    # stated first, cited to the sentence holding it, then that sentence
    assert answer.text.startswith(f"{expected} [1]. ")
    first_sentence = text.split(". ")[0]
    assert first_sentence in answer.text
    citation = answer.citations[0]
    start, end = citation.highlights[0]
    assert expected in citation.passage.text[start:end]


def test_each_answer_type_case_is_typed_as_meant():
    kinds = [plan_question(q).answer_type for q, _, _ in CASES]
    assert kinds == [
        AnswerType.MONEY,
        AnswerType.COUNT,
        AnswerType.DATE,
        AnswerType.PERSON,
        AnswerType.ORGANISATION,
        AnswerType.PLACE,
        AnswerType.PERCENTAGE,
        AnswerType.DURATION,
        AnswerType.MEASURE,
    ]


def test_patterns_find_the_documented_forms():
    money = "It raised $1.3 billion, 41 million crowns and €86 million in all."
    spans = [money[s:e] for s, e in candidates(money, AnswerType.MONEY)]
    assert spans == ["$1.3 billion", "41 million crowns", "€86 million"]
    dates = "Signed on Tuesday, it takes effect on March 3, 2024 and ends in 2031."
    spans = [dates[s:e] for s, e in candidates(dates, AnswerType.DATE)]
    assert spans == ["on Tuesday", "March 3, 2024", "2031"]


def test_a_candidate_named_in_the_question_is_never_chosen(fake_embedder):
    text = (
        "Halvorsen Foods chief executive Ingrid Halvorsen said the Halvorsen Foods plant would "
        "close, according to Petra Lund, the union's regional secretary."
    )
    question = "Who said the Halvorsen Foods plant would close?"
    answer = _ask(question, [text], fake_embedder)
    assert "Halvorsen" not in answer.short_answer
    assert answer.short_answer in {"Ingrid", "Petra Lund"}


def test_a_question_whose_only_candidate_it_names_keeps_the_sentence(fake_embedder):
    text = "The Ostmark Bank board met again to discuss the Ostmark Bank merger plans."
    answer = _ask("Which bank discussed the Ostmark Bank merger plans?", [text], fake_embedder)
    assert answer.short_answer == text


def test_agreement_across_two_passages_wins_over_a_single_mention(fake_embedder):
    question = "How much did the Calder dam repairs cost?"
    # The single mention is ranked first; the two agreeing reports come from two articles.
    texts = [
        "The Calder dam repairs cost $12 million, the Harbour Gazette reported on Friday.",
        "The Calder dam repairs cost $40 million, the Tidewater Post reported on Friday.",
        "The Calder dam repairs cost $40 million, the Northern Ledger reported on Friday.",
    ]
    passages = [_passage(i, t) for i, t in enumerate(texts)]
    extractive = ExtractiveAnswerer(fake_embedder, READER)
    table = extractive.table(passages)
    scored = extractive.score_sentences(question, table)
    plan = plan_question(question)
    alone = read(plan, table, scored, ReaderConfig(sentence_agreement=0, article_agreement=0))
    assert alone is not None and alone.text == "$12 million"
    reading = read(plan, table, scored)
    assert reading is not None and reading.text == "$40 million" and reading.support == 2
    assert extractive.answer(question, passages, plan=plan).short_answer == "$40 million"


@pytest.mark.parametrize(
    "question",
    [
        "Did the Brightwater library reopen on March 3, 2024?",
        "Why did the Brightwater library close for renovation?",
        "What did the mayor say about the Brightwater library?",
    ],
)
def test_other_question_types_keep_the_sentence(question, fake_embedder):
    text = (
        "The Brightwater library reopened on March 3, 2024 after a long renovation, the mayor said."
    )
    answer = _ask(question, [text], fake_embedder)
    assert answer.short_answer == text


def test_the_reader_is_off_by_default(fake_embedder):
    question, text, expected = CASES[0]
    answer = _ask(question, [text], fake_embedder, config=ExtractiveConfig())
    assert answer.short_answer != expected
    assert answer.short_answer == text.split(" It opened")[0]


def test_answerer_with_the_reader_states_a_short_answer(sample_index):
    answerer = Answerer(sample_index, extractive=READER)
    answer = answerer.ask("Where did Azerbaijan set up a checkpoint on April 23?")
    assert not answer.abstained
    assert answer.short_answer == "Lachin Corridor"
    assert answer.text.startswith(answer.short_answer + " [1].")
    assert answer.short_answer in answer.citations[0].passage.text
