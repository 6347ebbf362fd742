"""newsqa's web app: ``python app.py`` and open http://127.0.0.1:7860.

This module only wires things: it reads the settings, opens the index (building the bundled
sample ``corpus/`` on the very first start, and saying so), builds the answerer and lays out the
page. What the page shows is formatted in :mod:`ui`; answers come from :mod:`qa`.

The server binds 127.0.0.1 unless ``GRADIO_SERVER_NAME`` says otherwise; ``GRADIO_SERVER_PORT``
picks the port. ``NEWSQA_AUTH=user:password`` turns on Gradio's login. Uploads are limited to
``NEWSQA_MAX_FILE_MB`` and to the file types the loaders read.

Many users at once. Questions (the page's and ``/ask``) share one queue of
``NEWSQA_MAX_CONCURRENT_QUESTIONS`` slots; uploads and deletions another, of one slot. A question
never waits for a write, nor a write for questions: each question reads one store generation
(:meth:`index.NewsIndex.snapshot`), and a write publishes its generation only once it is whole
(:mod:`index.store.session`), so an answer never sees half of an upload. Writes stay one at a
time (the write session's lock would serialise them anyway).

Feeds. "Read feeds now" runs in the write slot too. ``NEWSQA_FOLLOW_INTERVAL`` adds a background
follower, a thread outside Gradio's queue: its passes and the button's are one at a time
(:mod:`ui.feeds`), and its commits wait for an upload's, and the reverse, on the write session.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from index import NewsqaError, Settings, open_index
from qa import Answerer, QASettings
from ui import ChatController, LibraryController, upload_types
from ui.api import API_DESCRIPTION, AskEndpoint
from ui.assets import ARTICLE_BUTTONS_JS, ARTICLE_VIEW_JS, CONVERSATION_JS, EXAMPLES_JS, STYLE_HEAD
from ui.cards import render_sources
from ui.feeds import FeedFollower, FeedsController
from ui.feeds_view import FEEDS_HEAD, FEEDS_JS
from ui.settings import WebSettings

SAMPLE_CORPUS = Path(__file__).resolve().parent / "corpus"

_HEADER = (
    "<h1>newsqa</h1><p>Answers from your news articles, each sentence cited to the passage it "
    "comes from.</p>"
)


def _console_progress(echo: Callable[[str], None]) -> Callable[[str, int, int], None]:
    last: dict[str, int] = {}

    def progress(kind: str, done: int, total: int) -> None:
        # One line per tenth is enough to show the start is not stuck, without flooding logs.
        tenth = int(10 * done / total) if total else 10
        if last.get(kind) != tenth:
            last[kind] = tenth
            echo(f"  {'reading files' if kind == 'files' else 'embedding chunks'}: {done}/{total}")

    return progress


def open_answerer(
    settings: Settings,
    corpus: Path = SAMPLE_CORPUS,
    echo: Callable[[str], None] = print,
    answering: QASettings | None = None,
) -> Answerer:
    """Open the configured index and build the answerer; index ``corpus`` if the index is empty.

    Args:
        settings: the index's settings.
        corpus: the sample articles to index on first start.
        echo: where progress messages go.
        answering: the answerer's settings, LLM included (default: ``QASettings()``,
            extractive).

    Returns:
        The answerer.

    Raises:
        NewsqaError: the index cannot be opened (wrong model, store unreachable ...).
    """
    index = open_index(settings)
    if index.is_empty() and corpus.is_dir():
        echo(
            f"The index at {index.location} is empty: indexing the sample articles in {corpus} ..."
        )
        report = index.add([corpus], progress=_console_progress(echo))
        echo(f"Sample indexed: {report.summary()}")
        for line in report.errors:
            echo(f"  error: {line}")
    answerer = Answerer.from_settings(index, answering)
    # Load the search structures and the parser now, while the user waits for the server
    # anyway, rather than during the first question.
    answerer.warm()
    return answerer


def build_app(
    answerer: Answerer,
    max_concurrent_questions: int | None = None,
    feeds: FeedsController | None = None,
) -> gr.Blocks:
    """Lay out the page and connect its events to the :mod:`ui` callbacks.

    Args:
        answerer: the answerer; its index is what the library tab shows and changes.
        max_concurrent_questions: questions answered at once (default: ``WebSettings``'s).
        feeds: the Feeds panel's controller (default: one over the answerer's index); pass the
            one a background follower uses, so that their passes take turns.

    Returns:
        The Gradio app (call ``.queue().launch()`` on it).
    """
    questions_at_once = max_concurrent_questions or WebSettings().max_concurrent_questions
    settings = answerer.index.settings
    chat = ChatController(answerer)
    library = LibraryController(answerer, Path(settings.data_dir) / "uploads", settings.max_file_mb)
    feeds = feeds or FeedsController(answerer.index)
    table0, stats0, status0, _, examples0 = library.refresh()

    with gr.Blocks(title="newsqa", analytics_enabled=False) as app:
        gr.HTML(
            _HEADER,
            head=STYLE_HEAD,
            apply_default_css=False,
            js_on_load=None,
            elem_classes="newsqa-header",
        )
        status = gr.HTML(status0, apply_default_css=False, js_on_load=None, elem_id="status")
        banner = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="llm-banner")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    conversation = gr.HTML(
                        chat.view([])[0],
                        apply_default_css=False,
                        js_on_load=CONVERSATION_JS,
                        elem_id="conversation",
                    )
                    examples = gr.HTML(
                        examples0,
                        apply_default_css=False,
                        js_on_load=EXAMPLES_JS,
                        elem_id="examples",
                    )
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask about the news… (Enter to send)",
                            lines=1,
                            max_lines=4,
                            scale=6,
                            autofocus=True,
                            elem_id="question",
                        )
                        ask = gr.Button(
                            "Ask", variant="primary", scale=1, min_width=80, elem_id="ask"
                        )
                        new_chat = gr.Button("New chat", scale=1, min_width=120, elem_id="new-chat")
                    with gr.Accordion("Filters", open=True, elem_id="filters"):
                        with gr.Row():
                            since = gr.DateTime(
                                label="From", include_time=False, type="string", elem_id="since"
                            )
                            until = gr.DateTime(
                                label="To", include_time=False, type="string", elem_id="until"
                            )
                            as_of = gr.DateTime(
                                label="As of", include_time=False, type="string", elem_id="as-of"
                            )
                        # Three date boxes leave no room for the outlets in the same row.
                        with gr.Row():
                            outlets = gr.Dropdown(
                                choices=library.outlets(),
                                value=None,
                                multiselect=True,
                                label="Outlets",
                                elem_id="outlets",
                            )
                        with gr.Row():
                            summary = gr.HTML(
                                chat.filter_summary(None, None, None),
                                apply_default_css=False,
                                js_on_load=None,
                                elem_id="filter-summary",
                            )
                            clear = gr.Button(
                                "Clear filters", size="sm", scale=0, elem_id="clear-filters"
                            )
                with gr.Column(scale=2, elem_id="sources-col"):
                    sources = gr.HTML(
                        render_sources([]),
                        apply_default_css=False,
                        js_on_load=ARTICLE_BUTTONS_JS,
                        elem_id="sources",
                    )
            with gr.Tab("Library", id="library") as library_tab:
                stats = gr.HTML(stats0, apply_default_css=False, js_on_load=None, elem_id="stats")
                upload = gr.File(
                    label="Add articles (txt, md, html, json, jsonl, pdf)",
                    file_count="multiple",
                    file_types=upload_types(),
                    elem_id="upload",
                )
                results = gr.HTML(
                    "", apply_default_css=False, js_on_load=None, elem_id="upload-results"
                )
                with gr.Accordion("Feeds", open=True, elem_id="feeds"):
                    with gr.Row(equal_height=True):
                        feed_address = gr.Textbox(
                            show_label=False,
                            placeholder="https://example.com/rss.xml (RSS or Atom)",
                            scale=6,
                            elem_id="feed-address",
                        )
                        follow = gr.Button("Follow", scale=1, min_width=100, elem_id="follow-feed")
                        read_feeds = gr.Button(
                            "Read feeds now", scale=1, min_width=150, elem_id="read-feeds"
                        )
                    feed_results = gr.HTML(
                        "", apply_default_css=False, js_on_load=None, elem_id="feed-results"
                    )
                    feed_panel = gr.HTML(
                        feeds.panel(),
                        head=FEEDS_HEAD,
                        apply_default_css=False,
                        js_on_load=FEEDS_JS,
                        elem_id="feed-list",
                    )
                search = gr.Textbox(
                    label="Search the library",
                    placeholder="words from a title, outlet or date",
                    elem_id="library-search",
                )
                table = gr.HTML(
                    table0,
                    apply_default_css=False,
                    js_on_load=ARTICLE_BUTTONS_JS,
                    elem_id="library-table",
                )
        article = gr.HTML(
            "", apply_default_css=False, js_on_load=ARTICLE_VIEW_JS, elem_id="article-view"
        )

        chat_outputs = [conversation, sources, turns, question, banner]
        library_outputs = [table, stats, status, outlets, examples]
        # The page's events send HTML to the page; they are private so that the API page and
        # the Gradio clients list only /ask, which returns the answer as data.
        page_only: dict[str, Any] = {"api_visibility": "private"}
        # Questions share their slots with each other, writes theirs (see the module docstring).
        answering: dict[str, Any] = {
            "concurrency_id": "questions",
            "concurrency_limit": questions_at_once,
        }
        writing: dict[str, Any] = {"concurrency_id": "writes", "concurrency_limit": 1}
        asking: dict[str, Any] = {
            "fn": chat.respond,
            "inputs": [question, turns, since, until, outlets, as_of],
            "outputs": chat_outputs,
            **answering,
            **page_only,
        }
        question.submit(**asking)
        ask.click(**asking)
        new_chat.click(chat.new_chat, None, chat_outputs, queue=False, **page_only)
        examples.ask_example(chat.example_event, None, question, queue=False, **page_only).then(
            **asking
        )
        filter_controls = [since, until, outlets, as_of]
        for control in filter_controls:
            control.change(chat.filter_summary, filter_controls, summary, queue=False, **page_only)
        clear.click(lambda: (None, None, [], None), None, filter_controls, queue=False, **page_only)
        sources.show_article(chat.article_event, None, article, **page_only)
        table.show_article(chat.article_event, None, article, **page_only)
        table.delete_article(
            library.on_delete,
            [search, outlets],
            [results, *library_outputs],
            **writing,
            **page_only,
        )
        upload.upload(
            library.on_upload,
            [upload, search, outlets],
            [results, upload, *library_outputs],
            **writing,
            **page_only,
        )
        search.change(library.table, search, table, queue=False, **page_only)
        following: dict[str, Any] = {
            "fn": feeds.on_follow,
            "inputs": feed_address,
            "outputs": [feed_results, feed_panel, feed_address],
            **page_only,
        }
        feed_address.submit(**following)
        follow.click(**following)
        feed_panel.unfollow_feed(feeds.on_unfollow, None, [feed_results, feed_panel], **page_only)
        feed_panel.show_article(chat.article_event, None, article, **page_only)
        # Opening the tab renders the panel again: its relative times stay true, and a background
        # pass's news shows.
        library_tab.select(feeds.panel, None, feed_panel, queue=False, **page_only)
        # A pass writes to the index: the write slot, then the library's views show what came in.
        read_feeds.click(
            feeds.on_read, None, [feed_results, feed_panel], **writing, **page_only
        ).then(library.refresh, [search, outlets], library_outputs, **page_only)
        app.load(
            library.refresh,
            [search, outlets],
            library_outputs,
            show_progress="hidden",
            **page_only,
        )
        app.load(feeds.panel, None, feed_panel, show_progress="hidden", **page_only)
        gr.api(
            AskEndpoint(answerer).ask,
            api_name="ask",
            api_description=API_DESCRIPTION,
            **answering,
        )
    return app


def main() -> int:
    """Start the app; returns the exit status."""
    try:
        settings = Settings.from_env()
        web = WebSettings.from_env()
        options = web.launch_options(settings.max_file_mb)
        answerer = open_answerer(settings, answering=QASettings.from_env())
    except NewsqaError as exc:
        print(f"newsqa: {exc}", file=sys.stderr)
        return 2
    print(
        f"Answering mode: {answerer.mode}; index at {answerer.index.location}; "
        f"up to {web.max_concurrent_questions} questions at once"
    )
    feeds = FeedsController(answerer.index)
    if web.follow_interval:
        print(f"Following the feeds in the background, a pass every {web.follow_interval:g} s")
        FeedFollower(feeds, web.follow_interval).start()
    build_app(answerer, web.max_concurrent_questions, feeds).queue().launch(**options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
