"""BM25 over segments with tombstones scores exactly as one build of the live chunks, and as
bm25s's own build (the scores newsqa had before segments)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from index.bm25 import LexicalGeneration
from index.dates import to_ordinal
from index.filters import Filters
from index.merging import SegmentState, merge
from index.segments import Segment, SegmentBuilder, term_hash, write_segment
from index.store import ArticleInfo
from index.text import tokenize
from tests.conftest import NEWS_CORPUS

QUERIES = (
    "Port Ellis dredging contract",
    "Sam Altman OpenAI board",
    "court trial jury verdict",
    "football cup final",
    "harbour harbour authority",  # a repeated term counts twice, as in bm25s
    "zzzz-not-a-word",
)


def _corpus() -> list[tuple[ArticleInfo, list[tuple[str, str]]]]:
    """The test news corpus as (article, [(chunk id, text)]), three windows per article."""
    records = [json.loads(line) for line in NEWS_CORPUS.read_text().splitlines() if line.strip()]
    out = []
    for n, r in enumerate(records):
        published = date.fromisoformat(r["published_at"][:10])
        info = ArticleInfo(
            id=r["url"],
            title=r["title"],
            source=r["source"],
            published=published,
            url=r["url"],
            author=r["author"],
            path="",
            content_hash=f"h{n}",
            chunks=3,
        )
        chunks = [
            (f"a{n:03d}-{k:04d}", f"{r['title']}\n{r['body'][k * 700 : (k + 1) * 1400]}")
            for k in range(3)
        ]
        out.append((info, chunks))
    return out


def _segment(tmp_path, name: str, articles) -> Segment:
    builder = SegmentBuilder()
    builder.add_articles(info for info, _ in articles)
    rows = [(info, cid, text) for info, chunks in articles for cid, text in chunks]
    builder.add_page(
        [cid for _, cid, _ in rows],
        [info.id for info, _, _ in rows],
        [to_ordinal(info.published) for info, _, _ in rows],
        [info.source for info, _, _ in rows],
        tokenize([text for _, _, text in rows]),
    )
    path = tmp_path / f"{name}.seg"
    write_segment(path, builder.finish())
    return Segment(path)


def _bm25s_scores(articles) -> dict[str, dict[str, float]]:
    import bm25s

    ids = [cid for _, chunks in articles for cid, _ in chunks]
    reference = bm25s.BM25()
    reference.index(tokenize([t for _, chunks in articles for _, t in chunks]), show_progress=False)
    out = {}
    for query in QUERIES:
        q = [t for t in tokenize([query])[0] if t in reference.vocab_dict]
        scores = reference.get_scores(q) if q else np.zeros(len(ids))
        out[query] = {i: float(s) for i, s in zip(ids, scores) if s > 0}
    return out


def _scores(generation: LexicalGeneration) -> dict[str, dict[str, float]]:
    return {
        q: {h.chunk_id: h.score for h in generation.search(q, generation.rows)} for q in QUERIES
    }


def _assert_same(got: dict, want: dict) -> None:
    for query in QUERIES:
        assert got[query].keys() == want[query].keys(), query
        assert got[query] == pytest.approx(want[query], rel=1e-5, abs=1e-6), query


def test_segments_with_tombstones_score_as_bm25s_over_the_live_chunks(tmp_path):
    corpus = _corpus()
    parts = [corpus[:14], corpus[14:30], corpus[30:]]
    segments = [_segment(tmp_path, f"s{i}", part) for i, part in enumerate(parts)]
    # Delete two articles of the first segment (one the first query is about) and one of the
    # second (their index there).
    deleted = [frozenset({0, 5}), frozenset({3}), frozenset()]
    live = [a for part, gone in zip(parts, deleted) for i, a in enumerate(part) if i not in gone]
    generation = LexicalGeneration(1, [SegmentState(s, d) for s, d in zip(segments, deleted)])
    assert generation.live_count == 3 * len(live)
    want = _bm25s_scores(live)
    assert any(want[q] for q in QUERIES)
    _assert_same(_scores(generation), want)

    # Merged into one segment (tombstoned rows dropped): the same scores again.
    merged_path = tmp_path / "merged.seg"
    write_segment(merged_path, merge([SegmentState(s, d) for s, d in zip(segments, deleted)]))
    merged = LexicalGeneration(2, [SegmentState(Segment(merged_path), frozenset())])
    assert merged.rows == 3 * len(live)
    assert merged.live_chunk_ids() == generation.live_chunk_ids()
    assert merged.catalogue.articles == generation.catalogue.articles
    _assert_same(_scores(merged), want)


def test_filters_keep_the_same_rows_over_segments(tmp_path):
    corpus = _corpus()
    segments = [_segment(tmp_path, "a", corpus[:20]), _segment(tmp_path, "b", corpus[20:])]
    generation = LexicalGeneration(1, [SegmentState(s, frozenset()) for s in segments])
    by_chunk = {cid: info for info, chunks in corpus for cid, _ in chunks}
    outlet = corpus[25][0].source
    filters = Filters(since=date(2023, 10, 1), until=date(2023, 12, 31), sources=(outlet,))
    query = "said year million"
    everything = {h.chunk_id: h.score for h in generation.search(query, generation.rows)}
    kept = {h.chunk_id: h.score for h in generation.search(query, generation.rows, filters)}
    assert kept and len(kept) < len(everything), "the filter keeps some chunks, not all"
    assert kept == {c: s for c, s in everything.items() if filters.allows(*_meta(by_chunk[c]))}
    # Another filter on the same generation (masks are kept per filter) keeps its own rows.
    other = Filters(sources=(corpus[2][0].source,))
    again = {h.chunk_id: h.score for h in generation.search(query, generation.rows, other)}
    assert again and again != kept
    assert again == {c: s for c, s in everything.items() if other.allows(*_meta(by_chunk[c]))}


def _meta(info: ArticleInfo) -> tuple[date | None, str]:
    return info.published, info.source


def test_term_lookup_compares_the_term_not_only_its_hash(tmp_path, monkeypatch):
    corpus = _corpus()
    segment = _segment(tmp_path, "s", corpus[:3])
    term = tokenize(["harbour"])[0][0]
    assert segment.postings(term, term_hash(term)) is not None
    # A term whose hash collides with a real one is still not found.
    assert segment.postings("not-the-term", term_hash(term)) is None


def test_a_damaged_segment_file_is_refused(tmp_path):
    from index.segments import SegmentError

    segment = _segment(tmp_path, "s", _corpus()[:2])
    raw = segment.path.read_bytes()
    segment.path.write_bytes(raw[:100])
    with pytest.raises(SegmentError):
        Segment(segment.path)
    segment.path.write_bytes(b"not a segment" + raw)
    with pytest.raises(SegmentError):
        Segment(segment.path)


def test_top_n_is_the_best_rows_ties_by_row():
    from index.bm25 import SAMPLE_STRIDE, _top

    rng = np.random.default_rng(7)
    cases = ((5000, 10, 0.5, 30), (5000, 10, 1.0, 3), (5000, 40, 0.004, 30), (300, 40, 0.9, 30))
    for rows, n, positive, values in (*cases, (50, 60, 1.0, 30)):
        # Few distinct values, so ties fall across the cut (with 3 values, the sampled bound is
        # the n-th best itself); zeros are never returned.
        scores = rng.integers(1, values, rows).astype(np.float32)
        scores[rng.random(rows) >= positive] = 0.0
        order = sorted((-s, r) for r, s in enumerate(scores.tolist()) if s > 0)[:n]
        got_rows, got_values = _top(scores.copy(), n)
        assert got_rows.tolist() == [r for _, r in order], (rows, n, positive)
        assert got_values.tolist() == [-s for s, _ in order]
    assert 5000 > SAMPLE_STRIDE * 40, "the sampled bound is exercised"


def test_a_short_result_is_the_head_of_the_full_ranking(tmp_path):
    corpus = _corpus()
    segments = [_segment(tmp_path, "a", corpus[:20]), _segment(tmp_path, "b", corpus[20:])]
    states = [SegmentState(segments[0], frozenset({1, 4})), SegmentState(segments[1], frozenset())]
    generation = LexicalGeneration(1, states)
    for query in QUERIES:
        everything = generation.search(query, generation.rows)
        assert generation.search(query, 3) == everything[:3], query
        ranked = [(-h.score, generation.chunk_ids.index(h.chunk_id)) for h in everything]
        assert ranked == sorted(ranked), "best first, ties in row order"


def test_kept_scores_serve_repeated_words_and_filters_do_not_change_them(tmp_path):
    corpus = _corpus()
    segments = [_segment(tmp_path, "a", corpus[:20]), _segment(tmp_path, "b", corpus[20:])]
    states = [SegmentState(segments[0], frozenset({2})), SegmentState(segments[1], frozenset())]
    generation = LexicalGeneration(1, states)
    query = "said year million"
    first = generation.search(query, generation.rows)
    for source in {info.source for info, _ in corpus[:6]}:
        assert generation.search(query, generation.rows, Filters(sources=(source,)))
    # More distinct queries than are kept, then the first again: the same ranking as at first
    # and as a generation that never searched before.
    for other in QUERIES:
        generation.search(other, 5)
    assert generation.search(query, generation.rows) == first
    assert LexicalGeneration(2, states).search(query, generation.rows) == first
    assert generation.search("said year million", 5, Filters(sources=("No Such Outlet",))) == []
