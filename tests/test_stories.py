"""Copies and stories: found at ingestion, stored with the articles, folded at retrieval.

The articles are the test corpus's (``tests/data/news.jsonl``: three near-duplicates of three
stories) and ``tests/data/stories.jsonl``: another outlet's own report of the Storm Edda flood
(the same event, not a copy), a library reopening in the same town on the same day, and the
Norland central bank's next rate decision six weeks on (same bank, same words, another event).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from index import Article, Settings, load_file, open_index
from index.segments import info_row, row_info
from index.sketch import HASHES, Sketch, shingles, similarity, sketch_text, text_overlap
from index.stories import group_key, is_copy, same_story, series_instalments
from qa.retrieval.retriever import Retriever
from qa.types import Citation, Copy, Passage
from tests.conftest import NEWS_CORPUS, ROOT
from tests.fixtures.news import COPIES

STORIES = ROOT / "tests" / "data" / "stories.jsonl"
RATES, FLOOD, BREACH = 2, 5, 8
FLOOD_REPORT = "https://courier.example/2023/10/17/kessington-flood-care-home"
LIBRARY = "https://courier.example/2023/10/17/kessington-library-reopens"
NEXT_RATES = "https://meridianwire.example/2023/11/02/norland-rates-third-hold"


def _news() -> list[Article]:
    return load_file(NEWS_CORPUS).articles


def _extra() -> dict[str, Article]:
    return {a.url: a for a in load_file(STORIES).articles}


def _exact(a: str, b: str) -> tuple[float, float]:
    sa, sb = shingles(a), shingles(b)
    shared = np.intersect1d(sa, sb).size
    return shared / (sa.size + sb.size - shared), shared / min(sa.size, sb.size)


# ---- sketches ------------------------------------------------------------------------------


def test_a_sketch_estimates_how_much_of_two_texts_is_shared():
    news = _news()
    for copy, original in COPIES.items():
        jaccard, containment = _exact(news[copy].text, news[original].text)
        found = similarity(sketch_text(news[copy].text), sketch_text(news[original].text))
        assert abs(found.jaccard - jaccard) < 0.12, (copy, found, jaccard)
        assert abs(found.containment - containment) < 0.12, (copy, found, containment)
    unrelated = similarity(sketch_text(news[0].text), sketch_text(news[1].text))
    assert unrelated.jaccard < 0.05


def test_a_sketch_ignores_case_punctuation_and_layout_but_not_words():
    text = _news()[FLOOD].text
    reflowed = " ".join(text.upper().replace(",", " ,").split())
    assert np.array_equal(sketch_text(reflowed).signature, sketch_text(text).signature)
    edited = text.replace("Kessington", "Kesington")  # a word changed in six places
    assert not np.array_equal(sketch_text(edited).signature, sketch_text(text).signature)
    assert text_overlap(text, reflowed) == 1.0
    assert text_overlap(text, _news()[0].text) < 0.05
    assert sketch_text("").shingles == 0 and sketch_text("").bands == ()


def test_sketches_survive_a_store_round_trip_and_never_change_their_hash_functions():
    sketch = sketch_text(_news()[RATES].text)
    assert len(sketch.signature) == HASHES
    back = Sketch.decode(sketch.encode(), sketch.shingles)
    assert np.array_equal(back.signature, sketch.signature) and back.bands == sketch.bands
    with pytest.raises(ValueError):
        Sketch.decode("AAAA", 3)
    # Stored sketches are compared with new ones: the functions must stay what they were.
    fixed = sketch_text("the quick brown fox jumps over the lazy dog").encode()
    assert hashlib.sha1(fixed.encode("ascii")).hexdigest()[:12] == "90d642245220"


# ---- the rules -----------------------------------------------------------------------------


def test_the_story_rules():
    day = 19_000
    assert same_story(0.8, day, day + 1, "Storm floods town", "Town under water")
    assert not same_story(0.8, day, day + 2, "Storm floods town", "Town under water")
    assert not same_story(0.6, day, day, "Storm floods town", "Town under water")
    assert not same_story(0.95, day, -1_000_000, "Storm floods town", "Town under water")
    game = "World Series live score: Rangers vs. Diamondbacks from Game {}"
    assert series_instalments(game.format(3), game.format(4))
    assert not same_story(0.9, day, day + 1, game.format(3), game.format(4))
    assert not series_instalments("Rates held at 4.25%", "Rates held at 4.25%")
    assert not series_instalments("2 killed in storm", "Election results: 1,200 votes counted")


def test_the_copy_rule():
    news = _news()
    for copy, original in COPIES.items():
        assert is_copy(similarity(sketch_text(news[copy].text), sketch_text(news[original].text)))
    halves = news[FLOOD].text[: len(news[FLOOD].text) // 3]
    # A third of an article inside it: contained, but most of the longer one is not shared.
    assert not is_copy(similarity(sketch_text(halves), sketch_text(news[FLOOD].text)))


# ---- ingestion -----------------------------------------------------------------------------


def _groups(index) -> dict[str, tuple[str, str]]:
    return {a.id: (a.copy_group, a.story) for a in index.store.list_articles()}


def test_copies_are_found_in_one_ingestion_and_across_ingestions(settings, fake_embedder):
    news = _news()
    index = open_index(settings, embedder=fake_embedder)
    first = [news[i] for i in (RATES, FLOOD, BREACH, 0, 1)] + [news[33]]
    index.add_articles(first)  # the copy of RATES in the same run
    index.add_articles([news[34], news[35]])  # the other two in a later one
    groups = _groups(index)
    for copy, original in COPIES.items():
        assert groups[news[copy].id] == groups[news[original].id], copy
        assert groups[news[original].id][0] == group_key(news[original].id)  # the founder's key
    keys = {groups[news[i].id][0] for i in (RATES, FLOOD, BREACH, 0, 1)}
    assert len(keys) == 5  # different articles, different groups
    # Readers see the groups on every chunk, and in the catalogue the app lists.
    chunks = [c for page, _ in index.store.committed_chunks() for c in page]
    assert all((c.copy_group, c.story) == groups[c.article_id] for c in chunks)
    assert {a.id: (a.copy_group, a.story) for a in index.articles()} == groups
    assert index.store.chroma.sketches.count() == len(groups)


def test_groups_stay_when_articles_go_and_come_back(settings, fake_embedder):
    news = _news()
    index = open_index(settings, embedder=fake_embedder)
    index.add_articles([news[FLOOD], news[34], news[0]])
    founder = group_key(news[FLOOD].id)
    assert index.remove(news[FLOOD].id)
    assert _groups(index)[news[34].id] == (founder, founder)  # the copy keeps its group
    assert index.store.chroma.sketches.count() == 2  # the removed article's sketch went with it
    index.add_articles([news[FLOOD]])  # re-ingested: it matches its copy, whose keys are its own
    assert _groups(index)[news[FLOOD].id] == (founder, founder)
    changed = replace(news[FLOOD], text=news[FLOOD].text + "\n\nUpdate: the bridge reopened.")
    index.add_articles([changed])  # an update is compared with the others, not with itself
    assert _groups(index)[news[FLOOD].id] == (founder, founder)
    assert index.store.chroma.sketches.count() == 3


def test_a_sketch_of_an_uncommitted_article_is_never_a_candidate_and_is_cleaned(settings):
    from tests.fakes import FakeEmbedder

    news = _news()
    index = open_index(settings, embedder=FakeEmbedder())
    index.add_articles([news[0]])
    store = index.store
    ghost = sketch_text(news[FLOOD].text)
    # What a writer killed between its sketches and its article records leaves behind.
    store.chroma.sketches.upsert(
        ids=["ghost"], embeddings=[[1.0]], documents=[ghost.encode()],
        metadatas=[{"shingles": ghost.shingles, "copy_group": "g", "story": "g", "story_day": 1}
                   | {f"b{b:02d}": key for b, key in enumerate(ghost.bands)}],
    )  # fmt: skip
    assert store.sketches_sharing([ghost]) == []
    index.add_articles([news[34]])  # the copy of the ghost's text founds its own groups
    assert _groups(index)[news[34].id][0] == group_key(news[34].id)
    store.remove_orphans()
    assert store.chroma.sketches.get(ids=["ghost"])["ids"] == []


def test_same_event_reports_share_a_story_and_other_events_do_not(settings, real_embedder):
    news, extra = _news(), _extra()
    index = open_index(settings, embedder=real_embedder)
    index.add_articles([news[i] for i in (RATES, FLOOD, BREACH, 33, 34)])
    index.add_articles(list(extra.values()))
    groups = _groups(index)
    flood = groups[news[FLOOD].id]
    assert groups[FLOOD_REPORT][1] == flood[1]  # the same flood, written afresh: one story
    assert groups[FLOOD_REPORT][0] != flood[0]  # but not a copy
    assert groups[news[34].id] == flood  # the wire copy: both
    assert groups[LIBRARY][1] != flood[1]  # same town, same day, another event
    assert groups[NEXT_RATES][1] != groups[news[RATES].id][1]  # the next meeting: another event
    assert len({g[1] for g in groups.values()}) == 5


def test_groups_of_old_catalogue_rows_read_as_none():
    from index.store import ArticleInfo

    info = ArticleInfo("a", "T", "S", date(2024, 1, 2), "u", "", "", "h", 2, "c", "s")
    assert row_info(info_row(info)) == info
    assert row_info(info_row(info)[:9]) == replace(info, copy_group="", story="")


# ---- retrieval -----------------------------------------------------------------------------


def _wire(outlets: list[str]) -> list[Article]:
    story = _news()[FLOOD]
    return [
        replace(
            story,
            id=f"https://{o.lower()}.example/edda",
            url=f"https://{o.lower()}.example/edda",
            source=o,
            title=f"{story.title} ({o})",
        )
        for o in outlets
    ]


@pytest.mark.parametrize("table", [True, False], ids=["memory table", "store"])
def test_a_passage_carried_by_copies_is_shown_once_with_the_others_also_in(
    tmp_path, fake_embedder, table
):
    news = _news()
    settings = Settings(data_dir=tmp_path / "data", memory_table_chunks=30_000 if table else 0)
    index = open_index(settings, embedder=fake_embedder)
    others = [news[i] for i in range(12) if i != FLOOD]  # the wire original is a copy too
    index.add_articles(_wire(["Courier", "Herald", "Post"]) + others)
    passages = Retriever(index).retrieve("How many homes lost power when Storm Edda flooded "
                                         "Kessington?", k=8).passages  # fmt: skip
    edda = [p for p in passages if "Edda" in p.title]
    # Equal texts tie, so which outlet is shown is arbitrary; the other two are listed.
    shown = edda[0]
    outlets = {"Courier", "Herald", "Post"}
    assert sorted(c.source for c in shown.also_in) == sorted(outlets - {shown.source})
    assert {c.url for c in shown.also_in} == {f"https://{o.lower()}.example/edda" for o in
                                              outlets - {shown.source}}  # fmt: skip
    assert all(p.story_id == shown.story_id for p in edda)
    texts = [p.text for p in passages]
    assert len(texts) == len(set(texts)) == 8  # no passage twice; the rest filled by others
    # Each stretch of the story once, with the other copies listed; at most per_article (4)
    # passages of the three copies together.
    assert len(edda) <= 4
    for p in edda:
        assert sorted(c.source for c in p.also_in) == sorted(outlets - {p.source})


def test_citations_and_api_show_also_in_escaped():
    from ui.api import passage_to_dict
    from ui.cards import render_card

    copy = Copy("b", "T", '<b onmouseover="x">Evil</b>', date(2024, 1, 3), "javascript:alert(1)")
    passage = Passage("Text.", "a", "T", "Good", date(2024, 1, 2), "https://a.example", 0, 5,
                      story_id="s1", also_in=(copy,))  # fmt: skip
    citation = Citation(1, passage)
    assert citation.also_in == (copy,) and citation.story_id == "s1"
    html = render_card(citation, 0)
    assert "Also in:" in html and "&lt;b onmouseover" in html and "<b " not in html
    assert "javascript:" not in html
    data = passage_to_dict(passage)
    assert data["story_id"] == "s1"
    assert data["also_in"] == [
        {"article_id": "b", "title": "T", "source": copy.source, "published": "2024-01-03",
         "url": "javascript:alert(1)"}
    ]  # fmt: skip
