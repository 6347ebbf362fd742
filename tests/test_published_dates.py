"""Publication dates are kept the same way by every format, and implausible ones are reported.

The same date written into a text file, a JSON record, a web page's meta tag and a PDF's
document information must give the same ``published``; a date in the future or before 1800 is
kept as given and gets one note (a ``warning:`` line from ``index add``), never dropped in silence.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from index import Settings, open_index
from index.__main__ import _print_report
from index.dates import date_warning, parse_date, read_date
from index.loaders import load_file
from tests.fakes import FakeEmbedder
from tests.fixtures.badfiles import pdf_bytes

BODY = (
    "The council of Port Ellis approved the harbour bridge on Tuesday after a long debate. "
    "Work starts next month and should end before the winter storms."
)
FUTURE = date.today() + timedelta(days=400)


def _write_all(folder: Path, day: str) -> dict[str, Path]:
    """One article dated ``day`` (YYYY-MM-DD) in every format, each in its own form of date."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "txt": folder / "story.txt",
        "bare": folder / "seed.txt",
        "json": folder / "feed.json",
        "jsonl": folder / "feed.jsonl",
        "html": folder / "page.html",
        "pdf": folder / "report.pdf",
    }
    files["txt"].write_text(f"title: Bridge\ndate: {day}\n\n{BODY}\n")
    files["bare"].write_text(f"date {day} {BODY}\n")
    files["json"].write_text(json.dumps({"title": "Bridge", "body": BODY, "published_at": day}))
    files["jsonl"].write_text(
        json.dumps({"title": "Bridge", "body": BODY, "date": day, "url": "https://x.example/1"})
        + "\n"
        + json.dumps({"title": "Other", "body": BODY, "url": "https://x.example/2"})
        + "\n"
    )
    files["html"].write_text(
        "<html><head><title>Bridge</title>"
        f"<meta property='article:published_time' content='{day}T09:00:00Z'></head>"
        f"<body><article><h1>Bridge</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )
    files["pdf"].write_bytes(
        pdf_bytes([BODY[:60], BODY[60:]], metadata={"/CreationDate": "D:" + day.replace("-", "")})
    )
    return files


@pytest.mark.parametrize(
    ("day", "says"),
    [(FUTURE, "is in the future (kept as given)"), (date(1750, 3, 1), "is before 1800")],
)
def test_an_implausible_date_is_kept_and_noted_in_every_format(tmp_path, day, says):
    for kind, path in _write_all(tmp_path, day.isoformat()).items():
        result = load_file(path)
        assert result.error is None, (kind, result.error)
        assert result.articles[0].published == day, kind
        assert result.problems == [], kind
        (note,) = result.notes
        assert f"date {day.isoformat()} {says}" in note, (kind, note)
        if kind == "jsonl":
            assert note.startswith("line 1: "), note  # which record, as for skipped ones


def test_a_normal_date_is_kept_without_a_note_in_every_format(tmp_path):
    for kind, path in _write_all(tmp_path, "2023-11-02").items():
        result = load_file(path)
        assert result.error is None, (kind, result.error)
        assert result.articles[0].published == date(2023, 11, 2), kind
        assert result.notes == [], (kind, result.notes)


def test_html_before_1995_keeps_its_date(tmp_path):
    # htmldate's default window starts in 1995: a page from 1969 used to come back undated.
    (path,) = [p for k, p in _write_all(tmp_path, "1969-07-21").items() if k == "html"]
    result = load_file(path)
    assert result.articles[0].published == date(1969, 7, 21) and result.notes == []


def test_html_without_a_date_in_its_markup_does_not_take_a_year_its_story_mentions(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(
        "<html><head><title>Plan</title></head><body><article><h1>Plan</h1>"
        f"<p>The harbour plan runs until {FUTURE.isoformat()}, the council said.</p>"
        f"<p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )
    result = load_file(path)
    assert result.error is None
    assert result.articles[0].published != FUTURE


def test_an_impossible_date_still_refuses_the_article(tmp_path):
    path = tmp_path / "leap.txt"
    path.write_text(f"date: 2023-02-30\n\n{BODY}\n")
    assert load_file(path).error == "impossible or unreadable date '2023-02-30'"


def test_date_warning_allows_a_day_of_clock_and_time_zone_slack():
    today = date(2024, 3, 10)
    assert date_warning(None, today) is None
    assert date_warning(date(2024, 3, 11), today) is None
    assert date_warning(date(1800, 1, 1), today) is None
    assert "in the future" in date_warning(date(2024, 3, 12), today)
    assert "before 1800" in date_warning(date(1799, 12, 31), today)


def test_dates_typed_into_a_filter_stay_within_1800_to_2200():
    assert parse_date("1750-01-01") is None and parse_date("2300-01-01") is None
    assert parse_date("2023-02-30") is None and parse_date("not a date") is None
    assert parse_date("Nov 3, 2023") == date(2023, 11, 3)
    assert read_date("1750-01-01") == date(1750, 1, 1) and read_date("  ") is None
    with pytest.raises(ValueError):
        read_date("2023-02-30")


def test_index_add_reports_the_note_as_a_warning_and_indexes_the_dated_article(tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    path = folder / "future.txt"
    path.write_text(f"title: Bridge\ndate: {FUTURE.isoformat()}\n\n{BODY}\n")
    index = open_index(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())

    report = index.add([folder])

    assert report.added == 1 and report.clean and report.warnings == []
    assert report.notes == [f"{path}: date {FUTURE.isoformat()} is in the future (kept as given)"]
    assert index.articles()[0].published == FUTURE
    _print_report(report)
    err = capsys.readouterr().err.splitlines()
    assert err == [f"warning: {report.notes[0]}"]
