"""Retriever behaviour on a small real index (real Chroma on disk, fake embedder).

The corpus is built so that a plain search of the whole question fails: the question has a long
half and a short half, and several articles from the outlet the short half names repeat the long
half, so a search for the whole question ranks them above the article answering the short half.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from index import Article, Settings, open_index
from index.text import count_tokens
from qa.retrieval.fusion import interleave, rrf
from qa.retrieval.retriever import RetrievalConfig, Retriever

QUESTION = (
    "Did the Daily Planet report that the new tram line to the harbour will open in spring "
    "with cheaper tickets and longer hours, while the Gotham Gazette said the roof leaked "
    "during the concert?"
)
PLANET = "https://planet.example/tram"
GAZETTE = "https://gazette.example/roof"


def _articles() -> list[Article]:
    day = date(2023, 10, 1)
    out = [
        Article(
            id=PLANET,
            url=PLANET,
            source="Daily Planet",
            published=day,
            title="Transport office sets a date",
            text="The new tram line to the harbour will open in spring, with cheaper tickets and "
            "longer hours, the transport office said on Monday.",
        ),
        Article(
            id=GAZETTE,
            url=GAZETTE,
            source="Gotham Gazette",
            published=day + timedelta(days=3),
            title="Concert goers soaked",
            text="Water poured in during the concert on Friday: the roof leaked above the east "
            "stand and fans were moved. Engineers will inspect it next week.",
        ),
    ]
    # Gazette pieces on the tram line repeat the long half of the question, in the outlet the
    # short half names, each in its own words (copies of one text would be shown once);
    # unrelated wire stories make those words rare enough to weigh.
    for n, text in enumerate(_TRAM_PIECES):
        url = f"https://gazette.example/tram-{n}"
        out.append(
            Article(
                id=url,
                url=url,
                source="Gotham Gazette",
                published=day + timedelta(days=n),
                title=f"Tram line to the harbour, part {n}",
                text=text,
            )
        )
    for n in range(20):
        url = f"https://wire.example/{n}"
        out.append(
            Article(
                id=url,
                url=url,
                source="Metro Wire",
                published=day + timedelta(days=n),
                title=f"Weather and sport {n}",
                text=f"Story {n}: rain is expected in {_TOWNS[n]} on the weekend, and the "
                f"{_TOWNS[-1 - n]} football club won {n + 1} to nil.",
            )
        )
    return out


_TRAM_PIECES = [
    "The new tram line to the harbour will open in spring. Cheaper tickets and longer hours are "
    "planned for the new tram line to the harbour, officials say. " * 2,
    "Will the new tram line to the harbour open in spring? Yes, the planners say, and with "
    "cheaper tickets and longer hours than the buses on the harbour route.",
    "Cheaper tickets and longer hours: that is the promise of the new tram line to the "
    "harbour, which will open in spring after two years of building work on the tram line.",
]
_TOWNS = (
    "Arden Brock Calder Dunmore Elsby Fenwick Garside Harlow Ilkley Jarrow Kelso Lanark "
    "Morpeth Nairn Otley Penrith Quorn Ripon Selby Thirsk"
).split()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from tests.fakes import FakeEmbedder

    opened = open_index(
        Settings(data_dir=tmp_path_factory.mktemp("retrieval") / "data"), embedder=FakeEmbedder()
    )
    assert opened.add_articles(_articles()).ok
    return opened


PLAIN = RetrievalConfig(
    outlet_queries=False,
    decompose=False,
    inherit_outlets=False,
    date_focus=False,
    feedback_terms=0,
    focus=0.0,
    fusion="rrf",
    main_turns=0,
    per_article=0,
)


def test_each_part_of_a_two_outlet_question_finds_its_article(index):
    found = [p.article_id for p in Retriever(index).retrieve(QUESTION, k=4).passages]
    assert PLANET in found and GAZETTE in found
    # The same search without outlets and clauses lets the tram pieces fill the top 4.
    plain = [p.article_id for p in Retriever(index, PLAIN).retrieve(QUESTION, k=4).passages]
    assert GAZETTE not in plain


def test_the_result_reports_the_clauses_it_searched(index):
    result = Retriever(index).retrieve(QUESTION, k=4)
    assert [c.outlets for c in result.clauses] == [("Daily Planet",), ("Gotham Gazette",)]
    assert result.plan.outlets == ("Daily Planet", "Gotham Gazette")


@pytest.mark.parametrize("path", ["table", "store"])
def test_passages_are_verbatim_slices_of_at_most_256_tokens(index, path, monkeypatch):
    if path == "store":
        monkeypatch.setattr(index, "settings", replace(index.settings, memory_table_chunks=0))
    passages = Retriever(index).retrieve(QUESTION, k=10).passages
    assert passages
    for p in passages:
        _, text = index.store.get_article(p.article_id)
        assert text[p.start : p.end] == p.text
        assert count_tokens(p.text) <= 256
        assert p.source and p.published and p.url == p.article_id
    assert len({p.chunk_id for p in passages}) == len(passages)


def test_the_top_k_are_the_first_k_of_a_longer_list(index):
    retriever = Retriever(index)
    ten = [p.chunk_id for p in retriever.retrieve(QUESTION, k=10).passages]
    for k in (1, 4, 7):
        assert [p.chunk_id for p in retriever.retrieve(QUESTION, k=k).passages] == ten[:k]


def test_the_cap_limits_passages_per_article(index):
    passages = Retriever(index, per_article=1).retrieve("rain and football club", k=10).passages
    ids = [p.article_id for p in passages]
    assert len(ids) == len(set(ids)) == 10


def test_an_article_added_later_is_found_without_restarting(index):
    retriever = Retriever(index)
    retriever.warm()
    url = "https://planet.example/late"
    index.add_articles(
        [
            Article(
                id=url,
                url=url,
                source="Daily Planet",
                published=date(2023, 12, 1),
                title="Ferry strike",
                text="The ferry workers went on strike over pay. " * 3,
            )
        ]
    )
    assert (
        retriever.retrieve("Why did the ferry workers strike?", k=3).passages[0].article_id == url
    )
    assert index.remove(url)
    assert url not in {
        p.article_id for p in retriever.retrieve("Why did the ferry workers strike?").passages
    }


def test_bad_configurations_are_refused():
    with pytest.raises(ValueError):
        RetrievalConfig(fusion="sum")
    with pytest.raises(ValueError):
        RetrievalConfig(dense=False, lexical=False)


def test_interleave_takes_turns_caps_articles_and_limits_turns():
    article = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}.get
    first = [("a1", 1.0), ("a2", 0.9), ("a3", 0.8)]
    second = [("b1", 1.0), ("a1", 0.9), ("b2", 0.8), ("c1", 0.7)]
    assert [c for c, _ in interleave([first, second], 5, article)] == ["a1", "b1", "a2", "b2", "a3"]
    assert [c for c, _ in interleave([first, second], 5, article, per_article=1)] == [
        "a1",
        "b1",
        "c1",
    ]
    assert [c for c, _ in interleave([first, second], 5, article, turns=[1, 0])] == [
        "a1",
        "b1",
        "b2",
        "c1",
    ]


def test_rrf_rewards_agreement_between_lists():
    fused = [c for c, _ in rrf([(1.0, ["x", "y", "z"]), (1.0, ["y", "z", "x"])])]
    assert fused[0] == "y"
    assert next(c for c, _ in rrf([(1.0, ["x"]), (3.0, ["w"])])) == "w"


def test_sentence_sort_moves_up_the_passage_that_states_a_clause(index):
    from index.text import tokenize
    from qa.retrieval.chunk_table import load_table
    from qa.retrieval.focus import sort_by_sentence

    table = load_table(index.store)
    first = {c.article_id: c.id for c in reversed(table.chunks)}
    order = [
        first["https://gazette.example/tram-0"],
        first["https://wire.example/3"],
        first[GAZETTE],
    ]
    clauses = [set(tokenize(["roof leaked during the concert"])[0])]
    # "roof", "leaked", "concert" are rare here: their sentence outweighs two places of rank.
    assert sort_by_sentence(order, clauses, table, rank_cost=1.0) == [order[2], order[0], order[1]]
    # A rank cost above any sentence's weight keeps the order; nothing is added or dropped.
    assert sort_by_sentence(order, clauses, table, rank_cost=1000.0) == order
    assert sort_by_sentence(order, [], table, rank_cost=1.0) == order


def test_sentence_sort_reorders_without_changing_the_top_k(index):
    sorted_ = Retriever(index).retrieve(QUESTION, k=10).passages
    kept = Retriever(index, replace(RetrievalConfig(), sentence_sort=0.0)).retrieve(QUESTION, k=10)
    assert {p.chunk_id for p in sorted_} == {p.chunk_id for p in kept.passages}
    # A Gazette piece that spreads the first clause over two sentences led; the Planet
    # sentence that states the whole clause now does.
    assert kept.passages[0].article_id != PLANET
    assert sorted_[0].article_id == PLANET
