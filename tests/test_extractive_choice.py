"""Which sentences the extractive answerer cites: per clause, within the outlet and day named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from qa.answer.extractive import ExtractiveAnswerer, ExtractiveConfig
from qa.question.decompose import Clause
from qa.question.plan import QuestionPlan
from qa.types import Passage


def _passage(i: int, text: str, source: str, day: int) -> Passage:
    return Passage(
        text=text,
        article_id=f"a{i}",
        title=f"Headline {i}",
        source=source,
        published=date(2023, 10, day),
        url="",
        start=0,
        end=len(text),
    )


PASSAGES = [
    # Ranked first, but from the wrong outlet for the question below.
    _passage(
        0, "The merger talks between Acme and Globex collapsed on Friday evening.", "Wired", 7
    ),
    _passage(1, "Acme and Globex merger talks collapsed, sources told the paper.", "TechCrunch", 7),
    _passage(2, "Regulators opened an inquiry into Acme pricing of rockets.", "The Verge", 9),
    _passage(3, "An inquiry into Acme rocket pricing was opened by regulators.", "The Verge", 20),
]


# The sentence choice itself: no short answer read first.
LENIENT = ExtractiveConfig(min_clause_score=0.0, reader=False)


def _answer(question, clauses=(), outlets=(), config=LENIENT, fake=None):
    extractive = ExtractiveAnswerer(fake, config)
    table = extractive.table(PASSAGES)
    plan = QuestionPlan(question, outlets=tuple(outlets), clauses=tuple(clauses))
    return extractive.answer(question, PASSAGES, table=table, plan=plan)


def test_a_question_naming_an_outlet_cites_that_outlet(fake_embedder):
    answer = _answer(
        "Did TechCrunch report that the Acme Globex merger talks collapsed?",
        outlets=("TechCrunch",),
        fake=fake_embedder,
    )
    assert {c.passage.source for c in answer.citations} == {"TechCrunch"}


def test_without_an_outlet_the_best_ranked_sentence_wins(fake_embedder):
    answer = _answer("Did the Acme Globex merger talks collapse?", fake=fake_embedder)
    assert answer.citations[0].passage.article_id == "a0"


def test_each_clause_cites_its_own_outlet_and_day(fake_embedder):
    clauses = (
        Clause(
            "TechCrunch said the Acme Globex merger talks collapsed",
            ("TechCrunch",),
            (),
            topic="said the Acme Globex merger talks collapsed",
        ),
        Clause(
            "The Verge on October 20 said regulators opened an inquiry into Acme rocket pricing",
            ("The Verge",),
            (date(2023, 10, 20),),
            topic="said regulators opened an inquiry into Acme rocket pricing",
        ),
    )
    answer = _answer(
        "TechCrunch said the talks collapsed, while The Verge on October 20 said ...",
        clauses=clauses,
        fake=fake_embedder,
    )
    assert [c.passage.article_id for c in answer.citations] == ["a1", "a3"]
    assert all(c.highlights for c in answer.citations)


def test_an_outlet_that_was_not_retrieved_does_not_block_the_clause(fake_embedder):
    clauses = (
        Clause(
            "Reuters said the Acme Globex merger talks collapsed",
            ("Reuters",),
            (),
            topic="said the Acme Globex merger talks collapsed",
        ),
        Clause("regulators opened an inquiry into Acme rocket pricing", (), ()),
    )
    answer = _answer(
        "Reuters said the Acme Globex merger talks collapsed and regulators opened an inquiry "
        "into Acme rocket pricing",
        clauses=clauses,
        fake=fake_embedder,
    )
    assert len(answer.citations) == 2


def test_a_weak_clause_is_left_uncited(fake_embedder):
    clauses = (
        Clause("the Acme Globex merger talks collapsed on Friday", (), ()),
        Clause("a completely unrelated remark about football transfers", (), ()),
    )
    strict = replace(LENIENT, min_clause_score=0.5)
    answer = _answer(
        "Did the Acme Globex merger talks collapse on Friday, and what about football transfers?",
        clauses=clauses,
        config=strict,
        fake=fake_embedder,
    )
    assert [c.passage.article_id for c in answer.citations] == ["a0"]


def test_a_plan_of_one_clause_falls_back_to_its_plain_statements(fake_embedder):
    question = (
        "Did the Acme Globex merger talks collapse on Friday evening, while regulators "
        "opened an inquiry into Acme rocket pricing?"
    )
    answer = _answer(question, fake=fake_embedder)
    cited = [c.passage.article_id for c in answer.citations]
    assert cited[0] == "a0" and {"a2", "a3"} & set(cited)
