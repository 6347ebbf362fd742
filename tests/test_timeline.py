"""Timeline answers: dated events of a story, oldest first, each cited to the sentence it quotes.

Unit tests build timelines from hand-made passages (the fake embedder); the end-to-end tests
ask an :class:`qa.Answerer` over a real on-disk index of the invented Veldmark tram strike
(``tests/fixtures/tram_strike.py``) with the real packaged embedder, extractively and with a
scripted chat model.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from index import Filters, Settings, open_index
from qa import Answer, Answerer, Citation, Mode
from qa.answer import nlp
from qa.answer.event_dates import DateSource, Precision
from qa.answer.sentences import SentenceTable
from qa.answer.timeline import (
    TimelineConfig,
    _naming_year,
    _outcome,
    build_timeline,
    subject_heading,
    timeline_answer,
    timeline_lines,
)
from qa.question.timeline import Relation, TimelineRequest
from qa.types import Passage, TimelineEvent
from tests.fakes import FakeChatModel
from tests.fixtures.tram_strike import EVENTS, write_story
from ui.answer_view import render_answer
from ui.api import answer_to_dict

STRIKE = TimelineRequest("the Ferrow dock strike")
NO_FILTERS = Filters()


def _passage(n: int, text: str, published: date | None, title: str = "") -> Passage:
    return Passage(
        text=text,
        article_id=f"art{n}",
        title=title or f"Ferrow dock strike report {n}",
        source="Ferrow Post",
        published=published,
        url=f"https://ferrow-post.example/{n}",
        start=0,
        end=len(text),
    )


def _dock_story() -> list[Passage]:
    """Three reports of an invented dock strike, the middle one twice (overlapping chunks)."""
    first = _passage(
        0,
        "Ferrow dock workers began a strike on Monday over new shift rotas.\n\n"
        "Ferrow dock workers last struck in 2017 over pensions.",
        date(2024, 5, 7),
    )
    second = _passage(
        1,
        "The Ferrow dock strike spread to the container terminal on Thursday.\n\n"
        "Importers said the Ferrow dock strike left fruit rotting on the quay.",
        date(2024, 5, 10),
    )
    third = _passage(
        2,
        "The Ferrow dock strike ended on May 20 after the port agreed new rotas for the workers.",
        date(2024, 5, 21),
    )
    return [first, second, replace(second, chunk_id="again"), third]


def _timeline(passages, embedder, request=STRIKE, **config):
    """The timeline of ``passages``, every article read whole (as the answerer reads the first
    articles it finds)."""
    table = SentenceTable(passages, embedder, min_words=5)
    story = {p.article_id for p in passages}
    return table, build_timeline(request, table, TimelineConfig(**config), story=story)


def _anchored(anchor: str, relation: Relation) -> TimelineRequest:
    """An anchored question's request ("What happened after Y?"), its topic the anchor."""
    return TimelineRequest(anchor, relation, anchor)


def _text(table: SentenceTable, event) -> str:
    return table.passages[event.passage_index].text[event.start : event.end]


def test_events_are_dated_from_the_text_else_the_publication_and_ordered(fake_embedder):
    table, reading = _timeline(_dock_story(), fake_embedder)
    dated = [(e.date.day, e.date.source.value, _text(table, e)) for e in reading.events]
    assert dated == [
        (date(2017, 1, 1), "text", "Ferrow dock workers last struck in 2017 over pensions."),
        (date(2024, 5, 6), "text", dated[1][2]),
        (date(2024, 5, 9), "text", dated[2][2]),
        (date(2024, 5, 10), "published", dated[3][2]),
        (date(2024, 5, 20), "text", dated[4][2]),
    ]
    assert "began a strike on Monday" in dated[1][2]
    assert "spread to the container terminal" in dated[2][2]
    assert "fruit rotting" in dated[3][2]
    assert "strike ended on May 20" in dated[4][2]


def test_a_sentence_in_two_passages_or_two_reports_is_one_event(fake_embedder):
    passages = _dock_story()
    retold = _passage(
        3,
        "The Ferrow dock strike ended on May 20 after the port agreed new rotas for the workers.",
        date(2024, 5, 22),
    )
    table, reading = _timeline([*passages, retold], fake_embedder)
    texts = [" ".join(_text(table, e).split()) for e in reading.events]
    assert len(texts) == len(set(texts)) == 5


def test_after_and_before_keep_the_events_on_the_asked_side_of_the_anchor(fake_embedder):
    after = _anchored("the Ferrow dock strike spread to the container terminal", Relation.AFTER)
    _, reading = _timeline(_dock_story(), fake_embedder, after)
    days = [e.date.day for e in reading.events]
    assert days[0] == date(2024, 5, 9) and reading.events[0].anchor
    assert min(days) == date(2024, 5, 9) and date(2024, 5, 20) in days

    before = _anchored("the Ferrow dock workers began a strike", Relation.BEFORE)
    _, reading = _timeline(_dock_story(), fake_embedder, before)
    days = [e.date.day for e in reading.events]
    assert days == [date(2017, 1, 1), date(2024, 5, 6)]


def test_a_period_named_in_the_question_bounds_the_story(fake_embedder):
    request = TimelineRequest("the Ferrow dock strike in 2017")
    _, reading = _timeline(_dock_story(), fake_embedder, request)
    assert [e.date.day for e in reading.events] == [date(2017, 1, 1)]


def test_a_date_in_the_anchor_finds_the_anchor_within_it_and_bounds_nothing_else(fake_embedder):
    # "What led up to the strike's end in May 2024?": May dates the anchor; the 2017 strike
    # led up to it as much as May's events.
    before = _anchored("the Ferrow dock strike ended in May 2024", Relation.BEFORE)
    _, reading = _timeline(_dock_story(), fake_embedder, before)
    days = [e.date.day for e in reading.events]
    assert days[0] == date(2017, 1, 1)
    assert [e.date.day for e in reading.events if e.anchor] == [date(2024, 5, 20)]


def test_what_led_up_to_an_event_ends_with_its_latest_close_match(fake_embedder):
    # The charge and the plea both name the harbour master and his fraud: the plea, the later,
    # closes what led up to it, and the charge stays in as a step towards it.
    story = [
        _passage(
            0, "Ferrow harbour master Amos Kell was charged with fraud on May 2.", date(2024, 5, 3)
        ),
        _passage(
            1,
            "Ferrow harbour master Amos Kell pleaded guilty to fraud on June 10.",
            date(2024, 6, 11),
        ),
    ]
    before = _anchored("Ferrow harbour master Amos Kell pleading guilty to fraud", Relation.BEFORE)
    _, reading = _timeline(story, fake_embedder, before)
    assert [(e.date.day, e.anchor) for e in reading.events] == [
        (date(2024, 5, 2), False),
        (date(2024, 6, 10), True),
    ]


@pytest.mark.skipif(not nlp.available(), reason="needs spaCy's English pipeline")
def test_a_year_naming_the_anchor_dates_it(fake_embedder):
    # "What happened after the dock workers' 2017 strike?": the year says which strike.
    after = _anchored("the Ferrow dock workers' 2017 strike", Relation.AFTER)
    _, reading = _timeline(_dock_story(), fake_embedder, after)
    assert [e.date.day for e in reading.events if e.anchor] == [date(2017, 1, 1)]
    assert [e.date.day for e in reading.events][-1] == date(2024, 5, 20)


@pytest.mark.skipif(not nlp.available(), reason="needs spaCy's English pipeline")
@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("The 1987 tournament moved from England to the Indian subcontinent.", 1987),
        ("Held in Australia and New Zealand, the 1992 World Cup saw coloured kits.", 1992),
        ("Coachella 2020 was canceled because of the pandemic.", 2020),
        ("The strike ended an omission in the 2015 Paris accord.", None),  # not the subject
        ("Trump, who lost the 2020 election, was indicted.", None),
        ("The 2026 tournament will be held in North America.", None),  # after the article
        ("Revenue rose to 2,023 million in the 2022-23 season.", None),
        # A year naming a happening dates the sentence wherever it stands.
        ("His troubles go back to his 2019 upset loss to Andy Ruiz Jr. in New York.", 2019),
        ("In the 2016 offseason, Durant joined the team that had beaten him.", 2016),
        ("Their best result was a second-round exit in the 2021 playoffs.", 2021),
        ("Soto turned down an offer before he was traded at the 2022 deadline.", 2022),
        ("The club must sell players before the 2024 deadline.", None),  # after the article
        ("It is easy to mark 2016's Pokemon Go as the turning point for the series.", 2016),
        ("After leaving his post following the 2019 World Cup, Schmidt joined World Rugby.", 2019),
        ("The rebels violated the 2020 ceasefire again.", None),  # an agreement, made long ago
        ("The 2026 final will be held in North America.", None),  # after the article
    ],
)
def test_a_year_naming_the_subject_or_a_happening_dates_a_timeline_sentence(sentence, year):
    found = _naming_year(sentence, date(2023, 10, 1))
    assert (found.day.year if found else None) == year
    if found:
        assert (found.precision, found.source) == (Precision.YEAR, DateSource.TEXT)


def test_no_relevant_dated_sentence_gives_no_events(fake_embedder):
    passages = [_passage(0, "Quillmere celebrated its lantern festival with music.", None)]
    _, reading = _timeline(passages, fake_embedder, TimelineRequest("the lantern festival"))
    assert reading.events == ()  # the only sentence has no date and its article none either


def test_the_answer_lists_the_events_each_cited_to_its_sentence(fake_embedder):
    passages = _dock_story()
    _, reading = _timeline(passages, fake_embedder)
    answer = timeline_answer("How did it unfold?", STRIKE, passages, reading.events, NO_FILTERS)
    lines = answer.text.split("\n")
    assert lines[0] == "Timeline: 5 dated events from 3 articles, oldest first."
    assert lines[1:] == timeline_lines(answer.timeline)
    first = answer.timeline[0].citation
    assert lines[1] == f"2017: Ferrow dock workers last struck in 2017 over pensions. [{first}]"
    assert lines[4].startswith("10 May 2024 (date of the report): Importers said")
    numbers = {c.number: c for c in answer.citations}
    assert [c.number for c in answer.citations] == sorted(numbers)
    for event in answer.timeline:
        citation = numbers[event.citation]
        assert event.text in " ".join(citation.passage.text.split())
        assert any(
            " ".join(citation.passage.text[s:e].split()) == event.text
            for s, e in citation.highlights
        )
    assert answer.short_answer == "" and not answer.abstained


# --- Lists and sentences that date two events ---------------------------------------------------


@pytest.mark.parametrize(
    ("before", "heading"),
    [
        ("Intro.\n\nMay 2024\n\nHarbour Ferries\n\n", "Harbour Ferries"),
        ("Intro.\n\nKrebs & Partners Group\n\nAnnounced that", "Krebs & Partners Group"),
        ("Intro.\n\nFerrow dock strike spreads to the terminal\n\n", ""),  # a section title
        ("Intro.\n\nMay 20\n\n", ""),  # a date line dates, it names nothing
        ("The port said so.\n\n", ""),  # a sentence
        ("No line above", ""),
    ],
)
def test_a_short_name_above_a_paragraph_is_its_heading(before, heading):
    assert subject_heading(before) == heading


def _layoffs_list() -> list[Passage]:
    """A list of job cuts, each entry's company only in its heading, six companies."""
    companies = ["Ferrow Docks", "Harbour Ferries", "Kessel Rail", "Lenn Water", "Morrow Bank"]
    body = "A list of the year's job cuts in the region, updated monthly.\n\n"
    for month, day in (("March", 4), ("May", 20)):
        for n, company in enumerate(companies):
            body += f"{company}\n\nAnnounced {month} {day + n} that it will cut {40 + n} jobs.\n\n"
    return [_passage(0, body.rstrip(), date(2024, 6, 1), title="Job cuts of 2024: a list")]


def test_a_list_gives_only_the_entries_under_the_story_s_name(fake_embedder):
    request = TimelineRequest("Harbour Ferries job cuts")
    table, reading = _timeline(_layoffs_list(), fake_embedder, request=request)
    entries = [e for e in reading.events if e.heading]
    assert [_text(table, e) for e in entries] == [
        "Announced March 5 that it will cut 41 jobs.",
        "Announced May 21 that it will cut 41 jobs.",
    ]
    assert [e.heading for e in entries] == ["Harbour Ferries"] * 2
    # Besides them only the list's opening, dated by its publication.
    assert [_text(table, e) for e in reading.events if not e.heading] == [
        "A list of the year's job cuts in the region, updated monthly."
    ]
    answer = timeline_answer("?", request, table.passages, reading.events, NO_FILTERS)
    assert "5 Mar 2024: Harbour Ferries — Announced March 5" in answer.text
    assert [e.heading for e in answer.timeline if e.heading] == ["Harbour Ferries"] * 2


def test_a_list_entry_naming_the_story_itself_belongs_to_it_under_any_heading(fake_embedder):
    """A free-agency tracker files news under each team; an entry saying the pitcher met the
    team is his story though its heading names only the team."""
    teams = ["Lions", "Herons", "Otters", "Badgers", "Falcons"]
    body = "Tracking every move of the winter market.\n\n"
    for n, team in enumerate(teams):
        body += f"{team}\n\nThe {team} added a veteran reliever on December {n + 2}.\n\n"
    body += "Lions\n\nThe Lions met with pitcher Kenji Aramaki on December 9 in Ferrow.\n\n"
    passages = [_passage(0, body.rstrip(), date(2024, 12, 20), title="Winter market tracker")]
    request = TimelineRequest("pitcher Kenji Aramaki's free agency")
    table, reading = _timeline(passages, fake_embedder, request=request)
    entries = [_text(table, e) for e in reading.events if e.heading]
    assert entries == ["The Lions met with pitcher Kenji Aramaki on December 9 in Ferrow."]


def test_a_sentence_that_dates_two_events_gives_two_each_cited_to_its_clause(fake_embedder):
    passage = _passage(
        0,
        "Ferrow dock workers had been unionised since 2009, joining the national strike in 2019.",
        date(2024, 5, 7),
    )
    table, reading = _timeline([passage], fake_embedder)
    assert [(e.date.day, _text(table, e)) for e in reading.events] == [
        (date(2009, 1, 1), "Ferrow dock workers had been unionised since 2009"),
        (date(2019, 1, 1), "joining the national strike in 2019."),
    ]


def test_the_clauses_of_a_sentence_under_a_date_line_are_dated_from_that_line(fake_embedder):
    passage = _passage(
        0,
        "How the Ferrow dock strike went.\n\nMarch 15\n\n"
        "Ferrow dock talks collapsed on Monday, and the dock workers walked out on Thursday.",
        date(2024, 3, 20),
    )
    table, reading = _timeline([passage], fake_embedder)
    # Friday 15 March's Monday and Thursday, not those before the publication day (20 March).
    days = [e.date.day for e in reading.events if "Monday" in _text(table, e)]
    days += [e.date.day for e in reading.events if "Thursday" in _text(table, e)]
    assert days == [date(2024, 3, 11), date(2024, 3, 14)]


def test_a_long_story_article_is_read_by_its_opening_and_the_story_s_words():
    from qa.answerer import _story_passages

    texts = [f"Paragraph {n} about the harbour budget." for n in range(10)]
    texts[7] = "Harbour Ferries cut 41 jobs in May."
    passages = [replace(_passage(0, t, None), chunk_id=f"c{n}") for n, t in enumerate(texts)]
    short = [replace(_passage(1, "Harbour Ferries news.", None), chunk_id="other")]
    kept = _story_passages([*passages, *short], "Harbour Ferries job cuts", limit=4)
    # The first half of the limit, then the passages holding most of the story's words (the
    # one naming it, then the first of the rest), in text order; a short article whole.
    assert [p.chunk_id for p in kept] == ["c0", "c1", "c2", "c7", "other"]


# --- End to end, over a real index ------------------------------------------------------------


@pytest.fixture(scope="module")
def tram_index(tmp_path_factory, real_embedder):
    folder = tmp_path_factory.mktemp("tram")
    index = open_index(Settings(data_dir=folder / "data"), embedder=real_embedder)
    report = index.add([write_story(folder / "articles")])
    assert report.ok, report.errors
    return index


def _places(answer: Answer) -> list[int]:
    """Where each event of the story appears in the timeline (its first entry)."""
    places = []
    for words, _, _ in EVENTS:
        place = next(i for i, e in enumerate(answer.timeline) if words in e.text)
        places.append(place)
    return places


def _assert_cited(answer: Answer, index) -> None:
    numbers = {c.number: c for c in answer.citations}
    for event in answer.timeline:
        passage = numbers[event.citation].passage
        assert event.text in " ".join(passage.text.split())
        article = index.get_article(passage.article_id)[1]
        assert article[passage.start : passage.end] == passage.text


def test_a_story_told_by_several_articles_comes_back_in_order_each_event_cited(tram_index):
    answer = Answerer(tram_index).ask("How did the Veldmark tram strike unfold?")
    assert not answer.abstained and answer.timeline
    places = _places(answer)
    assert places == sorted(places) and len(set(places)) == len(places)
    days = [e.day for e in answer.timeline]
    assert days == sorted(days)
    for words, day, source in EVENTS:
        event = next(e for e in answer.timeline if words in e.text)
        assert (event.day, event.date_source) == (day, source), words
    _assert_cited(answer, tram_index)
    # The unrelated article is not part of the story.
    assert not any("library" in e.text for e in answer.timeline)
    assert answer.text.split("\n")[0].startswith("Timeline: ")
    assert answer.mode == Mode()


def test_what_happened_after_an_event_leaves_out_what_came_long_before(tram_index):
    answer = Answerer(tram_index).ask(
        "What happened after the Veldmark tram drivers began their strike?"
    )
    texts = [e.text for e in answer.timeline]
    assert not any("2019" in t for t in texts)
    later = [words for words, day, _ in EVENTS if day > date(2024, 3, 11)]
    for words in later:
        assert any(words in t for t in texts), words
    assert answer.text.startswith("Timeline from the event asked about onwards:")


def test_a_timeline_as_of_a_day_holds_only_what_was_published_by_then(tram_index):
    answer = Answerer(tram_index).ask(
        "How did the Veldmark tram strike unfold?", as_of="2024-03-13"
    )
    assert answer.as_of is not None and answer.as_of.day == date(2024, 3, 13) and answer.as_of.given
    assert answer.timeline
    assert all(c.passage.published <= date(2024, 3, 13) for c in answer.citations)
    texts = [e.text for e in answer.timeline]
    assert not any("four percent raise" in t or "returned to work" in t for t in texts)
    assert any("began their strike" in t for t in texts)


def test_a_question_that_is_not_a_timeline_gets_no_timeline(tram_index):
    answer = Answerer(tram_index).ask("What pay rise did the Veldmark tram drivers accept?")
    assert answer.timeline == ()


def test_a_model_writes_an_overview_above_the_events_it_cannot_reorder(tram_index):
    def reply(system: str, user: str) -> str:
        numbers = re.findall(r"^\[(\d+)\] ", user, flags=re.MULTILINE)
        return (
            f"Veldmark's tram drivers voted to strike and walked out [{numbers[1]}], then "
            f"returned to work after accepting a six percent pay rise [{numbers[-1]}]. "
            "The mayor resigned over the dispute."
        )

    model = FakeChatModel(reply, model="scripted-timeline")
    extractive = Answerer(tram_index).ask("How did the Veldmark tram strike unfold?")
    answer = Answerer(tram_index, chat_model=model).ask("How did the Veldmark tram strike unfold?")
    assert answer.mode == Mode("scripted-timeline", "fake://")
    assert answer.timeline == extractive.timeline  # the events, dates and order are kept
    assert answer.citations == extractive.citations
    overview, *lines = answer.text.split("\n")
    assert lines == timeline_lines(answer.timeline)
    assert overview.startswith("Veldmark's tram drivers voted to strike")
    assert "[" in overview
    # The claim no event supports is flagged.
    assert [answer.text[s:e] for s, e in answer.unsupported] == [
        "The mayor resigned over the dispute."
    ]
    # The model saw the events oldest first, each with its citation number.
    system, user = model.prompts[0]
    assert "dated events" in system
    listed = re.findall(r"^\[(\d+)\] ([^:]+): ", user, flags=re.MULTILINE)
    assert [label for _, label in listed] == [e.label for e in answer.timeline]
    assert [int(n) for n, _ in listed] == [e.citation for e in answer.timeline]


def test_a_failing_model_leaves_the_extractive_timeline_and_says_why(tram_index):
    model = FakeChatModel(fail=True)
    answer = Answerer(tram_index, chat_model=model).ask("Timeline of the Veldmark tram strike")
    assert answer.timeline and answer.mode == Mode()
    assert "showing the extractive answer instead" in answer.error


# --- Shown on the page and returned by /ask ---------------------------------------------------


def _hostile_answer() -> Answer:
    passage = _passage(0, "<img src=x onerror=alert(1)> The strike began on Monday.", None)
    event = TimelineEvent(
        date(2024, 5, 6), "<img src=x onerror=alert(1)> The strike began on Monday.", 1
    )
    undated = TimelineEvent(
        date(2024, 5, 10),
        "Fruit rotted <b>on</b> the quay.",
        1,
        date_source="published",
        heading="<i>Quay</i> Traders",
    )
    timeline = (event, undated)
    return Answer(
        text="\n".join(
            ["Timeline: 2 dated events from 1 article, oldest first.", *timeline_lines(timeline)]
        ),
        citations=(Citation(1, passage),),
        timeline=timeline,
    )


def test_the_page_shows_the_events_as_a_list_with_escaped_text_and_citation_buttons():
    html = render_answer(_hostile_answer(), turn=3)
    assert html.count('<li class="timeline-event"') == 2
    assert '<time class="timeline-date" datetime="2024-05-06">6 May 2024</time>' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "&lt;b&gt;on&lt;/b&gt;" in html
    assert html.count('class="cite" data-turn="3" data-n="1"') == 2
    assert 'data-date-source="published"' in html and "date of the report" in html
    assert '<span class="timeline-heading">&lt;i&gt;Quay&lt;/i&gt; Traders</span>' in html
    # The overview is the text; the event lines are not repeated as text.
    text = re.search(r'<div class="answer-text">(.*?)</div>', html).group(1)
    assert text == "Timeline: 2 dated events from 1 article, oldest first."


def test_the_api_returns_the_events_as_data():
    data = answer_to_dict(_hostile_answer())
    assert data["timeline"][1] == {
        "date": "2024-05-10",
        "label": "10 May 2024",
        "precision": "day",
        "date_source": "published",
        "date_text": "",
        "heading": "<i>Quay</i> Traders",
        "text": "Fruit rotted <b>on</b> the quay.",
        "citation": 1,
    }
    assert answer_to_dict(Answer(text="x"))["timeline"] == []


def test_a_game_result_in_a_round_up_is_an_event_of_the_season(fake_embedder):
    """A result (a score beside a word of winning or losing) needs less relevance to the
    question: a game report names the team and the score, few of the question's words."""
    request = TimelineRequest("the Harbour Hawks football season")
    review = _passage(
        0,
        "The Harbour Hawks football season opened on September 3 with a home game at Quay "
        "Park.\n\nThe Harbour Hawks football season ended on December 10 after a loss to Ferrow.",
        date(2024, 12, 11),
        title="Harbour Hawks football season review",
    )
    round_up = _passage(
        1,
        "Fans packed the stands at Quay Park again this weekend despite heavy rain and wind.\n\n"
        "The Hawks rolled to a 26-14 victory over Ferrow in a rainy game at the park.",
        date(2024, 10, 7),
        title="Weekend round-up",
    )
    result = "The Hawks rolled to a 26-14 victory over Ferrow in a rainy game at the park."
    for config, expected in (
        (TimelineConfig(), True),
        (TimelineConfig(outcome_cutoff=1.0, outcome_bonus=0.0), False),
    ):
        table = SentenceTable([review, round_up], fake_embedder, min_words=5)
        reading = build_timeline(request, table, config, story={"art0"})
        texts = [_text(table, e) for e in reading.events]
        assert (result in texts) is expected
        assert len(texts) == 2 + expected


def test_a_table_of_results_gives_the_story_s_entries_each_cited_to_its_own_words(fake_embedder):
    """A fixtures table read as one line is no statement, but each entry naming the story's
    team is a result of its season; the other teams' entries are not, even those sharing a
    common part of its name (the other "Hawks")."""
    request = TimelineRequest("the Harbour Hawks cup campaign")
    table_text = (
        "Date Fixture/Result Sept. 19 Harbour Hawks 0-0 Ferrow Sept. 19 Quay Hawks 2-0 Dockside "
        "Sept. 26 Ferrow 1-1 Quay Hawks Oct. 3 Dockside 1-3 Harbour Hawks "
        "Oct. 24 Harbour Hawks 4-1 Quay Hawks"
    )
    report = _passage(
        0,
        "The Harbour Hawks cup campaign ended on November 8 with a loss at Dockside.\n\n"
        + table_text,
        date(2023, 11, 9),
        title="Harbour Hawks cup campaign: every result",
    )
    table = SentenceTable([report], fake_embedder, min_words=5)
    reading = build_timeline(request, table, TimelineConfig(), story={"art0"})
    events = [(e.date.day, _text(table, e)) for e in reading.events]
    assert events == [
        (date(2023, 9, 19), "Sept. 19 Harbour Hawks 0-0 Ferrow"),
        (date(2023, 10, 3), "Oct. 3 Dockside 1-3 Harbour Hawks"),
        (date(2023, 10, 24), "Oct. 24 Harbour Hawks 4-1 Quay Hawks"),
        (
            date(2023, 11, 8),
            "The Harbour Hawks cup campaign ended on November 8 with a loss at Dockside.",
        ),
    ]


@pytest.mark.parametrize(
    ("sentence", "result"),
    [
        ("Detroit rolled to a 26-14 victory over the Raiders.", True),
        ("They drew 3-3 with Galatasaray after leading twice.", True),
        ("The bill passed 52-48 in the Senate.", True),
        ("The shares won back 2.5% in the 2022-23 season.", False),  # years, not a score
        ("The Raiders won their last game.", False),  # no score
        ("Tickets cost 20-30 dollars.", False),
    ],
)
def test_a_result_is_a_score_beside_a_word_of_winning_or_losing(sentence, result):
    assert _outcome(sentence) is result
