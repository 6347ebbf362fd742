"""The short answer at the head of an answer bubble: when it is shown, and that it is inert text.

The three kinds of ``Answer.short_answer`` the answerers produce are covered: the reader's span,
stated first in the text ("Google [1]. ..."); a model's first line ("Google" on a line of its
own); and the extractive answer's first sentence when no span was read, which must not be shown
again above itself.
"""

from __future__ import annotations

from datetime import date

from qa import Answer, Citation, Passage
from ui.answer_view import SHORT_ANSWER_MAX_WORDS, render_answer, short_answer_shown

SENTENCE = "Baku on April 23 set up a checkpoint at the entrance to the Lachin Corridor."
PASSAGE = Passage(
    text=SENTENCE,
    article_id="a1",
    title="Blinken calls Aliyev",
    source="Azatutyun",
    published=date(2023, 5, 1),
    url="https://example.org/a1",
    start=0,
    end=len(SENTENCE),
)
CITED = (Citation(1, PASSAGE, ((0, len(SENTENCE)),)),)


def _answer(short: str, text: str | None = None, **changes) -> Answer:
    """An answer stating ``short`` first, as the extractive reader writes it."""
    fields = {
        "text": f"{short} [1]. {SENTENCE} [1]" if text is None else text,
        "short_answer": short,
        "citations": CITED,
    }
    fields.update(changes)
    return Answer(**fields)


def _head(html: str) -> str:
    """The part of an answer bubble before its text."""
    return html.split('<div class="answer-text">')[0]


def test_a_read_short_answer_heads_the_bubble_in_bold_above_the_text():
    html = render_answer(_answer("Lachin Corridor"), 0)
    assert (
        '<p class="short-answer"><span class="short-answer-label">Answer:</span> '
        '<strong class="short-answer-text">Lachin Corridor</strong></p>'
    ) in _head(html)
    # The cited text follows unchanged, markers and all.
    assert 'data-n="1"' in html.split('<div class="answer-text">')[1]


def test_a_models_short_answer_line_is_shown():
    answer = _answer("Lachin Corridor", text=f"Lachin Corridor\n{SENTENCE} [1]")
    assert short_answer_shown(answer) == "Lachin Corridor"


def test_numbers_and_dates_are_shown_whitespace_collapsed():
    assert short_answer_shown(_answer("41 million\n crowns")) == "41 million crowns"
    assert short_answer_shown(_answer("March 3, 2024")) == "March 3, 2024"


def test_no_short_answer_renders_as_before():
    empty = _answer("", text=f"{SENTENCE} [1]")
    assert short_answer_shown(empty) == ""
    assert short_answer_shown(_answer("  \n ", text=f"{SENTENCE} [1]")) == ""
    assert "short-answer" not in render_answer(empty, 0)


def test_an_abstention_shows_no_short_answer():
    answer = _answer("Lachin Corridor", abstained=True, citations=())
    assert short_answer_shown(answer) == ""
    assert "short-answer" not in render_answer(answer, 0)


def test_the_first_sentence_standing_in_for_a_short_answer_is_not_repeated():
    # The extractive answer without its reader: short_answer is the first sentence, verbatim.
    short = "Baku set up a checkpoint on April 23."
    answer = _answer(short, text=f"{short} [1] {SENTENCE} [1]")
    assert short_answer_shown(answer) == ""
    # Rendered exactly as an answer without a short answer is.
    assert render_answer(answer, 0) == render_answer(_answer("", text=answer.text), 0)
    quoted = 'He said "the road stays open."'
    assert short_answer_shown(_answer(quoted, text=f"{quoted} [1] {SENTENCE} [1]")) == ""


def test_a_short_answer_that_is_the_whole_text_is_not_repeated():
    assert short_answer_shown(_answer("Yes", text="Yes [1]")) == ""
    assert short_answer_shown(_answer("Lachin Corridor", text="Lachin Corridor")) == ""


def test_a_sentence_long_short_answer_is_not_shown():
    words = ["word"] * SHORT_ANSWER_MAX_WORDS
    assert short_answer_shown(_answer(" ".join(words))) == ""
    assert short_answer_shown(_answer(" ".join(words[:-1]))) == " ".join(words[:-1])


def test_a_short_answer_with_markup_is_shown_as_literal_text():
    short = "<img src=x onerror=alert(1)> **Google** <script>alert(2)</script>"
    html = _head(render_answer(_answer(short), 0))
    assert (
        '<strong class="short-answer-text">&lt;img src=x onerror=alert(1)&gt; **Google** '
        "&lt;script&gt;alert(2)&lt;/script&gt;</strong>"
    ) in html
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    quotes = _head(render_answer(_answer('"O\'Brien" & sons'), 0))
    assert "&quot;O&#x27;Brien&quot; &amp; sons" in quotes
