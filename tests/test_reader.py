"""The reader states the short answer: a typed span of the best sentences, cited (opt-in)."""

from __future__ import annotations

from datetime import date

import pytest

from qa import Answerer
from qa.answer.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.answer.reader import candidates, read
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
        ("1,200", "1,200 volunteers"),
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
    assert answer.short_answer in (expected if isinstance(expected, tuple) else (expected,))
    # stated first, cited to the sentence holding it, then that sentence
    assert answer.text.startswith(f"{answer.short_answer} [1]. ")
    first_sentence = text.split(". ")[0]
    assert first_sentence in answer.text
    citation = answer.citations[0]
    start, end = citation.highlights[0]
    assert answer.short_answer in citation.passage.text[start:end]


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


def test_a_question_whose_only_name_it_names_gets_no_name_from_the_question(fake_embedder):
    text = "The Ostmark Bank board met again to discuss the Ostmark Bank merger plans."
    answer = _ask("Which bank discussed the Ostmark Bank merger plans?", [text], fake_embedder)
    assert "Ostmark" not in answer.short_answer


def test_agreement_across_two_articles_wins_over_a_single_mention(fake_embedder):
    question = "How much did the Calder dam repairs cost?"
    texts = [
        "The Calder dam repairs cost $12 million, the Harbour Gazette reported on Friday.",
        "The Calder dam repairs cost $40 million, the Tidewater Post reported on Friday.",
        "The Calder dam repairs cost $40 million, the Northern Ledger reported on Friday.",
    ]
    outlets = ["Harbour Gazette", "Tidewater Post", "Northern Ledger"]
    passages = [_passage(i, t, source) for i, (t, source) in enumerate(zip(texts, outlets))]
    extractive = ExtractiveAnswerer(fake_embedder, READER)
    # One against one, the first-ranked passage wins ...
    assert extractive.answer(question, passages[:2]).short_answer == "$12 million"
    # ... two agreeing articles of two outlets outweigh it.
    table = extractive.table(passages)
    scored = extractive.score_sentences(question, table)
    reading = read(plan_question(question), table, scored)
    assert reading is not None and reading.text == "$40 million" and reading.support == 2
    assert extractive.answer(question, passages, plan=plan_question(question)).short_answer == (
        "$40 million"
    )


@pytest.mark.parametrize(
    "question",
    [
        "Did the Brightwater library reopen on March 3, 2024?",
        "Why did the Brightwater library close for renovation?",
        "What did the mayor say about the Brightwater library?",
    ],
)
def test_other_question_types_keep_the_sentence_and_state_no_short_answer(question, fake_embedder):
    text = (
        "The Brightwater library reopened on March 3, 2024 after a long renovation, the mayor said."
    )
    answer = _ask(question, [text], fake_embedder)
    assert answer.text == f"{text} [1]"
    assert answer.short_answer == ""


def test_the_reader_is_on_by_default_and_can_be_turned_off(fake_embedder):
    question, text, expected = CASES[0]
    assert _ask(question, [text], fake_embedder, config=ExtractiveConfig()).short_answer == expected
    answer = _ask(question, [text], fake_embedder, config=ExtractiveConfig(reader=False))
    assert answer.short_answer == text.split(" It opened")[0]


def test_newsqa_reader_0_turns_the_reader_off(sample_index):
    from qa.settings import QASettings

    question = "Where did Azerbaijan set up a checkpoint on April 23?"
    on = Answerer.from_settings(sample_index, QASettings.from_env({}))
    off = Answerer.from_settings(sample_index, QASettings.from_env({"NEWSQA_READER": "0"}))
    assert on.extractive.config.reader and not off.extractive.config.reader
    assert len(off.ask(question).short_answer.split()) > 8


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which road connects Nagorno-Karabakh with Armenia?", "Lachin Corridor"),
        ("Who is the president of Azerbaijan?", "Ilham Aliyev"),
        ("When did Baku set up a checkpoint at the Lachin Corridor?", "April 23"),
    ],
)
def test_answerer_with_the_reader_states_a_short_answer(sample_index, question, expected):
    answer = Answerer(sample_index).ask(question)
    assert not answer.abstained
    assert answer.short_answer == expected
    assert answer.text.startswith(answer.short_answer + " [1].")
    assert answer.short_answer in answer.citations[0].passage.text


# --- Not saying it, several parts, order in time (the real embedder: the trained models'
# dense features are calibrated on it) ---------------------------------------------------------

FERRY = (
    "The Lindqvist ferry terminal opened to passengers on Saturday after years of delays. "
    "Crowds watched the first boat leave for the islands at dawn. "
    "The harbour master said the new pier could take two ferries at once."
)


def test_a_near_topic_question_the_passages_do_not_answer_is_refused(real_embedder):
    answer = _ask(
        "How much did the Lindqvist ferry terminal cost to build?", [FERRY], real_embedder
    )
    assert answer.abstained
    assert answer.abstain_reason == "no answer of the kind asked"
    assert not answer.citations and not answer.short_answer
    # what the articles do cover, quoted, so the user sees how near they come
    assert "The nearest they come is" in answer.text
    assert "Lindqvist ferry terminal" in answer.text


def test_the_same_question_is_answered_when_a_passage_gives_the_figure(real_embedder):
    text = FERRY + " The terminal cost 41 million crowns to build, the council said."
    answer = _ask("How much did the Lindqvist ferry terminal cost to build?", [text], real_embedder)
    assert not answer.abstained
    assert answer.short_answer == "41 million crowns"


def test_a_question_asking_two_things_is_answered_part_by_part(real_embedder):
    texts = [
        "The new Kestrel Bay footbridge was designed by architect Marta Okonkwo, the council "
        "confirmed on Tuesday.",
        "Work on the Kestrel Bay footbridge will start in April 2026, after the winter storms.",
    ]
    question = "Who designed the Kestrel Bay footbridge, and when will work on it start?"
    answer = _ask(question, texts, real_embedder)
    assert not answer.abstained
    assert answer.short_answer == "Marta Okonkwo; April 2026"
    first, second = answer.text.split("? ", 2)[1:3]
    # each part cited to its own passage
    assert first.startswith("Marta Okonkwo [1].")
    assert second.startswith("April 2026 [2].")
    assert [c.passage.article_id for c in answer.citations] == ["art0", "art1"]


def test_an_order_question_is_answered_from_publication_dates(real_embedder):
    passages = [
        Passage(
            text="Corvane Transit Group cut ticket prices on the Pellham tram line by a third.",
            article_id="verge",
            title="Corvane cuts fares",
            source="The Verge",
            published=date(2023, 11, 1),
            url="https://example.invalid/verge",
            start=0,
            end=75,
        ),
        Passage(
            text="Pellham council approved a new depot for the tram line on the river bank.",
            article_id="tc",
            title="Pellham depot approved",
            source="TechCrunch",
            published=date(2023, 11, 8),
            url="https://example.invalid/tc",
            start=0,
            end=73,
        ),
    ]
    question = (
        "Did The Verge report that Corvane cut ticket prices on the Pellham tram line before "
        "TechCrunch reported that the council approved a new tram depot?"
    )
    extractive = ExtractiveAnswerer(real_embedder, READER)
    answer = extractive.answer(
        question, passages, plan=plan_question(question, ["The Verge", "TechCrunch"])
    )
    assert answer.short_answer == "Yes"
    assert answer.text.startswith("Yes: The Verge reported it on 2023-11-01, before TechCrunch")
    assert {c.passage.article_id for c in answer.citations} == {"verge", "tc"}


def test_with_an_llm_the_reader_refuses_before_the_model_is_called(tmp_path, real_embedder):
    from index import Article, Settings, open_index
    from tests.fakes import FakeChatModel

    index = open_index(Settings(data_dir=tmp_path / "data"), embedder=real_embedder)
    article = Article(
        id="https://example.invalid/ferry",
        title="Lindqvist ferry terminal opens",
        text=FERRY,
        source="Harbour Gazette",
        published=date(2025, 6, 1),
        url="https://example.invalid/ferry",
    )
    assert index.add_articles([article]).ok
    model = FakeChatModel("The terminal cost 90 million crowns [1].")
    answerer = Answerer(index, chat_model=model)
    answer = answerer.ask("How much did the Lindqvist ferry terminal cost to build?")
    assert answer.abstained and answer.abstain_reason == "no answer of the kind asked"
    assert model.prompts == []  # no call: no chance of an amount from the model's memory
    # an answerable question does reach the model
    answerer.ask("When did the Lindqvist ferry terminal open to passengers?")
    assert len(model.prompts) == 1
