"""Citation markers: parsing, numbering by first use, renumbering a stream without flicker."""

from __future__ import annotations

from datetime import date

from qa.answer.citations import (
    CitationBuilder,
    MarkerRenumberer,
    markers_in,
    normalise_markers,
    strip_markers,
)
from qa.types import Passage


def _passages(n: int) -> list[Passage]:
    return [
        Passage(
            text=f"passage {i}",
            article_id=f"a{i}",
            title=f"T{i}",
            source="S",
            published=date(2023, 10, i + 1),
            url="",
            start=0,
            end=9,
        )
        for i in range(n)
    ]


def test_markers_are_parsed_in_order_including_lists():
    assert markers_in("A [3]. B [1][3]. C [2, 4].") == [3, 1, 3, 2, 4]


def test_strip_markers_removes_them_with_the_space_before():
    assert (
        strip_markers("Baku set it up [2][5]. Yerevan objected [1, 3].")
        == "Baku set it up. Yerevan objected."
    )


def test_citations_are_numbered_by_first_use_and_only_cited_passages_appear():
    builder = CitationBuilder(_passages(5))
    renumber = MarkerRenumberer(builder)
    text = renumber.feed("A [4]. B [2][4]. C [4].") + renumber.finish()
    assert text == "A [1]. B [2][1]. C [1]."
    assert [(c.number, c.passage.article_id) for c in builder.citations()] == [(1, "a3"), (2, "a1")]


def test_markers_pointing_at_no_passage_are_dropped():
    builder = CitationBuilder(_passages(2))
    renumber = MarkerRenumberer(builder)
    assert renumber.feed("A [9]. B [0][2].") + renumber.finish() == "A. B [1]."
    assert len(builder.citations()) == 1


def test_a_marker_split_across_stream_pieces_is_held_back_then_renumbered():
    builder = CitationBuilder(_passages(12))
    renumber = MarkerRenumberer(builder)
    shown = [
        renumber.feed(piece) for piece in ["Baku set ", "it up [", "1", "1", "]. Yerevan [", "3]."]
    ]
    shown.append(renumber.finish())
    assert shown[2:4] == ["", ""]  # "[1", "[11": not shown until the marker is complete
    assert not any("[" in piece and "]" not in piece for piece in shown)
    assert "".join(shown) == "Baku set it up [1]. Yerevan [2]."


def test_numbers_shown_while_streaming_never_change():
    builder = CitationBuilder(_passages(6))
    renumber = MarkerRenumberer(builder)
    text = ""
    snapshots = []
    for piece in ["First", "[5].", "Second", "[2].", "Third", "[5][6]."]:
        text += renumber.feed(piece + " ")
        snapshots.append(text)
    text += renumber.finish()
    for earlier, later in zip(snapshots, [*snapshots[1:], text]):
        assert later.startswith(earlier)
    assert text.strip() == "First [1]. Second [2]. Third [1][3]."


def test_an_unclosed_bracket_that_is_not_a_marker_is_released():
    builder = CitationBuilder(_passages(2))
    renumber = MarkerRenumberer(builder)
    out = renumber.feed("scores [1") + renumber.feed(
        "0 to 3 in the first half, a long way from a marker"
    )
    assert out.startswith("scores [10 to 3")


def test_highlights_are_kept_per_citation_in_order():
    builder = CitationBuilder(_passages(3))
    builder.cite(2, (5, 9))
    builder.add_highlight(2, (0, 4))
    builder.add_highlight(2, (5, 9))
    builder.add_highlight(1, (0, 1))  # not cited: ignored
    (citation,) = builder.citations()
    assert citation.number == 1 and citation.highlights == ((0, 4), (5, 9))


def test_passage_references_in_words_become_markers():
    assert normalise_markers("as TechCrunch said (Passage 5), and (passages 1 and 3).") == (
        "as TechCrunch said [5], and [1][3]."
    )
    assert normalise_markers("Passage [2] says so [Passage 4].") == "[2] says so [4]."
    assert normalise_markers("the passage 4 years ago") == "the passage 4 years ago"


def test_passage_references_split_across_stream_pieces_are_renumbered():
    builder = CitationBuilder(_passages(6))
    renumber = MarkerRenumberer(builder)
    pieces = ["Google siphons content (Pas", "sage 5", ") and ads (Passage", "s 2 and 5)."]
    shown = [renumber.feed(piece) for piece in pieces] + [renumber.finish()]
    assert not any("Pass" in piece for piece in shown)
    assert "".join(shown) == "Google siphons content [1] and ads [2][1]."
