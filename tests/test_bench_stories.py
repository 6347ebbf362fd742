"""The copies-and-stories benchmark's own parts: its edits, its pairs file, its scoring."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from bench.stories import PAIRS, Pair, copies_and_stories, load_pairs, score
from bench.story_edits import LABELS, edit, edited_id
from index import load_file
from index.sketch import shingles
from index.stories import COPY_CONTAINMENT, COPY_JACCARD
from tests.conftest import NEWS_CORPUS


def _exact(a: str, b: str) -> tuple[float, float]:
    sa, sb = shingles(a), shingles(b)
    both = np.intersect1d(sa, sb).size
    return both / (sa.size + sb.size - both), both / min(sa.size, sb.size)


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_each_edit_lands_on_the_side_of_the_copy_definition_its_label_says(kind):
    for article in load_file(NEWS_CORPUS).articles[:12]:
        edited = edit(article, kind)
        assert edited.id == edited.url == edited_id(kind, article.id) != article.id
        assert edit(article, kind) == edited  # the same every run
        assert edited.source != article.source or kind == "update"
        jaccard, containment = _exact(article.text, edited.text)
        copy = jaccard >= COPY_JACCARD and containment >= COPY_CONTAINMENT
        assert copy == (LABELS[kind] == "copy"), (kind, article.id, jaccard, containment)


def test_an_unknown_edit_is_refused():
    with pytest.raises(ValueError, match="unknown edit"):
        edit(load_file(NEWS_CORPUS).articles[0], "translate")


def test_the_pairs_file_is_well_formed():
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 200
    assert len({p["id"] for p in pairs}) == len(pairs)
    labels = Counter(p["label"] for p in pairs)
    assert set(labels) == {"copy", "same story", "different"} and min(labels.values()) >= 50
    seen = set()
    for p in pairs:
        for side in (p["a"], p["b"]):
            assert isinstance(side, str) or (
                side["edit"] in LABELS and side["of"].startswith("http")
            )
        if isinstance(p["b"], dict):
            assert p["label"] == LABELS[p["b"]["edit"]] and p["a"] == p["b"]["of"]
        key = frozenset(json.dumps(s, sort_keys=True) for s in (p["a"], p["b"]))
        assert key not in seen, p["id"]  # no pair twice
        seen.add(key)


def test_pairs_resolve_to_articles_and_are_scored(tmp_path):
    corpus = {a.id: a for a in load_file(NEWS_CORPUS).articles}
    ids = list(corpus)
    path = tmp_path / "pairs.json"
    path.write_text(
        json.dumps(
            {
                "pairs": [
                    {"id": "c", "kind": "edited copy", "label": "copy", "a": ids[0],
                     "b": {"edit": "republish", "of": ids[0]}},
                    {"id": "d", "kind": "different event", "label": "different", "a": ids[1],
                     "b": ids[2]},
                ]
            }
        )
    )  # fmt: skip
    pairs, extra = load_pairs(path, corpus)
    assert [p.b for p in pairs] == [edited_id("republish", ids[0]), ids[2]]
    assert list(extra) == [edited_id("republish", ids[0])]
    stray = {"id": "x", "kind": "k", "label": "copy", "a": "https://nowhere.example", "b": ids[0]}
    path.write_text(json.dumps({"pairs": [stray]}))
    with pytest.raises(SystemExit):
        load_pairs(path, corpus)
    scores = score(pairs, lambda p: p.label == "copy", lambda p: True)
    assert (scores.precision, scores.recall) == (0.5, 1.0)


def test_the_copies_section_counts_what_the_index_said():
    from bench.stories import Run

    articles = {a.id: a for a in load_file(NEWS_CORPUS).articles[:4]}
    a, b, c, d = articles
    pairs = [
        Pair("1", "edited copy", "copy", a, b),
        Pair("2", "same event", "same story", a, c),
        Pair("3", "different event", "different", c, d),
    ]
    groups = {a: ("g1", "s1"), b: ("g1", "s1"), c: ("g2", "s2"), d: ("g3", "s2")}
    section = copies_and_stories(Run(articles, None, pairs, groups))
    story = section.data["all"]["same_story"]
    assert section.data["all"]["copy"]["precision"] == 1.0
    assert (story["predicted"], story["correct"], story["positives"]) == (2, 1, 2)
    assert [w["id"] for w in section.data["wrong"]] == ["2", "3"]
