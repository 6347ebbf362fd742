"""One plan per question: ask() reads the question once and the answer uses the retriever's plan."""

from __future__ import annotations

import qa.question.plan as plan_module
from qa import Answerer
from qa.answer.extractive import ExtractiveAnswerer
from qa.retrieval.retriever import Retriever

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
TWO_PARTS = (
    "Did Azerbaijan set up a checkpoint on the Lachin corridor, while Armenia called it a "
    "violation of the ceasefire?"
)


def test_ask_plans_the_question_once_and_answers_from_that_plan(sample_index, monkeypatch):
    answerer = Answerer(sample_index)
    split = []
    real_split = plan_module.split_clauses

    def counting_split(question, *args, **kwargs):
        split.append(question)
        return real_split(question, *args, **kwargs)

    results, chosen_plans = [], []
    real_retrieve, real_choose = Retriever.retrieve, ExtractiveAnswerer.choose

    def recording_retrieve(self, *args, **kwargs):
        results.append(real_retrieve(self, *args, **kwargs))
        return results[-1]

    def recording_choose(self, question, table, scored, plan=None):
        chosen_plans.append(plan)
        return real_choose(self, question, table, scored, plan)

    monkeypatch.setattr(plan_module, "split_clauses", counting_split)
    monkeypatch.setattr(Retriever, "retrieve", recording_retrieve)
    monkeypatch.setattr(ExtractiveAnswerer, "choose", recording_choose)
    for question in (LACHIN, TWO_PARTS):
        split.clear()
        results.clear()
        chosen_plans.clear()
        answer = answerer.ask(question)
        assert not answer.abstained
        assert split == [question]
        assert [r.plan.question for r in results] == [question]
        assert chosen_plans == [results[0].plan]
    assert len(results[0].plan.parts()) == 2 and len(results[0].clauses) == 2


def test_retrieve_takes_a_plan_made_beforehand(sample_index):
    retriever = Retriever(sample_index)
    plan = retriever.plan(LACHIN)
    by_plan = retriever.retrieve(plan, k=4)
    assert by_plan.plan is plan
    assert [p.chunk_id for p in by_plan.passages] == [
        p.chunk_id for p in retriever.retrieve(LACHIN, k=4).passages
    ]
