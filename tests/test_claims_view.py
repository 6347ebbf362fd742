"""How corroboration and conflicts look: the "Reported by N outlets" badge of each supporting
sentence on a source card, and the conflict callout under an answer; article text escaped."""

from __future__ import annotations

from datetime import date

from qa import Answer, Citation, Conflict, ConflictSide, Passage, Report
from ui.answer_view import render_answer
from ui.cards import render_card

TEXT = "The quake struck on Tuesday. The death toll rose to 3,100 on Wednesday."
TOLL = (TEXT.index("The death"), len(TEXT))
INTRO = (0, TEXT.index(" The death"))


def _passage() -> Passage:
    return Passage(TEXT, "a1", "Verano quake", "Capital Wire", date(2023, 10, 4), "", 0, len(TEXT))


def _report(outlet: str, statement=TOLL, **changes) -> Report:
    fields = {
        "outlet": outlet,
        "title": f"{outlet} on the quake",
        "published": date(2023, 10, 4),
        "url": f"https://{outlet.split()[0].lower()}.example/quake",
        "article_id": outlet,
        "chunk_id": f"{outlet}#0",
        "sentence": "The death toll rose to 3,100 on Wednesday.",
        "start": 29,
        "end": 71,
        "statement": statement,
    }
    fields.update(changes)
    return Report(**fields)


def test_a_card_shows_how_many_outlets_report_its_sentence_and_lists_them():
    reports = (_report("Harbour Gazette"), _report("Northern Courier"))
    html = render_card(Citation(1, _passage(), (TOLL,), corroborated_by=reports), turn=0)
    assert 'class="reported-by many" data-outlets="3"' in html
    assert ">Reported by 3 outlets<" in html
    assert 'title="Capital Wire, Harbour Gazette, Northern Courier"' in html
    assert html.count('<li class="report">') == 2
    assert 'href="https://harbour.example/quake"' in html and "4 Oct 2023" in html


def test_a_sentence_no_other_outlet_reports_says_so():
    html = render_card(Citation(1, _passage(), (TOLL,)), turn=0)
    assert ">Reported by 1 outlet<" in html and 'class="reported-by one"' in html
    assert "No other outlet among the articles searched says this." in html


def test_each_of_several_sentences_gets_its_own_count_with_its_words():
    citation = Citation(1, _passage(), (INTRO, TOLL), corroborated_by=(_report("Harbour Gazette"),))
    html = render_card(citation, turn=0)
    assert html.count("<details") == 2
    assert "Reported by 1 outlet" in html and "Reported by 2 outlets" in html
    assert "“The quake struck on Tuesday.”" in html


def test_report_text_from_an_article_is_escaped():
    hostile = _report(
        "<b onmouseover=x>Evil</b>",
        title="<img src=x onerror=alert(1)>",
        url="javascript:alert(2)",
        sentence="<script>alert(3)</script> The death toll rose to 3,100.",
    )
    html = render_card(Citation(1, _passage(), (TOLL,), corroborated_by=(hostile,)), turn=0)
    assert "<script>" not in html and "<img" not in html and "<b " not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def _conflict(update: bool = False, kind: str = "count") -> Conflict:
    sides = (
        ConflictSide("3,100", "Capital Wire", date(2023, 10, 4), 1, "…"),
        ConflictSide("<i>2,600</i>", "Northern <b>Courier</b>", date(2023, 10, 4), 2, "…"),
    )
    return Conflict("The death toll rose to … on <Wednesday>.", kind, sides, update)


def test_an_answer_with_a_conflict_shows_a_callout_with_each_side_and_its_marker():
    passages = (Citation(1, _passage(), (TOLL,)), Citation(2, _passage(), (TOLL,)))
    answer = Answer(text="3,100 [1].", citations=passages, conflicts=(_conflict(),))
    html = render_answer(answer, turn=3)
    assert '<div class="conflict-callout" role="note">' in html
    assert ">Sources disagree<" in html
    assert "&lt;i&gt;2,600&lt;/i&gt;" in html and "Northern &lt;b&gt;Courier&lt;/b&gt;" in html
    assert "on &lt;Wednesday&gt;." in html
    assert 'class="cite" data-turn="3" data-n="2"' in html
    assert "<i>" not in html and "<b>" not in html


def test_an_update_and_an_attribution_are_headed_as_such():
    update = render_answer(Answer(text="x", conflicts=(_conflict(update=True),)), turn=0)
    assert ">Later reports differ<" in update
    speaker = render_answer(Answer(text="x", conflicts=(_conflict(kind="speaker"),)), turn=0)
    assert ">Sources disagree on who said it<" in speaker


def test_no_conflict_no_callout():
    html = render_answer(Answer(text="3,100 [1].", citations=(Citation(1, _passage()),)), turn=0)
    assert "conflict-callout" not in html
