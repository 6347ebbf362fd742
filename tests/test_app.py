"""The app's wiring, callbacks and HTML formatting (no browser: see test_browser.py for that).

Formatting tests feed hostile article data through every renderer and check that nothing comes
out as markup. Callback tests call the chat and library callbacks directly over real indexes
(the packaged embedder, Chroma on disk), and over a real loopback server speaking the OpenAI
protocol for the LLM mode and its failure banner.
"""

from __future__ import annotations

import re
import typing
from datetime import date
from pathlib import Path

import gradio as gr
import pytest

from index import ArticleInfo, IndexStats, Settings, open_index
from qa import Answer, Answerer, Citation, Filters, Mode, Passage, QASettings
from tests.chat_server import ChatServer, ChatServerState
from tests.conftest import SAMPLE_CORPUS
from tests.fixtures.uploads import article_file, upload_batch
from ui.answer_view import (
    marker_html,
    render_answer,
    render_conversation,
    render_turn,
)
from ui.cards import parse_marks, render_article, render_card, render_sources
from ui.chat import ChatController
from ui.conversation import Turn, history
from ui.examples import example_questions, render_examples
from ui.html import esc, link, mark_layers, mark_spans, safe_url
from ui.inputs import FilterInputError, parse_filters
from ui.library import LibraryController
from ui.library_view import MAX_ROWS, UploadLine, render_library, render_stats, render_upload_lines
from ui.settings import WebSettings
from ui.status import describe_mode, render_banner, render_status

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
EVIL_TITLE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
EVIL_TEXT = (
    'Before. <script>alert(3)</script> The <b onclick="x()">army</b> closed the road. After.'
)
EVIL_URL = "javascript:alert(4)"
# Markup that must never appear unescaped in anything we render.
RAW_MARKUP = re.compile(r"<(script|img|b\b)|onerror=\"|onclick=\"|href=\"javascript", re.IGNORECASE)


def _passage(**changes) -> Passage:
    fields = {
        "text": EVIL_TEXT,
        "article_id": 'id"with<quotes>',
        "title": EVIL_TITLE,
        "source": "<i>Outlet</i>",
        "published": date(2023, 5, 1),
        "url": EVIL_URL,
        "start": 100,
        "end": 100 + len(EVIL_TEXT),
    }
    fields.update(changes)
    return Passage(**fields)


def _info(**changes) -> ArticleInfo:
    fields = {
        "id": "a1",
        "title": "Title",
        "source": "Outlet",
        "published": date(2023, 5, 1),
        "url": "",
        "author": "",
        "path": "",
        "content_hash": "h",
        "chunks": 3,
    }
    fields.update(changes)
    return ArticleInfo(**fields)


# ---- escaping primitives ------------------------------------------------------------------


def test_esc_escapes_markup_and_quotes():
    assert esc('<a href="x">\'&') == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;"
    assert esc(None) == ""


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/a?b=1", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("\x01javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("https:///nohost", False),
        ("", False),
    ],
)
def test_safe_url_allows_only_absolute_http_and_https(url, ok):
    assert (safe_url(url) is not None) is ok


def test_link_is_plain_text_unless_the_url_is_safe():
    assert "<a" not in link(EVIL_URL, "label") and "label" in link(EVIL_URL, "label")
    html = link('https://example.org/"onmouseover="x', "<b>t</b>")
    assert html.startswith('<a href="https://example.org/&quot;onmouseover=&quot;x"')
    assert 'rel="noopener noreferrer nofollow"' in html and "&lt;b&gt;t&lt;/b&gt;" in html


def test_mark_spans_escapes_inside_and_outside_marks_and_merges_overlaps():
    text = "a<b>c d&e"
    assert (
        mark_spans(text, [(1, 4), (3, 6), (50, 60)])
        == 'a<mark class="support">&lt;b&gt;c </mark>d&amp;e'
    )
    assert mark_spans(text, []) == esc(text)


def test_mark_layers_gives_overlapping_layers_both_classes():
    html = mark_layers("0123456789", [([(2, 8)], "passage"), ([(4, 6)], "support")])
    assert html == (
        '01<mark class="passage">23</mark><mark class="passage support">45</mark>'
        '<mark class="passage">67</mark>89'
    )


# ---- answers, cards, article ----------------------------------------------------------------


def test_card_escapes_hostile_metadata_and_marks_the_supporting_sentence():
    sentence = 'The <b onclick="x()">army</b> closed the road.'
    support = EVIL_TEXT.index(sentence)
    citation = Citation(1, _passage(), ((support, support + len(sentence)),))
    html = render_card(citation, turn=2)
    assert not RAW_MARKUP.search(html), html
    assert 'id="src-2-1"' in html and "<a " not in html  # javascript: url -> no link at all
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    marked = re.search(r'<mark class="support">(.*?)</mark>', html)[1]
    assert marked == esc(sentence)
    assert 'data-article="id&quot;with&lt;quotes&gt;"' in html
    assert f'data-marks="{100 + support}-{100 + support + len(sentence)}"' in html


def test_markers_become_buttons_only_for_cited_numbers():
    html = marker_html("A [1] and [1, 2] or [7] <x>", turn=0, numbers={1, 2})
    assert html.count('class="cite"') == 3
    assert 'data-turn="0" data-n="2"' in html
    assert "[7]" in html and 'data-n="7"' not in html
    assert "&lt;x&gt;" in html


def test_unsupported_claims_are_marked_where_they_occur():
    text = "Baku set a checkpoint [1]. The moon is made of  cheese [2]. It rained."
    answer = Answer(
        text=text,
        citations=(Citation(1, _passage()), Citation(2, _passage())),
        unsupported=((text.index("The moon"), text.index(" [2]")),),
    )
    html = render_answer(answer, 0)
    flagged = re.search(
        r'<span class="unsupported"[^>]*>(.*?)<span class="unsupported-label">', html
    )[1]
    assert flagged == "The moon is made of  cheese"
    assert "1 sentence is marked" in html
    assert 'data-n="2"' in html.split('class="unsupported-label"')[1]


def test_abstention_says_so_plainly_and_shows_nearest_coverage_not_evidence():
    filters = Filters(since=date(2023, 6, 1))
    answer = Answer(
        text="The indexed articles don't answer this.",
        abstained=True,
        filters=filters,
        nearest=(_passage(),),
    )
    turn = Turn(LACHIN, answer)
    html = render_turn(turn, 0)
    assert "No answer in the indexed articles" in html and "abstained" in html
    assert "Searched articles from 1 Jun 2023 on" in html
    sources = render_sources([turn])
    assert "Closest coverage (not evidence)" in sources
    assert 'class="card nearest"' in sources and 'class="card"' not in sources
    assert not RAW_MARKUP.search(html + sources)


def test_partial_answer_is_marked_as_streaming_and_complete_one_is_not():
    partial = render_turn(Turn("q", Answer(text="Lach", complete=False)), 0)
    assert (
        'data-complete="false"' in partial and "streaming" in partial and "Searched" not in partial
    )
    done = render_turn(Turn("q", Answer(text="Lachin.")), 0)
    assert 'data-complete="true"' in done and "streaming" not in done
    pending = render_turn(Turn("q"), 0)
    assert "Searching the articles" in pending and 'data-complete="false"' in pending


def test_question_and_notices_are_escaped():
    html = render_conversation(
        [Turn("<script>alert(1)</script>", notice="<img src=x onerror=y>")], 1
    )
    assert not RAW_MARKUP.search(html)
    assert "&lt;script&gt;" in html


def test_article_view_highlights_passage_and_support_and_escapes():
    text = "Intro <b>. " + EVIL_TEXT + " Outro."
    start = text.index("Before")
    html = render_article(
        _info(title=EVIL_TITLE, url=EVIL_URL), text, (start, start + 20), [(start + 8, start + 15)]
    )
    assert not RAW_MARKUP.search(html), html
    assert '<mark class="passage">' in html and '<mark class="passage support">' in html


def test_parse_marks_keeps_well_formed_spans_only():
    assert parse_marks("10-20;x-3;5-;;30-40") == [(10, 20), (30, 40)]
    assert parse_marks(None) == []


# ---- library, status, filters, examples ---------------------------------------------------------


def test_library_table_escapes_filters_and_caps_rows():
    evil = _info(id='x"><img src=x>', title=EVIL_TITLE, source="<i>O</i>", url=EVIL_URL)
    html = render_library([evil, _info(id="b", title="Kelsport ferry", source="Gazette")], "")
    assert not RAW_MARKUP.search(html), html
    assert "2 articles" in html
    found = render_library(
        [evil, _info(id="b", title="Kelsport ferry", source="Gazette")], "ferry gazette"
    )
    assert "Kelsport ferry" in found and "onerror" not in found and "1 of 2 articles match" in found
    many = [_info(id=str(i), title=f"t{i}") for i in range(MAX_ROWS + 5)]
    assert render_library(many).count("<tr data-article=") == MAX_ROWS
    assert "refine the search" in render_library(many)


def test_stats_show_counts_span_and_outlets():
    stats = IndexStats(
        articles=3,
        chunks=10,
        sources=2,
        first=date(2023, 1, 2),
        last=date(2023, 3, 4),
        embed_model="m",
        location="/x",
    )
    infos = [_info(source="<b>A</b>"), _info(source="<b>A</b>"), _info(source="B")]
    html = render_stats(stats, infos)
    assert (
        "2 Jan 2023 – 4 Mar 2023" in html and "&lt;b&gt;A&lt;/b&gt; (2)" in html and "B (1)" in html
    )


def test_upload_lines_escape_names_and_reasons():
    html = render_upload_lines(
        [
            UploadLine("<x>.txt", True, "1 article added"),
            UploadLine("b.exe", False, "unsupported <type>"),
        ]
    )
    assert 'class="ok"' in html and 'class="failed"' in html and "&lt;x&gt;.txt" in html
    assert render_upload_lines([]) == ""


def test_status_names_the_mode_and_banner_only_when_failing():
    assert describe_mode(Mode()).startswith("Extractive")
    assert describe_mode(Mode("gpt-4o-mini")) == "OpenAI · gpt-4o-mini"
    assert (
        describe_mode(Mode("qwen", "http://127.0.0.1:8080/v1"))
        == "LLM qwen at http://127.0.0.1:8080/v1"
    )
    stats = IndexStats(1609, 6459, 3, None, None, "m", "/x")
    assert "1,609 articles · 6,459 chunks" in render_status(Mode(), stats)
    assert render_banner(None) == ""
    assert "not answering" in render_banner("cannot reach <x>") and "&lt;x&gt;" in render_banner(
        "<x>"
    )


def test_parse_filters_reads_dates_and_outlets_and_refuses_nonsense():
    choice = parse_filters("2023-10-01", "31 Oct 2023", ["The Verge", ""])
    assert (choice.since, choice.until, choice.sources) == (
        date(2023, 10, 1),
        date(2023, 10, 31),
        ("The Verge",),
    )
    assert choice.describe() == "articles from 1 Oct 2023 to 31 Oct 2023, The Verge"
    assert parse_filters(None, "", None).describe() == "all articles"
    with pytest.raises(FilterInputError, match="not a date"):
        parse_filters("someday", None, None)
    with pytest.raises(FilterInputError, match="empty"):
        parse_filters("2023-11-01", "2023-10-01", None)


def test_example_questions_come_from_newest_articles_of_distinct_outlets():
    infos = [
        _info(id="1", title="A very long headline " * 6, source="X"),
        _info(id="2", title="Two", source="X"),
        _info(id="3", title="Three", source="Y"),
        _info(id="4", title="<b>Four</b>", source=""),
    ]
    questions = example_questions(infos, limit=3)
    assert len(questions) == 3 and questions[1] == "What does Y report about “Three”?"
    assert questions[0].endswith("…”?") and len(questions[0]) < 110
    assert not RAW_MARKUP.search(render_examples(infos))


def test_history_passes_only_complete_answers_most_recent_last():
    turns = [Turn(f"q{i}", Answer(text=f"a{i}")) for i in range(6)] + [
        Turn("q6", notice="bad date")
    ]
    assert history(turns, limit=2) == [("q4", "a4"), ("q5", "a5")]
    assert history([Turn("q", Answer(text="part", complete=False))]) == []


# ---- app wiring ---------------------------------------------------------------------------------


def test_event_callbacks_declare_what_gradio_injects():
    # Gradio passes EventData/Progress only when it can resolve these annotations and defaults.
    assert typing.get_type_hints(ChatController.article_event)["evt"] is gr.EventData
    assert typing.get_type_hints(ChatController.example_event)["evt"] is gr.EventData
    assert typing.get_type_hints(LibraryController.on_delete)["evt"] is gr.EventData
    import inspect

    assert isinstance(
        inspect.signature(LibraryController.on_upload).parameters["progress"].default, gr.Progress
    )


def test_build_app_returns_blocks_with_the_pages_parts(sample_index):
    import app

    blocks = app.build_app(Answerer(sample_index))
    assert isinstance(blocks, gr.Blocks)
    ids = {getattr(b, "elem_id", None) for b in blocks.blocks.values()}
    assert {
        "conversation",
        "sources",
        "question",
        "since",
        "until",
        "outlets",
        "upload",
        "library-table",
        "article-view",
        "status",
        "llm-banner",
    } <= ids


def test_open_answerer_indexes_the_sample_corpus_on_first_start(tmp_path):
    import app

    said: list[str] = []
    answerer = app.open_answerer(
        Settings(data_dir=tmp_path / "fresh"), SAMPLE_CORPUS, echo=said.append
    )
    assert "indexing the sample articles" in said[0] and said[-1].startswith(
        "Sample indexed: 1 added"
    )
    assert answerer.index.stats().articles == 1
    said.clear()
    app.open_answerer(Settings(data_dir=tmp_path / "fresh"), SAMPLE_CORPUS, echo=said.append)
    assert said == []  # second start: the index is there, nothing to build


# ---- chat callbacks over the real sample index -------------------------------------------------


class RecordingAnswerer(Answerer):
    """The real answerer, also recording what each ``stream`` call was given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, dict]] = []

    def stream(self, question, **options):
        self.calls.append((question, options))
        return super().stream(question, **options)


def test_chat_callback_streams_the_lachin_answer_with_markers_and_cards(sample_index):
    chat = ChatController(Answerer(sample_index))
    views = list(chat.respond(LACHIN, [], None, None, []))
    first, last = views[0], views[-1]
    assert "Searching the articles" in first[0] and first[3] == ""
    assert not isinstance(last[3], str)  # later updates leave the question box alone
    conversation, sources, turns, _, banner = last
    assert len(turns) == 1 and turns[0].answer.complete and not turns[0].answer.abstained
    assert (
        'data-complete="true"' in conversation
        and 'class="cite" data-turn="0" data-n="1"' in conversation
    )
    assert "Lachin" in conversation
    card = re.search(r'<div class="card" id="src-0-1".*?</button></div>', sources, re.DOTALL)[0]
    assert re.search(r'<mark class="support">[^<]*checkpoint[^<]*</mark>', card)
    assert banner == ""


def test_chat_callback_passes_filters_and_history_to_qa(sample_index):
    answerer = RecordingAnswerer(sample_index)
    chat = ChatController(answerer)
    *_, (_, _, turns, _, _) = chat.respond(LACHIN, [], None, None, None)
    *_, (conversation, sources, turns, _, _) = chat.respond(
        "And who called Aliyev?", turns, "2023-04-01", "2023-05-31", ["Some Outlet"]
    )
    question, options = answerer.calls[-1]
    assert question == "And who called Aliyev?"
    assert options["since"] == date(2023, 4, 1) and options["until"] == date(2023, 5, 31)
    assert options["sources"] == ("Some Outlet",)
    assert options["history"] == [(LACHIN, turns[0].answer.text)]
    assert len(turns) == 2 and conversation.count('class="turn"') == 2
    assert 'class="source-group active" data-turn="1"' in sources and 'data-turn="0"' in sources


def test_chat_callback_answers_as_of_the_chosen_day_and_shows_it(sample_index):
    answerer = RecordingAnswerer(sample_index)
    chat = ChatController(answerer)
    # The sample's one article is dated 1 May 2023: as of the day before, nothing is known.
    *_, (conversation, sources, turns, _, _) = chat.respond(
        LACHIN, [], None, None, None, "2023-04-30"
    )
    assert answerer.calls[-1][1]["as_of"] == date(2023, 4, 30)
    assert turns[0].answer.abstained and 'class="card"' not in sources
    assert "Searched articles up to 30 Apr 2023" in conversation
    assert '<span class="as-of">as of 30 Apr 2023</span>' in conversation
    # Empty: as of the newest article's date, which the answer names.
    *_, (conversation, _, turns, _, _) = chat.respond(LACHIN, [], None, None, None, None)
    assert answerer.calls[-1][1]["as_of"] is None and not turns[0].answer.abstained
    assert '<span class="as-of">as of 1 May 2023 (the newest article)</span>' in conversation


def test_chat_callback_refuses_a_bad_as_of_day_without_searching(sample_index):
    answerer = RecordingAnswerer(sample_index)
    chat = ChatController(answerer)
    (view,) = chat.respond(LACHIN, [], None, None, None, "someday")
    assert answerer.calls == [] and "The as-of date &#x27;someday&#x27; is not a date" in view[0]
    (view,) = chat.respond(LACHIN, [], "2023-05-02", None, None, "2023-05-01")
    assert answerer.calls == [] and "after &#x27;as of&#x27; (2023-05-01)" in view[0]


def test_filter_summary_names_the_as_of_day_and_the_cap_it_puts_on_to(sample_index):
    chat = ChatController(Answerer(sample_index))
    assert chat.filter_summary(None, "2023-06-30", None, "2023-05-01") == (
        '<p class="filter-summary">Next question searches articles up to 1 May 2023, '
        "as of 1 May 2023.</p>"
    )
    assert "searches all articles." in chat.filter_summary(None, None, None, None)
    assert 'role="alert"' in chat.filter_summary(None, None, None, "31 Feb 2023")


def test_chat_callback_refuses_a_bad_date_without_searching(sample_index):
    answerer = RecordingAnswerer(sample_index)
    views = list(ChatController(answerer).respond(LACHIN, [], "the day after", None, None))
    assert len(views) == 1 and answerer.calls == []
    assert "is not a date" in views[0][0] and 'role="alert"' in views[0][0]
    assert views[0][2][0].notice


def test_chat_callback_abstains_when_the_date_filter_excludes_the_article(sample_index):
    *_, (conversation, sources, turns, _, _) = ChatController(Answerer(sample_index)).respond(
        LACHIN, [], "2023-06-01", None, None
    )
    assert turns[0].answer.abstained
    assert (
        "No answer in the indexed articles" in conversation and 'class="cite"' not in conversation
    )
    assert "articles from 1 Jun 2023 on" in conversation
    assert 'class="card"' not in sources


def _no_search(answerer: Answerer, monkeypatch) -> Answerer:
    def refuse(*args, **kwargs):
        raise AssertionError("the question was searched")

    monkeypatch.setattr(answerer.retriever, "retrieve", refuse)
    return answerer


def test_empty_question_asks_for_one_without_searching(sample_index, monkeypatch):
    chat = ChatController(_no_search(Answerer(sample_index), monkeypatch))
    views = list(chat.respond("   ", [], None, None, None))
    assert len(views) == 1 and views[0][2] == []
    assert '<p class="question-notice" role="alert">Please type a question.</p>' in views[0][0]
    # The notice is not part of the transcript: the next render drops it.
    assert "question-notice" not in chat.view([])[0]


def test_overlong_question_shows_the_limit_without_searching_or_echoing_it(
    sample_index, monkeypatch
):
    chat = ChatController(_no_search(Answerer(sample_index), monkeypatch))
    question = "Where did Azerbaijan set up a checkpoint? " * 500  # 21,000 characters
    views = list(chat.respond(question, [], None, None, None))
    assert len(views) == 1
    conversation, _, turns, box, _ = views[0]
    assert turns == [] and not isinstance(box, str)  # the box keeps the text to be shortened
    assert "the limit is 2,000" in conversation and 'role="alert"' in conversation
    assert conversation.count("checkpoint") == 0 and len(conversation) < 2_000


def test_a_notice_echoes_a_long_question_cut_short(sample_index):
    question = "word " * 1_000
    (view,) = ChatController(Answerer(sample_index)).respond(question, [], "never", None, None)
    assert "is not a date" in view[0]
    assert len(view[2][0].question) <= 200 and view[2][0].question.endswith("…")


def test_show_article_callback_highlights_the_passage(sample_index):
    chat = ChatController(Answerer(sample_index))
    info = sample_index.articles()[0]
    _, text = sample_index.store.get_article(info.id)
    start = text.index("The phone calls came amid")
    end = text.index("with Armenia.") + len("with Armenia.")
    html = chat.article(info.id, start, end, f"{start}-{end}")
    assert re.search(
        r'<mark class="passage support">The phone calls came amid[^<]*with Armenia\.</mark>', html
    )
    assert "no longer in the index" in chat.article("missing-id")


def test_new_chat_clears_the_transcript(sample_index):
    chat = ChatController(Answerer(sample_index))
    conversation, _sources, turns, box, _banner = chat.new_chat()
    assert (
        turns == [] and box == "" and "Ask a question about the 1 indexed article." in conversation
    )


# ---- LLM mode: streaming, and the banner when the endpoint fails -------------------------------


def _llm_answerer(index, server: ChatServer) -> Answerer:
    settings = QASettings(
        openai_base_url=server.base_url,
        openai_api_key="test",
        llm_model="scripted",
        llm_timeout_s=5.0,
        llm_retries=0,
    )
    return Answerer.from_settings(index, settings)


def test_llm_answer_streams_into_the_page_in_pieces(sample_index):
    reply = (
        "Lachin Corridor\n"
        "Baku set up a checkpoint at the entrance to the Lachin Corridor on April 23 [1]."
    )
    with ChatServer(ChatServerState(reply=lambda messages: reply, piece_chars=5)) as server:
        chat = ChatController(_llm_answerer(sample_index, server), min_interval_s=0.0)
        views = list(chat.respond(LACHIN, [], None, None, None))
    partial = [v for v in views if 'data-complete="false"' in v[0] and "streaming" in v[0]]
    assert len(partial) >= 3  # the text grew in several steps
    final = views[-1][2][0].answer
    assert final.mode == Mode("scripted", server.base_url)
    assert final.citations and final.error is None
    assert "written by scripted" in views[-1][0] and views[-1][4] == ""


def test_unreachable_llm_shows_the_banner_and_the_extractive_answer(sample_index):
    with ChatServer(ChatServerState(fail_status=503)) as server:
        chat = ChatController(_llm_answerer(sample_index, server))
        *_, (conversation, _sources, turns, _, banner) = chat.respond(LACHIN, [], None, None, None)
    answer = turns[0].answer
    assert answer.error and answer.citations and not answer.abstained
    assert "not answering" in banner and "fall back to extractive" in banner
    assert 'class="fallback-note"' in conversation and 'class="cite"' in conversation
    status = LibraryController(chat.answerer, Path("/nonexistent"), 50).status()
    assert f"LLM scripted at {server.base_url}" in status


# ---- library callbacks over a fresh real index -------------------------------------------------


@pytest.fixture
def library(tmp_path, real_embedder):
    index = open_index(Settings(data_dir=tmp_path / "data"), embedder=real_embedder)
    return LibraryController(Answerer(index), tmp_path / "data" / "uploads", max_file_mb=0.01)


def test_upload_indexes_each_file_with_its_own_line(library, tmp_path):
    incoming = tmp_path / "incoming"
    good, bad_json, exe, big = upload_batch(incoming)
    seen: list[tuple[float, str]] = []
    lines = library.add_files(
        [good, bad_json, exe, big], progress=lambda f, desc="": seen.append((f, desc))
    )
    assert [(line.name, line.ok) for line in lines] == [
        ("ferry.txt", True),
        ("broken.json", False),
        ("tool.exe", False),
        ("big.txt", False),
    ]
    assert lines[0].message.startswith("1 article added")
    assert "malformed JSON" in lines[1].message and str(incoming) not in lines[1].message
    assert "unsupported file type '.exe'" in lines[2].message
    assert "over the 0.01 MB limit" in lines[3].message
    assert seen[-1][0] == 1.0 and all(0.0 <= f <= 1.0 for f, _ in seen)
    assert any("embedding" in desc for _, desc in seen)

    table = library.table("floating")
    assert "Kelsport opens a floating library" in table and "Harbour Gazette" in table
    kept = list((library.uploads_dir).glob("*/ferry.txt"))
    assert len(kept) == 1 and library.index.articles()[0].path == str(kept[0])

    again = library.add_files([good])
    assert again[0].ok and "already indexed, unchanged" in again[0].message


def test_delete_removes_the_article_and_refresh_updates_the_views(library, tmp_path):
    library.add_files([article_file(tmp_path)])
    article_id = library.index.articles()[0].id
    table, stats, _status, outlets, examples = library.refresh(
        "", ["Harbour Gazette", "Gone Outlet"]
    )
    assert "Kelsport" in table and "1 article<" in table and "<b>1</b> article<" in stats
    assert outlets["choices"] == ["Harbour Gazette"] and outlets["value"] == ["Harbour Gazette"]
    assert "What does Harbour Gazette report about" in examples
    notice = library.delete(article_id)
    assert "deleted from the index" in notice and library.index.articles() == []
    assert "was not in the index" in library.delete(article_id)
    table, *_ = library.refresh("", [])
    assert "Kelsport" not in table and "0 articles" in table


def test_login_is_required_when_newsqa_auth_is_set(sample_index):
    import socket
    import urllib.error
    import urllib.parse
    import urllib.request

    import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    web = WebSettings(auth="ann:secret", server_port=port)
    options = web.launch_options(sample_index.settings.max_file_mb)
    blocks = app.build_app(Answerer(sample_index))
    blocks.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        base = f"http://127.0.0.1:{port}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/config", timeout=10)
        assert refused.value.code == 401

        def login(password: str):
            data = urllib.parse.urlencode({"username": "ann", "password": password}).encode()
            return urllib.request.urlopen(
                urllib.request.Request(f"{base}/login", data=data), timeout=10
            )

        with pytest.raises(urllib.error.HTTPError):
            login("wrong")
        with login("secret") as response:
            assert response.status == 200
            cookie = response.headers["set-cookie"].split(";")[0]
        request = urllib.request.Request(f"{base}/config", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    finally:
        blocks.close()
