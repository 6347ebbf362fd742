"""The retrieval benchmark's metrics and question handling, on hand-made examples."""

from __future__ import annotations

import json

import pytest

from bench.retrieval import VARIANTS, half_of, load_questions, render, table
from bench.retrieval_metrics import percentile, score_question, squash, summarise
from qa.retrieval.retriever import RetrievalConfig
from tests.conftest import SHARED_EVAL, needs_benchmark


def test_facts_are_matched_with_all_whitespace_removed():
    assert squash(" a\tb\n c\u00a0d ") == "abcd"
    score = score_question(
        ["The mayor said:\nthe  bridge opens\u00a0soon."], ["the bridge opens soon."]
    )
    assert score.hits10 == 1.0


def test_hits_mrr_recall_and_full_evidence():
    passages = ["nothing here", "noise", "fact one is here", "more noise", "and fact two is here"]
    score = score_question(passages, ["fact one", "fact two", "fact three"])
    assert score.hits4 == 1.0 and score.hits10 == 1.0
    assert score.rr10 == pytest.approx(1 / 3)
    assert score.recall4 == pytest.approx(1 / 3)
    assert score.recall10 == pytest.approx(2 / 3)
    assert score.full10 == 0.0
    full = score_question(passages, ["fact one", "fact two"])
    assert full.full10 == 1.0 and full.recall4 == 0.5


def test_only_the_top_10_count_and_duplicate_facts_count_twice():
    passages = ["x"] * 10 + ["the fact"]
    assert score_question(passages, ["the fact"]).hits10 == 0.0
    score = score_question(["the fact"], ["the fact", "the fact", "missing"])
    assert score.recall10 == pytest.approx(2 / 3)


def test_a_question_without_evidence_cannot_be_scored():
    with pytest.raises(ValueError):
        score_question(["anything"], [])


def test_summary_means_and_latency_percentiles():
    scores = [score_question(["a"], ["a"]), score_question(["b"], ["a"])]
    summary = summarise(scores, [10.0, 30.0])
    assert summary.questions == 2
    assert summary.hits10 == 0.5 and summary.mrr10 == 0.5 and summary.full10 == 0.5
    assert summary.latency_median_ms == 20.0
    assert percentile([float(n) for n in range(1, 101)], 95) == pytest.approx(95.05)
    assert "| x | 2 |" in table([("x", summary)], "variant")


def test_null_questions_are_skipped_and_halves_are_stable(tmp_path):
    path = tmp_path / "questions.json"
    path.write_text(
        json.dumps(
            [
                {
                    "query": "Q one?",
                    "question_type": "inference_query",
                    "evidence_list": [{"fact": "f1"}],
                },
                {"query": "Q two?", "question_type": "null_query", "evidence_list": []},
                {
                    "query": "Q three?",
                    "question_type": "comparison_query",
                    "evidence_list": [{"fact": "f2"}, {"fact": "f3"}],
                },
            ]
        )
    )
    questions = load_questions(path)
    assert [q.query for q in questions] == ["Q one?", "Q three?"]
    assert questions[1].facts == ("f2", "f3")
    assert {q.half for q in questions} <= {"tune", "check"}
    assert half_of("Q one?") == half_of("Q one?")
    halves = {half_of(f"question {n}") for n in range(50)}
    assert halves == {"tune", "check"}


def test_every_variant_is_a_valid_configuration_and_the_default_is_hybrid_final():
    for overrides in VARIANTS.values():
        RetrievalConfig(**overrides)
    assert RetrievalConfig(**VARIANTS["final+dense-light"]) == RetrievalConfig()
    assert RetrievalConfig(**VARIANTS["default"]) == RetrievalConfig()
    assert not RetrievalConfig(**VARIANTS["final"]).dense


def test_the_report_has_one_row_per_variant_and_per_type():
    summary = summarise([score_question(["a"], ["a"])], [5.0])
    results = {"bm25": {"all": summary, "inference_query": summary, "half:tune": summary}}
    meta = {
        "questions_file": "q.json",
        "answerable": 1,
        "k": 10,
        "articles": 1,
        "chunks": 1,
        "machine": "test",
        "when": "now",
    }
    report = render(results, meta)
    assert "## All questions" in report and "| bm25 | 1 |" in report
    assert "| inference_query | 1 |" in report and "## Half `tune`" in report


@pytest.mark.slow
@needs_benchmark
def test_the_harness_runs_end_to_end_on_a_small_slice(tmp_path, capsys):
    """Index a few benchmark articles with the real model, run two variants, read the report."""
    from bench.retrieval import main

    questions = [
        q for q in json.loads((SHARED_EVAL / "queries-dev.json").read_text()) if q["evidence_list"]
    ][:3]
    urls = {e["url"] for q in questions for e in q["evidence_list"]}
    corpus = [a for a in json.loads((SHARED_EVAL / "corpus.json").read_text()) if a["url"] in urls]
    (tmp_path / "corpus.json").write_text(json.dumps(corpus))
    (tmp_path / "questions.json").write_text(json.dumps(questions))
    argv = [
        "--questions",
        str(tmp_path / "questions.json"),
        "--corpus",
        str(tmp_path / "corpus.json"),
        "--data-dir",
        str(tmp_path / "data"),
        "--variants",
        "bm25,final",
        "--no-save",
    ]
    assert main(argv) == 0
    report = capsys.readouterr().out
    assert "| bm25 | 3 |" in report and "| final | 3 |" in report
    # With only the evidence articles indexed, every question finds some of its evidence.
    final_row = next(line for line in report.splitlines() if line.startswith("| final | 3 |"))
    assert float(final_row.split("|")[4]) == 1.0  # Hits@10
    # A second run reuses the index instead of indexing again.
    assert main(argv) == 0
    assert "indexing" not in capsys.readouterr().err


def test_gold_evidence_puts_each_fact_to_the_model_and_scores_its_short_answer():
    from bench.gold_evidence import ask
    from qa.answer.llm import ChatModel, LLMConfig
    from tests.chat_server import ChatServer, ChatServerState

    item = {
        "index": 7,
        "question_type": "comparison_query",
        "query": "Did the Harbour Post and Quay Daily both report the night crossing?",
        "answer": "Yes",
        "evidence_list": [
            {
                "fact": "A night crossing starts in May.",
                "title": "Ferries",
                "source": "Harbour Post",
                "published_at": "2023-10-02T08:00:00+00:00",
                "url": "https://a.example/1",
            },
            {
                "fact": "The night ferry begins in spring.",
                "title": "Spring timetable",
                "source": "Quay Daily",
                "published_at": "2023-10-04 09:00:00",
                "url": "https://b.example/2",
            },
        ],
    }
    replies = iter(["Yes\nBoth did [1][2].", "No\nOnly one did [1]."])
    with ChatServer(ChatServerState(reply=lambda messages: next(replies))) as server:
        model = ChatModel(LLMConfig(model="m", base_url=server.base_url, api_key="k", timeout_s=10))
        right, wrong = ask(model, item), ask(model, item)
        prompt = server.state.requests[0]["messages"][-1]["content"]
    assert "[1] Ferries | Harbour Post | 2023-10-02\nA night crossing starts in May." in prompt
    assert "[2] Spring timetable | Quay Daily | 2023-10-04" in prompt
    assert (right["short_answer"], right["correct"]) == ("Yes", True)
    assert (wrong["short_answer"], wrong["correct"]) == ("No", False)


def test_the_diagnosis_places_each_missed_fact_and_the_pool_ceiling():
    from types import SimpleNamespace

    from bench.retrieval import Question
    from bench.retrieval_diagnosis import _Chunk, diagnose

    texts = {
        "a0": ("A", 0, "alpha one"),
        "a1": ("A", 1, "alpha two"),
        "a2": ("A", 2, "alpha three"),
        "b0": ("B", 0, "beta one"),
        "b1": ("B", 1, "beta two"),
        "c0": ("C", 0, "gamma one"),
        "d0": ("D", 0, "delta one"),
        "e0": ("E", 0, "epsilon one"),
        "e1": ("E", 1, "epsilon two"),
    }
    chunks = {cid: _Chunk(a, i, squash(t)) for cid, (a, i, t) in texts.items()}

    class Retriever:
        def retrieve(self, query, k=10):
            passages = [SimpleNamespace(chunk_id=c) for c in ("a0", "b0")]
            return SimpleNamespace(passages=passages, candidates=("a0", "b0", "c0", "b1", "e0"))

    facts = ("alpha one", "alpha three", "beta two", "gamma one", "epsilon two", "delta one")
    got = diagnose(Retriever(), chunks, [Question("q", "inference_query", facts, "tune")])
    # a2 and b1 belong to articles in the top (b1 next to b0, a2 two away from a0); c0 was a
    # candidate; e0 was, e1 not; D was never returned.
    assert got.outcomes == {
        "found": 1,
        "other chunk": 2,
        "candidate": 1,
        "article candidate": 1,
        "not found": 1,
    }
    assert got.adjacent == 1
    assert got.recall == pytest.approx(1 / 6) and got.full == 0.0
    # a0, b1 and c0 hold facts and are candidates: a perfect re-ranker finds 3 of 6.
    assert got.pool_recall == pytest.approx(3 / 6) and got.pool_full == 0.0
