"""The corroboration and conflict benchmark's harness (bench.claims), on two small cases of its
own: articles written in the case file, so no benchmark data is needed."""

from __future__ import annotations

import json

import pytest

from bench.claims import section
from bench.claims_cases import build_articles, load_cases, load_corpus

STORY = (
    "The earthquake struck the coastal province of Verano early on Tuesday.\n\n"
    "The death toll rose to {} on Wednesday, the national disaster agency said."
)


def _article(outlet: str, toll: str, group: str | None) -> dict:
    return {
        "title": "Verano earthquake toll rises",
        "outlet": outlet,
        "published": "2023-10-04",
        "group": group,
        "text": STORY.format(toll),
    }


CASES = {
    "background": [],
    "cases": [
        {
            "id": "agree",
            "category": "copies",
            "expect": "none",
            "question": "What was the death toll of the Verano earthquake?",
            "statement": "The death toll rose to",
            "articles": [
                _article("Capital Wire", "3,100", "a"),
                _article("Harbour Gazette", "3,100", "a"),
                _article("Northern Courier", "3,100", "a"),
            ],
        },
        {
            "id": "differ",
            "split": "heldout",
            "category": "conflict-copy",
            "expect": "conflict",
            "question": "What was the death toll of the Verano earthquake?",
            "statement": "The death toll rose to",
            "articles": [
                _article("Capital Wire", "3,100", "a"),
                _article("Harbour Gazette", "2,600", "b"),
            ],
        },
    ],
}


@pytest.fixture
def files(tmp_path):
    data, corpus = tmp_path / "claims.json", tmp_path / "corpus.json"
    data.write_text(json.dumps(CASES), encoding="utf-8")
    corpus.write_text("[]", encoding="utf-8")
    return data, corpus


def test_the_section_scores_counts_conflicts_and_false_alarms(files, real_embedder):
    markdown, figures = section(*files, embedder=real_embedder)
    for way in ("answer", "cited"):
        f = figures[way]
        assert f["cases"] == 2 and f["statement_cited"] == 1.0
        assert f["count_exact"] == 1.0 and f["conflicts_found"] == 1.0
        assert f["false_alarms"] == 0.0 and f["conflict_precision"] == 1.0
        assert figures[f"{way}/heldout"]["cases"] == 1
    rows = {(r["way"], r["id"]): r for r in figures["rows"]}
    assert rows["cited", "agree"]["count"] == 3 and rows["cited", "differ"]["count"] == 1
    assert rows["cited", "differ"]["conflicts"][0]["sides"] == [
        ["Capital Wire", "3,100", 1],
        ["Harbour Gazette", "2,600", 2],
    ]
    assert "| answer | 2 | 1.000 | 1.000 | 1.000 (1) | 0.000 (1) |" in markdown


def test_a_case_whose_edit_or_statement_is_missing_is_refused(files, tmp_path):
    data, corpus = files
    broken = json.loads(data.read_text(encoding="utf-8"))
    broken["cases"][0]["articles"][1]["edits"] = [["no such words", "x"]]
    data.write_text(json.dumps(broken), encoding="utf-8")
    cases, _ = load_cases(data)
    with pytest.raises(ValueError, match="edit 'no such words' not found"):
        build_articles(cases[0], load_corpus(corpus))
    broken["cases"][0]["articles"][1].pop("edits")
    broken["cases"][0]["statement"] = "The toll fell"
    data.write_text(json.dumps(broken), encoding="utf-8")
    cases, _ = load_cases(data)
    with pytest.raises(ValueError, match="is not in the text"):
        build_articles(cases[0], load_corpus(corpus))
    broken["cases"][0]["expect"] = "maybe"
    data.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="expect must be one of"):
        load_cases(data)
