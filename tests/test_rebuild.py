"""``python -m index rebuild``: an index built again with other settings keeps what it held.

Files are read again; articles that came from no file (added from code, or by a feed) are
carried over from the store with their text and metadata; an article whose file is gone is
dropped and reported. A real Chroma on disk and the packaged embedder.
"""

from __future__ import annotations

import json
from datetime import date

from index import Article, open_index
from index.rebuild import rebuild

FEED_TEXT = (
    "The harbour authority in Brannock opened a second ferry berth on Monday, doubling the "
    "number of crossings to the island.\n\nThe new berth cost 14 million euros, the authority said."
)


def _write(path, title: str, body: str) -> None:
    record = {
        "title": title,
        "body": body,
        "source": "Coast Courier",
        "published_at": "2024-03-04T09:00:00+00:00",
        "url": f"https://coast.example/{path.stem}",
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")


def test_rebuild_reads_files_again_and_carries_articles_that_came_from_no_file(tmp_path, settings):
    files = tmp_path / "articles"
    files.mkdir()
    _write(files / "tram.jsonl", "Tram line reaches the airport", "The tram line opened. " * 40)
    _write(files / "library.jsonl", "Library reopens", "The library reopened on Friday. " * 30)
    index = open_index(settings)
    assert index.add([files]).ok
    fed = Article(
        id="https://island.example/berth",
        title="Second ferry berth opens in Brannock",
        text=FEED_TEXT,
        source="Island Post",
        published=date(2024, 3, 5),
        url="https://island.example/berth",
        author="Mara Olsen",
    )
    assert index.add_articles([fed]).ok
    (files / "library.jsonl").unlink()  # its file is gone: it cannot be read again
    del index

    report = rebuild(settings.with_(chunk_tokens=128))

    assert report.added == 2 and report.failed == 1
    assert report.errors == ["https://coast.example/library: source file gone, article dropped"]
    rebuilt = open_index(settings.with_(chunk_tokens=128))
    ids = {a.id for a in rebuilt.articles()}
    assert ids == {"https://coast.example/tram", "https://island.example/berth"}
    info, text = rebuilt.get_article("https://island.example/berth")
    assert text == FEED_TEXT
    assert (info.title, info.source, info.published, info.url, info.author, info.path) == (
        fed.title,
        fed.source,
        fed.published,
        fed.url,
        fed.author,
        "",
    )
    # Searchable again: its chunks and the BM25 side were rebuilt with it.
    hits = rebuilt.store.chunks_of(["https://island.example/berth"])
    assert hits and all(FEED_TEXT[c.start : c.end] == c.text for c in hits)
