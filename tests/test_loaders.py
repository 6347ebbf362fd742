"""Loaders: each format to Article with the right metadata."""

from __future__ import annotations

import json
from datetime import date

from index.chunking import chunk_article
from index.loaders import iter_files, load_file
from tests.conftest import NEWS_CORPUS, SAMPLE_CORPUS, SHARED_EVAL, needs_benchmark
from tests.fixtures.badfiles import pdf_bytes
from tests.fixtures.news import COPIES, LONG


def test_seed_article_bare_date_and_derived_title():
    result = load_file(SAMPLE_CORPUS / "000_7e68630bb1f8edc4.txt")
    assert result.error is None
    (article,) = result.articles
    assert article.published == date(2023, 5, 1)
    assert not article.text.startswith("date")
    assert article.text.startswith("The phone calls came")
    assert article.title.startswith("The phone calls came as Yerevan and Baku")
    assert len(article.title) <= 81
    assert article.id.endswith("corpus/000_7e68630bb1f8edc4.txt")


def test_text_header_lines(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "title: Rates held\nsource: The Ledger\nurl: https://ledger.example/rates\n"
        "date: 7 October 2023\nauthor: A. Writer\n\n"
        "The central bank held rates at 5 percent on Tuesday, citing inflation.\n"
    )
    (article,) = load_file(path).articles
    assert (article.title, article.source, article.url, article.author) == (
        "Rates held",
        "The Ledger",
        "https://ledger.example/rates",
        "A. Writer",
    )
    assert article.published == date(2023, 10, 7)
    assert article.id == "https://ledger.example/rates"
    assert article.text.startswith("The central bank")


def test_markdown_heading_becomes_title(tmp_path):
    path = tmp_path / "b.md"
    path.write_text(
        "# Storm hits coast\n\nA storm hit the coast overnight, cutting power to thousands.\n"
    )
    (article,) = load_file(path).articles
    assert article.title == "Storm hits coast"
    assert "Storm hits coast" not in article.text


def test_html_metadata(tmp_path):
    path = tmp_path / "c.html"
    body = (
        "<p>" + "The mayor opened the new bridge on Monday after two years of work. " * 5 + "</p>"
    )
    path.write_text(
        "<html><head><title>Bridge opens | City Post</title>"
        "<meta property='og:title' content='Bridge opens'>"
        "<meta property='og:site_name' content='City Post'>"
        "<link rel='canonical' href='https://citypost.example/bridge'>"
        "<meta property='article:published_time' content='2023-11-02T09:00:00Z'>"
        f"</head><body><article><h1>Bridge opens</h1>{body}</article></body></html>"
    )
    (article,) = load_file(path).articles
    assert article.title == "Bridge opens"
    assert article.source == "City Post"
    assert article.url == "https://citypost.example/bridge"
    assert article.published == date(2023, 11, 2)
    assert "mayor opened the new bridge" in article.text


def test_json_list_and_jsonl(tmp_path):
    records = [
        {
            "title": "One",
            "body": "First article body with enough words to count.",
            "published_at": "2023-11-27 08:45:59.000000000Z",
            "source": "S1",
            "url": "https://s1.example/1",
            "author": "None",
        },
        {
            "title": "Two",
            "text": "Second article body with enough words to count.",
            "date": "Nov 3, 2023",
            "source": "S2",
        },
    ]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(records))
    first, second = load_file(path).articles
    assert first.published == date(2023, 11, 27) and first.author == ""
    assert second.published == date(2023, 11, 3)
    assert second.id.endswith("list.json#1")
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    assert [a.title for a in load_file(jsonl).articles] == ["One", "Two"]


def test_the_test_news_corpus_loads_with_its_metadata():
    result = load_file(NEWS_CORPUS)
    assert result.error is None and result.problems == []
    articles = result.articles
    assert len(articles) == 36
    assert len({a.id for a in articles}) == 36
    assert all(a.id == a.url and a.url.startswith("https://") for a in articles)
    assert all(a.published and a.source and a.author and a.title for a in articles)
    assert len({a.source for a in articles}) == 8
    assert min(a.published for a in articles) == date(2023, 9, 4)
    assert max(a.published for a in articles) == date(2024, 3, 18)
    assert len(chunk_article(articles[LONG])) >= 15
    # Each near-duplicate shares most of its text with the story it copies, under another url.
    for copy, original in COPIES.items():
        a, b = articles[copy], articles[original]
        assert a.url != b.url
        shared = set(a.text.split(". ")) & set(b.text.split(". "))
        assert len(shared) > len(b.text.split(". ")) / 2, (a.title, b.title)


@needs_benchmark
def test_multihop_corpus_loads_609_articles():
    result = load_file(SHARED_EVAL / "corpus.json")
    assert result.error is None
    assert len(result.articles) == 609
    assert len({a.id for a in result.articles}) == 609
    assert all(a.published for a in result.articles)


def test_pdf_text_per_page(tmp_path):
    path = tmp_path / "d.pdf"
    path.write_bytes(
        pdf_bytes(
            [
                "Ceasefire talks resumed in Doha on Friday morning.",
                "Negotiators expect a deal within a week.",
            ]
        )
    )
    (article,) = load_file(path).articles
    assert "Ceasefire talks resumed" in article.text
    assert "Negotiators expect" in article.text
    assert article.text.index("Ceasefire") < article.text.index("Negotiators")


def test_bad_files_get_one_line_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (tmp_path / "latin.txt").write_bytes("caf\xe9 au lait est bon".encode("latin-1") * 3)
    (tmp_path / "broken.json").write_text("{not json")
    reasons = {p.name: load_file(p).error for p, _ in iter_files([tmp_path])}
    assert reasons["empty.txt"] == "file is empty"
    assert reasons["bin.txt"] == "binary content, not text"
    assert reasons["latin.txt"].startswith("not valid UTF-8")
    assert reasons["broken.json"].startswith("malformed JSON")
