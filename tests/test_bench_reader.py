"""The reader benchmark: its metrics on hand-made examples, and one run of the harness end to
end on tiny invented data (a SQuAD-format file, news questions, a MultiHop-format corpus)."""

from __future__ import annotations

import json

import pytest

from bench import reader
from bench.reader import NewsQuestion, SquadQuestion, load_news, load_squad, sample_squad
from bench.reader_metrics import (
    contains_answer,
    exact_match,
    f1_score,
    normalise_answer,
    part_of,
    short_answer_correct,
    squad_scores,
    summarise_news,
    summarise_squad,
    word_count,
)
from qa import Answer, Citation, Mode, Passage


def test_squad_normalisation_drops_case_punctuation_articles_and_extra_space():
    assert normalise_answer("The  Lachin-Corridor, an area!") == "lachincorridor area"
    assert normalise_answer("A cat's\ttoy.") == "cats toy"
    assert normalise_answer("Theatre anthem") == "theatre anthem"  # only whole articles go
    assert normalise_answer("") == ""


def test_exact_match_and_f1_take_the_best_gold():
    assert exact_match("the Normans", ["Norse", "Normans"]) == 1.0
    assert exact_match("Normans of France", ["Normans"]) == 0.0
    # "the cat sat" -> [cat, sat]; against [cat]: P 1/2, R 1, F1 2/3; against
    # [cat, sat, down]: P 1, R 2/3, F1 0.8.
    assert f1_score("the cat sat", ["a cat", "cat sat down"]) == pytest.approx(0.8)
    assert f1_score("dog", ["cat"]) == 0.0
    assert f1_score("", ["cat"]) == 0.0
    assert f1_score("cat", []) == 0.0


def test_squad_scores_count_abstentions():
    assert squad_scores("", (), answerable=False, abstained=True) == (1.0, 1.0)
    assert squad_scores("France", (), answerable=False, abstained=False) == (0.0, 0.0)
    assert squad_scores("", ("France",), answerable=True, abstained=True) == (0.0, 0.0)
    em, f1 = squad_scores("in France", ("France", "Normandy"), answerable=True, abstained=False)
    assert em == 0.0 and f1 == pytest.approx(2 / 3)


def test_a_short_answer_counts_up_to_eight_words_and_whole_words_only():
    assert word_count("Sam Altman [1]") == 2
    assert word_count("") == 0
    eight = "the chief executive of OpenAI Sam Altman himself"
    assert word_count(eight) == 8 and short_answer_correct(eight, ["Sam Altman"])
    assert not short_answer_correct(eight + " again", ["Sam Altman"])
    assert short_answer_correct("Uber’s chief [1]", ["Uber"])  # possessive, curly quote
    assert not short_answer_correct("the metaverse", ["Meta"])
    assert not short_answer_correct("", ["Meta"])
    assert contains_answer("A long sentence about Meta and its plans.", ["Google", "meta"])
    assert not contains_answer("anything", ["", "the"])  # golds that normalise to nothing


def test_the_split_by_id_hash_is_fixed():
    # sha1("a") starts 0x86 (even), sha1("b") 0xe9 (odd).
    assert part_of("a") == "dev" and part_of("b") == "report"
    assert {part_of(f"id{n}") for n in range(40)} == {"dev", "report"}


def test_the_squad_sample_is_half_answerable_per_part_and_fixed():
    questions = [
        SquadQuestion(
            f"q{n}", f"Question {n}?", ("x",) if n % 3 else (), bool(n % 3), part_of(f"q{n}")
        )
        for n in range(200)
    ]
    sample = sample_squad(questions, 10, seed=1)
    assert sample == sample_squad(questions, 10, seed=1)
    assert sample != sample_squad(questions, 10, seed=2)
    for part in ("dev", "report"):
        group = [q for q in sample if q.part == part]
        assert len(group) == 10 and sum(q.answerable for q in group) == 5
    assert [q.part for q in sample] == sorted(q.part for q in sample)  # dev first
    assert len(sample_squad(questions, 0)) == 200


def test_summaries_from_rows():
    def row(part, answerable, abstained, em, f1):
        return {
            "part": part,
            "answerable": answerable,
            "abstained": abstained,
            "em": em,
            "f1": f1,
            "gold_in_text": False,
            "short_words": 2,
            "seconds": 0.1,
        }

    squad = summarise_squad(
        [
            row("dev", True, False, 1.0, 1.0),
            row("dev", True, True, 0.0, 0.0),
            row("dev", False, True, 1.0, 1.0),
            row("report", False, False, 0.0, 0.0),
        ]
    )
    assert squad["dev"]["em"] == 0.5 and squad["dev"]["false_abstention"] == 0.5
    assert squad["dev"]["abstention"] == 1.0 and squad["dev"]["overall_f1"] == pytest.approx(
        2 / 3, abs=1e-4
    )
    assert squad["report"]["em"] is None and squad["report"]["abstention"] == 0.0
    assert squad["all"]["overall_em"] == 0.5 and squad["latency"]["n"] == 4

    def news_row(kind, answerable, abstained, correct, seconds):
        return {
            "answer_type": kind,
            "answerable": answerable,
            "abstained": abstained,
            "short_correct": correct,
            "gold_in_text": correct,
            "cites_url": False,
            "seconds": seconds,
        }

    news = summarise_news(
        [
            news_row("person", True, False, True, 0.1),
            news_row("person", True, False, False, 0.2),
            news_row("date", True, True, False, 0.3),
            news_row("other", False, True, False, 0.4),
            news_row("other", False, False, False, 0.5),
        ]
    )
    assert news["all"]["short_answer_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert news["all"]["false_abstention"] == pytest.approx(1 / 3, abs=1e-4)
    assert news["all"]["abstention"] == 0.5
    assert news["by_type"]["person"]["short_answer_accuracy"] == 0.5
    assert set(news["by_type"]) == {"person", "date"}  # per type: answerable questions only
    # Median 300 ms; p95 by linear interpolation: 400 + 0.8 * 100.
    assert news["latency"] == {"n": 5, "median_ms": 300.0, "p95_ms": 480.0}


# --- End to end ---------------------------------------------------------------------------

PARAGRAPHS = {
    "Quayside": [
        "The harbour of Quayside was built in 1821 by the merchant Elias Varn. Its lighthouse "
        "is painted red and white and can be seen from the island of Morrow.",
        "Ferries leave Quayside for the island of Morrow every morning at seven. The crossing "
        "takes forty minutes when the sea is calm.",
    ],
    "Glass_making": [
        "Glassblowers in Venn heat sand and soda ash in a furnace to about 1,500 degrees. The "
        "town's glass is exported to twelve countries.",
    ],
}
# (id, its part by sha1 of the id, paragraph, question, golds or None when unanswerable).
SQUAD_QUESTIONS = [
    ("q1-1", "dev", ("Quayside", 0), "Who built the harbour of Quayside?", ["Elias Varn", "Varn"]),
    ("q2-0", "dev", ("Quayside", 0), "When was the harbour of Quayside built?", ["1821"]),
    ("q3-0", "dev", ("Quayside", 0), "Who painted the lighthouse of Quayside?", None),
    (
        "q4-0",
        "report",
        ("Quayside", 1),
        "How long does the ferry crossing to Morrow take?",
        ["forty minutes"],
    ),
    ("q5-0", "dev", ("Quayside", 1), "How much does a ferry ticket to Morrow cost?", None),
    (
        "q6-3",
        "report",
        ("Glass_making", 0),
        "To how many countries is Venn glass exported?",
        ["twelve", "twelve countries"],
    ),
    ("q7-0", "report", ("Glass_making", 0), "Who founded the glass furnace in Venn?", None),
    ("q8-0", "report", ("Glass_making", 0), "What colour is the glass of Venn?", None),
]
CORPUS = [
    {
        "title": "Mayor Brandt opens the Harbour Bridge",
        "source": "Quay Daily",
        "published_at": "2023-10-02T08:00:00+00:00",
        "url": "https://quay.example/bridge",
        "body": "Mayor Elena Brandt opened the Harbour Bridge on Monday. The bridge cost 42 "
        "million euros and links the old town with the ferry terminal. Brandt said the bridge "
        "would carry ten thousand cyclists a day.",
    },
    {
        "title": "Ferry timetable changes",
        "source": "Harbour Post",
        "published_at": "2023-10-04T09:00:00+00:00",
        "url": "https://harbour.example/ferry",
        "body": "The ferry company said on Wednesday that the night crossing to Morrow starts "
        "in May. Tickets will cost the same as the day crossing.",
    },
]
MULTIHOP_QUERIES = [
    {
        "query": "Which mayor opened the Harbour Bridge, according to Quay Daily?",
        "answer": "Elena Brandt",
        "question_type": "inference_query",
        "evidence_list": [{"fact": "Mayor Elena Brandt opened the Harbour Bridge on Monday."}],
    },
    {
        "query": "What links the old town with the ferry terminal?",
        "answer": "Harbour Bridge",
        "question_type": "inference_query",
        "evidence_list": [{"fact": "links the old town with the ferry terminal"}],
    },
    {
        "query": "Did both Quay Daily and Harbour Post report on Morrow crossings?",
        "answer": "Yes",
        "question_type": "comparison_query",
        "evidence_list": [{"fact": "the night crossing to Morrow starts in May"}],
    },
    {
        "query": "Who won the Quayside regatta in 2023?",
        "answer": "Insufficient information.",
        "question_type": "null_query",
        "evidence_list": [],
    },
]
NEWS_QUESTIONS = [
    {
        "id": "n1",
        "question": "Who opened the Harbour Bridge?",
        "answerable": True,
        "answer": "Elena Brandt",
        "aliases": ["Brandt"],
        "answer_type": "person",
        "url": "https://quay.example/bridge",
        "evidence": "Mayor Elena Brandt opened the Harbour Bridge on Monday.",
    },
    {
        "id": "n2",
        "question": "What did the mayor open on Monday?",
        "answerable": True,
        "answer": "the Harbour Bridge",
        "aliases": [],
        "answer_type": "place",
        "url": "https://quay.example/bridge",
    },
    {
        "id": "n3",
        "question": "How much did the bridge cost?",
        "answerable": True,
        "answer": "42 million euros",
        "aliases": ["€42 million"],
        "answer_type": "number",
        "url": "https://quay.example/missing",
    },
    {"id": "n4", "question": "Who designed the ferry?", "answerable": False, "answer": ""},
    {"id": "n5", "question": "Is the ferry free?", "answerable": False, "answer": ""},
]
#: The scripted variant's replies: question -> (short answer, text of the cited passage), or
#: None to abstain.
SCRIPT = {
    "Who built the harbour of Quayside?": ("Elias Varn", "built in 1821 by Elias Varn"),
    "When was the harbour of Quayside built?": ("in 1821", "built in 1821"),
    "How much does a ferry ticket to Morrow cost?": ("ten pounds", "tickets"),
    "To how many countries is Venn glass exported?": ("twelve countries", "twelve countries"),
    "What colour is the glass of Venn?": ("green", "glass"),
    "Which mayor opened the Harbour Bridge, according to Quay Daily?": (
        "Elena Brandt",
        "Mayor Elena Brandt opened the Harbour Bridge on Monday.",
    ),
    "What links the old town with the ferry terminal?": ("The bridge", "The bridge cost"),
    "Who opened the Harbour Bridge?": ("Mayor Brandt", "Mayor Elena Brandt"),
    "What did the mayor open on Monday?": (
        "The new Harbour Bridge opens in May after years of delays and costs",
        "the bridge",
    ),
    "Is the ferry free?": ("Yes", "Tickets will cost"),
}


class ScriptedAnswerer:
    """Answers from :data:`SCRIPT`, citing one passage; abstains on anything else."""

    mode = Mode(llm_model="scripted")

    def ask(self, question, stream=False):
        entry = SCRIPT.get(question)
        if entry is None:
            answer = Answer(text="The articles do not say.", abstained=True, abstain_reason="x")
        else:
            short, cited = entry
            passage = Passage(cited, "a1", "Title", "", None, "", 0, len(cited))
            answer = Answer(
                text=f"{short} [1]. {cited} [1]",
                citations=(Citation(1, passage),),
                short_answer=short,
            )
        return iter([answer]) if stream else answer


def scripted(index):
    """Answers from a script (the test's hand-computed figures)."""
    return ScriptedAnswerer()


def write_data(tmp_path):
    """The tiny data files; returns the command-line arguments pointing at them."""
    squad = {"version": "v2.0", "data": []}
    for title, texts in PARAGRAPHS.items():
        paragraphs = []
        for n, context in enumerate(texts):
            qas = [
                {
                    "id": qid,
                    "question": question,
                    "is_impossible": golds is None,
                    "answers": [{"text": g, "answer_start": context.find(g)} for g in golds or []],
                }
                for qid, _, where, question, golds in SQUAD_QUESTIONS
                if where == (title, n)
            ]
            paragraphs.append({"context": context, "qas": qas})
        squad["data"].append({"title": title, "paragraphs": paragraphs})
    files = {
        "squad.json": squad,
        "corpus.json": CORPUS,
        "queries.json": MULTIHOP_QUERIES,
        "news.json": NEWS_QUESTIONS,
    }
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False))
    return [
        "--squad",
        str(tmp_path / "squad.json"),
        "--squad-data-dir",
        str(tmp_path / "squad-index"),
        "--sample",
        "0",
        "--multihop-queries",
        str(tmp_path / "queries.json"),
        "--multihop-corpus",
        str(tmp_path / "corpus.json"),
        "--multihop-data-dir",
        str(tmp_path / "news-index"),
        "--news-questions",
        str(tmp_path / "news.json"),
        "--out",
        str(tmp_path / "results"),
    ]


def test_the_loaders_read_the_tiny_files(tmp_path):
    write_data(tmp_path)
    articles, questions = load_squad(tmp_path / "squad.json")
    assert [a.title for a in articles] == ["Quayside (1)", "Quayside (2)", "Glass making (1)"]
    assert len({a.id for a in articles}) == 3 and all(a.url == a.id for a in articles)
    assert all(a.published is None and a.source == "" for a in articles)
    assert [q.part for q in questions] == [q[1] for q in SQUAD_QUESTIONS]
    assert all(part_of(q[0]) == q[1] for q in SQUAD_QUESTIONS)
    assert questions[0].golds == ("Elias Varn", "Varn") and not questions[2].answerable
    news = load_news(tmp_path / "news.json")
    assert news[0] == NewsQuestion(
        "n1",
        "Who opened the Harbour Bridge?",
        True,
        ("Elena Brandt", "Brandt"),
        "person",
        "https://quay.example/bridge",
    )
    assert news[3].golds == () and news[3].answer_type == "other"


def test_the_harness_runs_every_set_and_variant_end_to_end(tmp_path, monkeypatch, capsys):
    from tests.fakes import FakeEmbedder

    monkeypatch.setitem(reader.VARIANTS, "scripted", scripted)
    argv = [*write_data(tmp_path), "--variants", "baseline,scripted", "--name", "tiny"]
    assert reader.main(argv, embedder=FakeEmbedder()) == 0
    captured = capsys.readouterr()
    assert "indexing 3 of 3 SQuAD paragraphs" in captured.err
    assert "indexing 2 of 2 MultiHop-RAG articles" in captured.err
    results = tmp_path / "results"
    report = (results / "reader-tiny.md").read_text()
    assert report in captured.out
    payload = json.loads((results / "reader-tiny.json").read_text())
    got = payload["results"]["scripted"]

    # SQuAD, scripted: answerable q1 (EM 1, F1 1), q2 ("in 1821": EM 0, F1 2/3), q4 (abstained:
    # 0, 0), q6 (1, 1); unanswerable q3 and q7 abstained (1, 1), q5 and q8 answered (0, 0).
    dev, rep, both = (got["squad"][p] for p in ("dev", "report", "all"))
    assert (dev["answerable"], dev["unanswerable"], rep["answerable"]) == (2, 2, 2)
    assert dev["em"] == 0.5 and dev["f1"] == pytest.approx(5 / 6, abs=1e-4)
    assert dev["abstention"] == 0.5 and dev["false_abstention"] == 0.0
    assert dev["overall_em"] == 0.5 and dev["overall_f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert rep["em"] == 0.5 and rep["f1"] == 0.5 and rep["false_abstention"] == 0.5
    assert rep["overall_f1"] == 0.5
    assert both["f1"] == pytest.approx(2.6667 / 4, abs=1e-4)
    assert both["overall_f1"] == pytest.approx((2.6667 + 2) / 8, abs=1e-4)  # dev + report

    # MultiHop, scripted: one inference question right (short and in the text), the other
    # wrong; the comparison question abstained on; the null one too. Citations: one of two
    # hold a gold fact.
    multihop = got["multihop"]
    assert (multihop["inference"], multihop["short_answer_accuracy"]) == (2, 0.5)
    assert multihop["gold_in_text"] == 0.5 and multihop["abstention_null"] == 1.0
    assert multihop["false_abstention"] == pytest.approx(1 / 3, abs=1e-4)
    assert multihop["citation_precision"] == 0.5

    # News, scripted: n1 right through its alias; n2's short answer is 13 words (the gold is in
    # its text); n3 abstained; n4 abstained, n5 answered.
    news = got["news"]
    assert news["all"]["answerable"] == 3
    assert news["all"]["short_answer_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert news["all"]["gold_in_text"] == pytest.approx(2 / 3, abs=1e-4)
    assert news["all"]["abstention"] == 0.5
    assert {t: s["short_answer_accuracy"] for t, s in news["by_type"].items()} == {
        "number": 0.0,
        "person": 1.0,
        "place": 0.0,
    }
    assert payload["meta"]["sets"]["news"]["urls_missing"] == 1

    # Latency: every question timed once (the warm-up ones are not counted).
    assert got["squad"]["latency"]["n"] == 8 and got["news"]["latency"]["n"] == 5

    # The real extractive answerer ran over the same indexes.
    base = payload["results"]["baseline"]
    assert base["squad"]["all"]["questions"] == 8 and base["multihop"]["questions"] == 4
    assert payload["meta"]["configs"]["baseline"]["mode"] == "extractive"
    assert "top_k" in payload["meta"]["configs"]["baseline"]
    rows = (results / "reader-tiny.jsonl").read_text().splitlines()
    assert len(rows) == 2 * (8 + 4 + 5)

    # One row per variant in every table.
    assert "| baseline | dev | 2 |" in report and "| scripted | report | 2 | 0.500 |" in report
    assert (
        "| scripted | all | 3 | 0.333 |" in report and "| scripted | person | 1 | 1.000 |" in report
    )
    assert "| scripted | 2 | 0.500 | 0.500 | 1 | 1.000 | 0.333 | 0.500 |" in report

    # A second run reuses both indexes; without the news file that table is skipped.
    argv[argv.index("--news-questions") + 1] = str(tmp_path / "absent.json")
    assert reader.main([*argv, "--no-save", "--sets", "squad,news"], embedder=FakeEmbedder()) == 0
    captured = capsys.readouterr()
    assert "indexing" not in captured.err
    assert "Skipped:" in captured.out and "## MultiHop-RAG" not in captured.out


def test_unknown_variants_and_sets_are_refused():
    with pytest.raises(SystemExit):
        reader.main(["--variants", "nope"])
    with pytest.raises(SystemExit):
        reader.main(["--sets", "squad,nope"])
