"""Citation verification on crafted passages: keep, move, drop, add and flag markers."""

from __future__ import annotations

from datetime import date

import pytest

from qa.answer.sentences import SentenceTable
from qa.answer.verify import (
    CitationVerifier,
    VerifyConfig,
    carry_spans,
    claim_terms,
    support_of,
)
from qa.types import Passage

LACHIN = (
    "Tensions rose again in the South Caucasus this spring. Baku on April 23 set up a checkpoint "
    "at the entrance to the Lachin Corridor, the only road connecting Nagorno-Karabakh with "
    "Armenia. Yerevan called the move illegal and unacceptable."
)
FOOTBALL = (
    "The Buffalo Bills beat the Miami Dolphins 48-20 on Sunday afternoon. Josh Allen threw four "
    "touchdown passes in the win. The defense forced three turnovers in the second half."
)
OPENAI = (
    "OpenAI's board removed Sam Altman as chief executive on Friday. The board said he had not "
    "been consistently candid in his communications. Microsoft was told minutes before the "
    "announcement."
)


def _passage(text: str, title: str, source: str) -> Passage:
    return Passage(
        text=text,
        article_id=title,
        title=title,
        source=source,
        published=date(2023, 11, 17),
        url="",
        start=0,
        end=len(text),
    )


@pytest.fixture
def table(fake_embedder):
    passages = [
        _passage(LACHIN, "Azerbaijan sets up checkpoint", "Reuters"),
        _passage(FOOTBALL, "Bills rout Dolphins", "Sporting News"),
        _passage(OPENAI, "Altman ousted", "TechCrunch"),
    ]
    return SentenceTable(passages, fake_embedder)


def _verify(reply: str, table, shown=(0, 1, 2)):
    return CitationVerifier().verify(reply, table, list(shown))


def _flagged(result) -> tuple[str, ...]:
    """The unsupported sentences, read from the verified text at their offsets."""
    return tuple(result.text[start:end] for start, end in result.unsupported)


def test_correct_marker_is_kept_with_its_supporting_sentence(table):
    reply = (
        "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor on "
        "April 23 [1]."
    )
    result = _verify(reply, table)
    assert result.text == reply
    assert result.unsupported == ()
    (check,) = result.checks
    assert check.kept == (1,) and check.supported
    ((number, (start, end)),) = check.spans
    assert number == 1
    assert LACHIN[start:end].startswith("Baku on April 23 set up a checkpoint")


def test_marker_on_the_wrong_passage_moves_to_the_supporting_one(table):
    reply = "Sam Altman\nOpenAI's board removed Sam Altman as chief executive [2]."
    result = _verify(reply, table)
    assert result.text == "Sam Altman\nOpenAI's board removed Sam Altman as chief executive [3]."
    assert result.moved == 1 and result.unsupported == ()


def test_unsupported_marker_is_dropped_when_another_marker_supports(table):
    reply = "Yes\nJosh Allen threw four touchdown passes in the win [1][2]."
    result = _verify(reply, table)
    assert result.text == "Yes\nJosh Allen threw four touchdown passes in the win [2]."


def test_claim_no_passage_supports_loses_its_marker_and_is_flagged(table):
    reply = (
        "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor [1]. "
        "French peacekeepers will patrol the Alpine ski resorts next winter [1]."
    )
    result = _verify(reply, table)
    assert result.text.endswith(
        "French peacekeepers will patrol the Alpine ski resorts next winter."
    )
    assert _flagged(result) == (
        "French peacekeepers will patrol the Alpine ski resorts next winter.",
    )
    assert result.removed == 1


def test_each_marker_group_of_a_sentence_is_checked_against_its_own_clause(table):
    reply = (
        "Yes\nBaku set up a checkpoint on the Lachin Corridor [1], while the Bills beat the "
        "Dolphins 48-20 on Sunday [3]."
    )
    result = _verify(reply, table)
    assert result.text == (
        "Yes\nBaku set up a checkpoint on the Lachin Corridor [1], while the Bills beat the "
        "Dolphins 48-20 on Sunday [2]."
    )


def test_uncited_factual_sentence_gets_a_marker_or_a_flag(table):
    reply = (
        "Sam Altman\nThe board said Altman had not been consistently candid in his communications. "
        "He plans to open a bakery in Lisbon with his cousins."
    )
    result = _verify(reply, table)
    assert result.text.startswith(
        "Sam Altman\nThe board said Altman had not been consistently candid in his "
        "communications [3]."
    )
    assert _flagged(result) == ("He plans to open a bakery in Lisbon with his cousins.",)
    assert result.added == 1


def test_short_answer_line_and_statements_about_the_passages_are_not_claims(table):
    reply = "No\nThe articles don't say whether the checkpoint was removed."
    result = _verify(reply, table)
    assert result.text == reply and result.unsupported == () and result.checks == ()


def test_markers_opening_the_next_sentence_belong_to_the_previous_one(table):
    reply = (
        "Yes\nThe Bills beat the Dolphins 48-20 on Sunday. [1] Josh Allen threw four touchdown "
        "passes [2]."
    )
    result = _verify(reply, table)
    assert "48-20 on Sunday. [2]" in result.text
    assert result.unsupported == ()


def test_markers_beyond_the_shown_passages_are_removed_or_moved(table):
    result = _verify(
        "Yes\nJosh Allen threw four touchdown passes in the win [7].", table, shown=(0, 1)
    )
    assert result.text == "Yes\nJosh Allen threw four touchdown passes in the win [2]."


def test_only_passages_shown_to_the_model_can_receive_a_moved_marker(table):
    result = _verify(
        "Sam Altman\nOpenAI's board removed Sam Altman as chief executive [1].", table, shown=(0, 1)
    )
    assert "[" not in result.text
    assert _flagged(result) == ("OpenAI's board removed Sam Altman as chief executive.",)


def test_support_combines_lexical_and_dense_signals(table):
    claim = "Allen threw four touchdowns as the Bills routed Miami"
    vector = table.embed([claim])[0]
    football = support_of(claim_terms(claim), vector, table, 1)
    lachin = support_of(claim_terms(claim), vector, table, 0)
    assert football.lexical > lachin.lexical and football.dense > lachin.dense
    assert football.supported(VerifyConfig()) and not lachin.supported(VerifyConfig())


def test_reporting_verbs_do_not_count_as_content():
    assert claim_terms("TechCrunch reported that the article said Altman left") == claim_terms(
        "TechCrunch: Altman left"
    )


def test_flagged_offsets_follow_the_marker_edits_before_them(table):
    reply = (
        "Sam Altman\nOpenAI's board removed Sam Altman as chief executive [2]. "
        "French peacekeepers will patrol the Alpine ski resorts next winter [12]. "
        "Josh Allen threw four touchdown passes in the win [1][2]. "
        "He plans to open a bakery in Lisbon with his cousins."
    )
    result = _verify(reply, table)
    assert _flagged(result) == (
        "French peacekeepers will patrol the Alpine ski resorts next winter.",
        "He plans to open a bakery in Lisbon with his cousins.",
    )
    assert list(result.unsupported) == sorted(result.unsupported)


def test_a_sentence_with_one_unsupported_claim_is_flagged_whole(table):
    reply = (
        "Yes\nBaku set up a checkpoint on the Lachin Corridor [1], while French peacekeepers "
        "patrol the Alpine ski resorts [2]."
    )
    result = _verify(reply, table)
    assert _flagged(result) == (
        "Baku set up a checkpoint on the Lachin Corridor [1], while French peacekeepers patrol "
        "the Alpine ski resorts.",
    )


def test_carry_spans_moves_offsets_to_the_renumbered_text():
    source = "Yes\nA checkpoint was set up [3]. Peacekeepers patrol the ski resorts.  "
    target = "Yes\nA checkpoint was set up [1]. Peacekeepers patrol the ski resorts."
    start = source.index("A checkpoint")
    flagged = (start, source.index("Peacekeepers") - 1), (source.index("Peacekeepers"), len(source))
    moved = carry_spans(flagged, source, target)
    assert [target[s:e] for s, e in moved] == [
        "A checkpoint was set up [1].",
        "Peacekeepers patrol the ski resorts.",
    ]
    assert carry_spans([(0, 0)], source, target) == ()
    with pytest.raises(ValueError):
        carry_spans(flagged, source, target.replace("ski", "beach"))
