"""The web UI in a real browser: Debian's Chromium, headless, driven by Playwright.

The app runs as a subprocess (``python app.py``) on a free loopback port with an empty data
folder, so it indexes the bundled sample ``corpus/`` itself on start, as it would for a new user.
One app serves all tests in this module; each test opens its own browser page (its own Gradio
session). Screenshots of every test's final page go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from bench.ui_latency import CHROMIUM, chromium
from qa import Answer
from tests.chat_server import ChatServer, ChatServerState
from tests.conftest import ROOT
from tests.fixtures.feeds import FeedServer, Route, rss
from tests.fixtures.feeds import page as article_page
from tests.fixtures.web_app import running_app
from ui.answer_view import short_answer_shown

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
ANSWER_TIMEOUT_MS = 60_000
#: How long any other UI assertion waits (Playwright's default is 5 s).
UI_TIMEOUT_MS = 20_000

# Records each state the newest turn passes through, so a test can tell that the answer
# arrived as a stream of updates (pending first, complete last) and not in one piece.
WATCH_TURNS_JS = """
() => {
  window.__turnStates = [];
  const root = document.querySelector('#conversation');
  const record = () => {
    const turns = root.querySelectorAll('.turn');
    const last = turns[turns.length - 1];
    if (!last) return;
    const state = last.querySelector('.pending') ? 'pending'
      : (last.dataset.complete === 'true' ? 'complete' : 'partial');
    const states = window.__turnStates;
    if (states[states.length - 1] !== state) states.push(state);
    if (state === 'partial') window.__partialText = last.querySelector('.answer-text').textContent;
  };
  new MutationObserver(record).observe(root, {subtree: true, childList: true, attributes: true,
                                               characterData: true});
}
"""


IN_VIEW_JS = """(id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight - 40;
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app in extractive mode (no LLM configured)."""
    with running_app(tmp_path_factory.mktemp("app")) as url:
        yield url


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory):
    """The app with an LLM endpoint (a loopback Chat Completions server); yields the app's url
    and the server's state. The model sends the first words of its reply and then stalls past
    the app's time-out, unless a test re-scripts it (``prompt_model``)."""
    state = ChatServerState(
        reply=lambda messages: "Lachin Corridor\nBaku set up a checkpoint [1].",
        piece_chars=7,
        stall_after_first=True,
    )
    with (
        ChatServer(state) as server,
        running_app(
            tmp_path_factory.mktemp("llm-app"),
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="test",
            NEWSQA_LLM_MODEL="scripted",
            NEWSQA_LLM_TIMEOUT="4",
            NEWSQA_LLM_RETRIES="0",
        ) as url,
    ):
        yield url, state


@pytest.fixture
def prompt_model(llm_app):
    """The LLM app's model, answering at once instead of stalling; set its ``reply`` in the test.
    The stalling script is restored afterwards, whatever order the tests run in."""
    _, state = llm_app
    saved = state.reply, state.stall_after_first
    state.stall_after_first = False
    yield state
    state.reply, state.stall_after_first = saved


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium; every assertion waits up to :data:`UI_TIMEOUT_MS`."""
    from playwright.sync_api import expect, sync_playwright

    # Playwright's 5 s default is too short on a loaded two-core machine: a date filter's
    # summary once took longer to come back while a benchmark ran beside the tests.
    expect.set_options(timeout=UI_TIMEOUT_MS)

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/ensure_chromium.sh` "
            "(apt-get install chromium)"
        )
    with sync_playwright() as playwright, chromium(playwright) as browser:
        yield browser


def _open_page(browser, url: str, name: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.dialogs = []
    page.errors = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("#conversation .conversation")
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, app_url, request):
    """A fresh page (own Gradio session) on the extractive app; dialogs and script errors are
    recorded; a screenshot of the final state goes to test-artifacts/."""
    yield from _open_page(browser, app_url, request.node.name)


@pytest.fixture
def llm_page(browser, llm_app, request):
    """Like ``page``, on the app with the LLM endpoint."""
    yield from _open_page(browser, llm_app[0], request.node.name)


def ask(page, question: str) -> list[str]:
    """Type ``question``, press Enter, wait for the complete answer; returns the states seen."""
    from playwright.sync_api import expect

    count = page.locator("#conversation .turn").count()
    page.evaluate(WATCH_TURNS_JS)
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    turn = page.locator("#conversation .turn").nth(count)
    expect(turn).to_have_attribute("data-complete", "true", timeout=ANSWER_TIMEOUT_MS)
    return page.evaluate("window.__turnStates")


def open_library(page) -> None:
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library-table table")


def open_ask(page) -> None:
    page.get_by_role("tab", name="Ask").click()
    page.wait_for_selector("#question textarea")


def upload(page, path: Path) -> None:
    """Upload a file in the library tab and wait for its result line."""
    from playwright.sync_api import expect

    page.locator("#upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#upload-results li", has_text=path.name)).to_be_visible(
        timeout=ANSWER_TIMEOUT_MS
    )


def ask_answered(page, question: str, expected: str):
    """Ask ``question`` from the Ask tab; the answer (no abstention) says ``expected``. Returns
    the first source card of the answer."""
    from playwright.sync_api import expect

    open_ask(page)
    ask(page, question)
    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".abstained")).to_have_count(0)
    expect(turn.locator(".answer-text")).to_contain_text(expected)
    return page.locator("#sources .source-group.active .card").first


def test_lachin_answer_streams_in_with_marker_card_and_article(page):
    from playwright.sync_api import expect

    states = ask(page, LACHIN)
    assert states[0] == "pending" and states[-1] == "complete", states

    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".answer-text")).to_contain_text("Lachin")
    markers = turn.locator("button.cite")
    assert markers.count() >= 1
    marker = markers.last
    n = marker.get_attribute("data-n")
    card = page.locator(f"#src-0-{n}")
    expect(card.locator("mark.support")).to_contain_text(re.compile(r"\w{4,}"))

    # Push the card out of sight (a tall block above it, everything scrolled to the top): the
    # marker must bring it back into view.
    card_id = f"src-0-{n}"
    page.evaluate("""() => {
        const spacer = document.createElement('div');
        spacer.id = 'test-spacer';
        spacer.style.height = '3000px';
        const sources = document.querySelector('#sources .sources');
        sources.insertBefore(spacer, sources.firstChild);
        document.querySelector('#sources-col').scrollTop = 0;
        window.scrollTo(0, 0);
    }""")
    assert not page.evaluate(IN_VIEW_JS, card_id)
    marker.click()
    page.wait_for_function(IN_VIEW_JS, arg=card_id, timeout=5000)
    expect(card).to_have_class(re.compile(r"\bflash\b"))
    support = card.locator("mark.support").first.inner_text()

    card.locator("button.show-article").click()
    overlay = page.locator("#article-view .article-overlay")
    expect(overlay).to_be_visible()
    expect(overlay.locator("mark.passage").first).to_be_visible()
    expect(overlay.locator("mark.support").first).to_contain_text(support[:40])
    page.screenshot(path=str(ARTIFACTS / "article-view.png"))
    page.keyboard.press("Escape")
    expect(overlay).to_have_count(0)
    assert not page.errors, page.errors


def test_a_timeline_question_shows_its_dated_events_in_order_each_with_its_source(page):
    """One question, on the sample article (dated events from February to May 2023)."""
    from playwright.sync_api import expect

    ask(page, "Timeline of the Lachin Corridor dispute")
    turn = page.locator("#conversation .turn").last
    events = turn.locator("ol.timeline li.timeline-event")
    expect(events.first).to_be_visible()
    assert events.count() >= 3
    days = events.locator("time.timeline-date").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('datetime'))"
    )
    assert days == sorted(days), days
    expect(turn.locator(".answer-text")).to_contain_text("Timeline:")
    buttons = events.locator("button.cite")
    assert buttons.count() == events.count()
    n = buttons.first.get_attribute("data-n")
    expect(page.locator(f"#src-0-{n}")).to_have_count(1)
    assert not page.errors, page.errors


def test_an_empty_question_asks_for_one(page):
    from playwright.sync_api import expect

    page.locator("#question textarea").press("Enter")
    notice = page.locator("#conversation .question-notice")
    expect(notice).to_have_text("Please type a question.")
    expect(page.locator("#conversation .turn")).to_have_count(0)
    assert not page.errors, page.errors


def test_an_overlong_question_shows_the_limit_and_is_not_echoed(page):
    from playwright.sync_api import expect

    question = ("Where did Azerbaijan set up a checkpoint on April 23? " * 400)[:20_000]
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#conversation .question-notice")).to_contain_text(
        "characters long; the limit is 2,000"
    )
    expect(page.locator("#conversation .turn")).to_have_count(0)
    shown = page.locator("#conversation").inner_text()
    assert "checkpoint" not in shown and len(shown) < 1_000, shown[:300]
    assert box.input_value() == question  # left in the box, to be shortened


# Elements whose text is set in bold (600 or 700) or regular weight, across Gradio's parts
# (tabs, buttons) and ours (header, sources, markers).
TYPE_SAMPLES = [
    ".newsqa-header h1",
    ".status-bar",
    "button[role=tab]",
    "#ask",
    ".bubble .who",
    ".bubble.question",
    ".answer-text",
    "button.cite",
    ".group-head",
    ".card-head",
    ".card-meta",
    "blockquote.passage",
]


def test_all_text_renders_from_one_served_typeface(page):
    ask(page, LACHIN)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    used: dict[str, set[tuple[str, bool]]] = {}
    for selector in TYPE_SAMPLES:
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        assert nodes["nodeIds"], f"nothing matches {selector}"
        for node in nodes["nodeIds"][:3]:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            used.setdefault(selector, set()).update(
                (font["familyName"], font["isCustomFont"]) for font in fonts
            )
    # One family, from the fonts the app serves: no glyph falls back to a system font (the
    # theme's SemiBold subset made bold headings mix Source Sans capitals with DejaVu Sans).
    families = {family for fonts in used.values() for family, _ in fonts}
    assert len(families) == 1, used
    assert all(custom for fonts in used.values() for _, custom in fonts), used


def test_date_filter_that_excludes_the_article_gives_an_abstention(page):
    from playwright.sync_api import expect

    since = page.locator("#since input")
    since.fill("2023-06-01")
    since.press("Enter")
    expect(page.locator("#filter-summary")).to_contain_text("1 Jun 2023")
    ask(page, LACHIN)
    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".bubble.answer.abstained")).to_be_visible()
    expect(turn.locator(".abstain-head")).to_have_text("No answer in the indexed articles")
    expect(turn.locator(".answer-meta")).to_contain_text("articles from 1 Jun 2023")
    expect(turn.locator("button.cite")).to_have_count(0)
    expect(page.locator("#sources .source-group.active .card:not(.nearest)")).to_have_count(0)


def test_an_as_of_day_before_the_article_gives_an_abstention_that_names_the_day(page):
    from playwright.sync_api import expect

    as_of = page.locator("#as-of input")
    as_of.fill("2023-04-30")
    as_of.press("Enter")
    expect(page.locator("#filter-summary")).to_contain_text("as of 30 Apr 2023")
    ask(page, LACHIN)
    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".bubble.answer.abstained")).to_be_visible()
    expect(turn.locator(".answer-meta .as-of")).to_have_text("as of 30 Apr 2023")
    expect(turn.locator("button.cite")).to_have_count(0)


def test_uploaded_article_is_listed_searchable_and_answerable(page, tmp_path):
    from playwright.sync_api import expect

    article = tmp_path / "kelsport-library.txt"
    article.write_text(
        "Title: Kelsport opens a floating library on a converted ferry\n"
        "Source: Harbour Gazette\n"
        "Date: 2024-02-10\n"
        "URL: https://example.org/kelsport-floating-library\n\n"
        "The harbour town of Kelsport opened a floating library on Saturday. The library occupies "
        "a converted car ferry moored at the north quay and holds twelve thousand books.\n\n"
        "Mayor Ilse Varga said the ferry library will sail to the outer islands every second week, "
        "bringing books to villages without a public library.\n",
        encoding="utf-8",
    )
    open_library(page)
    upload(page, article)
    expect(page.locator("#upload-results li.ok", has_text=article.name)).to_contain_text(
        "1 article added"
    )
    page.locator("#library-search textarea").fill("floating ferry")
    row = page.locator("#library-table tbody tr", has_text="Kelsport opens a floating library")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Harbour Gazette")
    expect(row).to_contain_text("2024-02-10")
    expect(page.locator("#stats")).to_contain_text("Harbour Gazette")

    card = ask_answered(
        page, "How many books does the Kelsport ferry library hold?", "holds twelve thousand books"
    )
    link = card.locator("a.card-title")
    expect(link).to_have_text("Kelsport opens a floating library on a converted ferry")
    expect(link).to_have_attribute("href", "https://example.org/kelsport-floating-library")
    expect(card.locator(".card-meta")).to_contain_text("Harbour Gazette · 10 Feb 2024")


def test_a_story_run_by_two_outlets_is_shown_once_with_the_other_also_in(page, tmp_path):
    from playwright.sync_api import expect

    body = (
        "The clock tower of Pellworth town hall rang again on Saturday after a three-year "
        "restoration that recast its eleven bells and repaired the 1887 mechanism.\n\n"
        "Clockmaker Ines Halvorsen said the largest bell weighs 1.4 tonnes and had been cracked "
        "since a lightning strike in 2019. The work cost 2.6 million euros, most of it raised by "
        "residents.\n\nThe bells will ring every quarter hour from 7 a.m. to 10 p.m."
    )
    outlets = {"Harbour Gazette": "gazette", "Island Post": "post"}
    feed = tmp_path / "pellworth-wire.jsonl"
    feed.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Pellworth clock tower rings again ({name})",
                    "source": name,
                    "published_at": "2024-03-09",
                    "url": f"https://{slug}.example/pellworth-bells",
                    "body": body,
                }
            )
            for name, slug in outlets.items()
        ),
        encoding="utf-8",
    )
    open_library(page)
    upload(page, feed)
    expect(page.locator("#upload-results li.ok", has_text=feed.name)).to_contain_text(
        "2 articles added"
    )
    card = ask_answered(page, "How many bells does the Pellworth clock tower have?", "eleven bells")
    shown = next(n for n in outlets if n in card.locator(".card-meta").first.inner_text())
    other = next(n for n in outlets if n != shown)
    also = card.locator(".also-in")
    expect(also).to_have_text(f"Also in: {other}")  # the same date is not repeated
    expect(also.locator("a")).to_have_attribute(
        "href", f"https://{outlets[other]}.example/pellworth-bells"
    )
    assert not page.errors, page.errors


HOSTILE = {
    "title": (
        "<script>window.__xss=1;alert('t1')</script>"
        "<img src=x onerror=\"window.__xss=2;alert('t2')\">"
    ),
    "source": "<b onmouseover=\"alert('s')\">Evil Outlet</b>",
    "url": "javascript:window.__xss=3;alert('u')",
    "published_at": "2030-01-02",
    "body": (
        "The zorbleflax festival in Quillmere drew record crowds. "
        "<script>window.__xss=4;alert('b1')</script> "
        "Organisers of the zorbleflax festival handed out "
        "<img src=x onerror=\"window.__xss=5;alert('b2')\"> "
        "free lanterns and linked <a href=\"javascript:alert('b3')\">the program</a>. "
        "The zorbleflax festival lasts ${alert('b4')} three days "
        "{{constructor.constructor('alert(1)')()}} "
        "<svg onload=\"alert('b5')\"></svg> in Quillmere every spring."
    ),
}


def _no_injection(page) -> None:
    """No element or handler from article data made it into the page, and no script ran."""
    found = page.evaluate("""() => {
        const roots = ['#conversation', '#sources', '#article-view', '#library-table', '#examples',
                       '#upload-results', '#stats', '#status', '#filter-summary',
                       '#feed-list', '#feed-results'];
        const bad = [];
        for (const sel of roots) {
          for (const root of document.querySelectorAll(sel + ' .html-container')) {
            const active = 'script, img, svg, iframe, object, embed, style';
            for (const el of root.querySelectorAll(active)) {
              bad.push(sel + ' ' + el.tagName);
            }
            for (const el of root.querySelectorAll('*')) {
              for (const attr of el.attributes) {
                if (attr.name.startsWith('on')) {
                  bad.push(sel + ' ' + el.tagName + '[' + attr.name + ']');
                }
              }
            }
          }
        }
        for (const a of document.querySelectorAll('a[href]')) {
          const href = a.getAttribute('href').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
          if (href.startsWith('javascript:')) bad.push('a href=' + href);
        }
        return {bad, xss: window.__xss === undefined ? null : window.__xss};
    }""")
    assert found == {"bad": [], "xss": None}, found
    assert page.dialogs == [], page.dialogs


def test_hostile_article_runs_nothing(page, tmp_path):
    from playwright.sync_api import expect

    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(HOSTILE), encoding="utf-8")
    open_library(page)
    upload(page, hostile)
    page.locator("#library-search textarea").fill("Evil Outlet")
    row = page.locator("#library-table tbody tr", has_text="Evil Outlet")
    expect(row).to_have_count(1)
    expect(row.locator(".col-title")).to_contain_text("<script>window.__xss=1")
    _no_injection(page)

    open_ask(page)
    ask(page, "How long does the zorbleflax festival in Quillmere last?")
    card = page.locator("#sources .source-group.active .card").first
    expect(card.locator(".card-head")).to_contain_text("<img src=x onerror=")
    expect(card.locator("a")).to_have_count(0)  # the javascript: url is shown as no link at all
    expect(card.locator(".passage")).to_contain_text("<script>")
    card.locator("button.show-article").click()
    overlay = page.locator("#article-view .article-overlay")
    expect(overlay.locator(".article-text")).to_contain_text("<svg onload=")
    expect(overlay.locator(".article-text")).to_contain_text("${alert('b4')}")
    _no_injection(page)
    page.keyboard.press("Escape")

    # The newest article feeds the example questions: they must stay inert too.
    page.reload()
    page.wait_for_selector("#examples button.example")
    expect(page.locator("#examples")).to_contain_text("<script>")
    _no_injection(page)

    # And it can be deleted again (two clicks: arm, confirm).
    open_library(page)
    page.locator("#library-search textarea").fill("Evil Outlet")
    delete = page.locator("#library-table tbody tr", has_text="Evil Outlet").locator(
        "button.delete-article"
    )
    delete.click()
    expect(delete).to_have_text("Confirm delete")
    delete.click()
    expect(page.locator("#library-table tbody tr", has_text="Evil Outlet")).to_have_count(0)
    expect(page.locator("#upload-results")).to_contain_text("deleted from the index")
    _no_injection(page)
    assert not page.errors, page.errors


def test_llm_words_stream_in_then_a_stalled_endpoint_falls_back_with_a_banner(llm_page):
    from playwright.sync_api import expect

    page = llm_page
    expect(page.locator("#status")).to_contain_text("LLM scripted at http://127.0.0.1:")
    expect(page.locator("#llm-banner .llm-banner")).to_have_count(0)
    states = ask(page, LACHIN)
    assert states[:2] == ["pending", "partial"] and states[-1] == "complete", states
    assert page.evaluate("window.__partialText").startswith("Lachin")  # the model's first words

    turn = page.locator("#conversation .turn").last
    expect(page.locator("#llm-banner .llm-banner")).to_contain_text(
        "The LLM endpoint is not answering"
    )
    expect(turn.locator(".fallback-note")).to_contain_text("extractive answer instead")
    expect(turn.locator("button.cite").first).to_be_visible()
    expect(turn.locator(".answer-meta")).to_contain_text("extractive")
    assert not page.errors, page.errors


# Where the short answer sits and how it looks, measured in the page: the bubble's first element,
# wholly above the answer text, bold and larger than the text.
SHORT_ANSWER_LOOKS_JS = """(block) => {
  const bubble = block.parentElement;
  const text = bubble.querySelector('.answer-text');
  const strong = getComputedStyle(block.querySelector('.short-answer-text'));
  return {
    first: bubble.firstElementChild === block,
    above: block.getBoundingClientRect().bottom <= text.getBoundingClientRect().top,
    weight: Number(strong.fontWeight),
    size: parseFloat(strong.fontSize),
    textSize: parseFloat(getComputedStyle(text).fontSize),
  };
}"""


def _assert_short_answer_heads(turn, expected: str) -> None:
    """The turn's answer opens with ``expected`` as its short answer, prominently."""
    from playwright.sync_api import expect

    block = turn.locator(".bubble.answer .short-answer")
    expect(block).to_have_count(1)
    expect(block).to_be_visible()
    expect(block.locator(".short-answer-label")).to_have_text("Answer:")
    expect(block.locator(".short-answer-text")).to_have_text(expected)
    looks = block.evaluate(SHORT_ANSWER_LOOKS_JS)
    assert looks["first"] and looks["above"], looks
    assert looks["weight"] >= 700 and looks["size"] > looks["textSize"], looks


def test_an_extractive_answer_shows_its_short_answer_exactly_when_it_is_a_real_one(page, app_url):
    """The page shows the short answer the app's answer calls for: a span the reader read heads
    the bubble; the first sentence standing in for one (reader off) is not repeated above
    itself. The answer's data comes from the same app's ``/ask``."""
    from gradio_client import Client
    from playwright.sync_api import expect

    ask(page, LACHIN)
    turn = page.locator("#conversation .turn").last
    data = Client(app_url, verbose=False).predict(question=LACHIN, api_name="/ask")
    assert data["short_answer"] and not data["abstained"], data
    answer = Answer(text=data["text"], short_answer=data["short_answer"])
    expected = short_answer_shown(answer)
    if expected:
        _assert_short_answer_heads(turn, expected)
    else:
        expect(turn.locator(".short-answer")).to_have_count(0)
        expect(turn.locator(".answer-text")).to_contain_text(data["short_answer"][:60])
    assert not page.errors, page.errors


def test_a_models_short_answer_heads_its_answer_in_bold(llm_page, prompt_model):
    from playwright.sync_api import expect

    page = llm_page
    prompt_model.reply = lambda messages: (
        "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor [1]."
    )
    ask(page, LACHIN)
    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".answer-meta")).to_contain_text("written by scripted")
    _assert_short_answer_heads(turn, "Lachin Corridor")
    assert not page.errors, page.errors


def test_a_short_answer_holding_markup_shows_as_text_and_runs_nothing(llm_page, prompt_model):
    from playwright.sync_api import expect

    page = llm_page
    short = '<img src=x onerror="window.__xss=6;alert(6)"> **Lachin** Corridor'
    prompt_model.reply = lambda messages: f"{short}\nBaku set up a checkpoint [1]."
    ask(page, LACHIN)
    turn = page.locator("#conversation .turn").last
    expect(turn.locator(".answer-meta")).to_contain_text("written by scripted")
    _assert_short_answer_heads(turn, short)
    _no_injection(page)
    assert not page.errors, page.errors


FERRY = (
    "Brannock Island gets a night ferry",
    [
        "The council of Brannock Island approved a night crossing for the ferry on Tuesday, with "
        "the first boat leaving the mainland at eleven in the evening.",
        "Residents had asked for a late service for years, saying the last boat at seven kept them "
        "from evening work and concerts on the mainland.",
    ],
)


def test_a_followed_feed_is_read_shown_and_answers_questions(page):
    """Follow a feed served on loopback, read it from the Library tab, see when it was read and
    what came in (a hostile headline as text), then ask what its story says."""
    from playwright.sync_api import expect

    with FeedServer() as server:
        stories = {"/news/ferry": FERRY, "/news/hostile": (HOSTILE["title"], FERRY[1][1:])}
        for path, (title, paragraphs) in stories.items():
            server.routes[path] = Route(
                article_page(
                    title,
                    paragraphs,
                    site="Brannock Post",
                    published="2024-03-05T09:00:00Z",
                    canonical=server.url(path),
                )
            )
        items = [{"title": title, "link": server.url(path)} for path, (title, _) in stories.items()]
        server.routes["/rss"] = Route(rss("Brannock Post", items), "application/rss+xml")
        open_library(page)
        address = page.locator("#feed-address textarea")
        address.fill("ftp://brannock.example/rss")
        page.locator("#follow-feed").click()
        expect(page.locator("#feed-results li.failed")).to_contain_text(
            "is not an http or https address"
        )
        address.fill(server.url("/rss"))
        page.locator("#follow-feed").click()
        expect(page.locator("#feed-results li.ok")).to_contain_text("Following")
        row = page.locator("#feed-list tr.feed")
        expect(row).to_have_count(1)
        expect(row.locator(".col-read")).to_have_text("never")

        page.locator("#read-feeds").click()
        expect(page.locator("#feed-results")).to_contain_text(
            "2 articles came in", timeout=ANSWER_TIMEOUT_MS
        )
        assert server.requests["/news/ferry"] == 1
    expect(row.locator(".feed-title")).to_have_text("Brannock Post")
    expect(row.locator(".col-read time")).to_have_text("just now")
    expect(row.locator(".col-read .abs-time")).to_have_text(
        re.compile(r"\(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)")
    )
    item = row.locator("a.item-title", has_text=FERRY[0])
    expect(item).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/news/ferry$"))
    expect(row.locator(".feed-item", has_text="<script>window.__xss=1")).to_have_count(1)
    _no_injection(page)
    row.locator(".feed-item", has_text=FERRY[0]).locator("button.show-article").click()
    overlay = page.locator("#article-view .article-overlay")
    expect(overlay.locator(".article-text")).to_contain_text("eleven in the evening")
    page.keyboard.press("Escape")
    expect(overlay).to_have_count(0)
    # What came in is in the library too (the views refresh after a pass).
    page.locator("#library-search textarea").fill("Brannock night ferry")
    expect(page.locator("#library-table tbody tr", has_text=FERRY[0])).to_have_count(1)

    card = ask_answered(
        page,
        "When does the night ferry to Brannock Island leave the mainland?",
        "eleven in the evening",
    )
    expect(card.locator("a.card-title")).to_have_text(FERRY[0])
    assert not page.errors, page.errors


def test_corroboration_badge_and_conflict_callout(page):
    """Upload one story as three outlets tell it (two alike, one with another toll) and ask for
    the toll: a source card says "Reported by 2 outlets" and lists the other outlet when opened;
    the answer shows the disagreement, each side with a marker that brings its card up."""
    from playwright.sync_api import expect

    open_library(page)
    upload(page, ROOT / "tests" / "data" / "claims.jsonl")
    ask_answered(page, "What was the death toll of the Verano earthquake?", "The sources differ")
    turn = page.locator("#conversation .turn").last
    callout = turn.locator(".conflict-callout")
    expect(callout.locator(".conflict-head")).to_have_text("Sources disagree")
    expect(callout).to_contain_text("2,600")
    expect(callout).to_contain_text("Northern Courier")
    sources = page.locator("#sources .source-group.active")
    badge = sources.locator("details.reported-by.many summary", has_text="Reported by 2 outlets")
    expect(badge.first).to_be_visible()
    badge.first.click()
    expect(sources.locator("details.reported-by[open] li.report").first).to_contain_text(
        re.compile(r"Capital Wire|Harbour Gazette")
    )
    marker = callout.locator("button.cite").last
    marker.click()
    card_id = f"src-{turn.get_attribute('data-turn')}-{marker.get_attribute('data-n')}"
    page.wait_for_function(IN_VIEW_JS, arg=card_id, timeout=5000)
    _no_injection(page)
    assert not page.errors, page.errors
