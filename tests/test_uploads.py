"""Uploads: checked, kept under the data folder and indexed, one result per file, the same for the
app's upload box and ``python -m index upload``."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

import index.library
from index import Settings, UploadResult, open_index
from index.__main__ import main
from index.uploads import keep_upload
from tests.fakes import FakeEmbedder
from tests.fixtures.uploads import STORY, article_file, upload_batch


@pytest.fixture
def news_index(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", max_file_mb=0.01)
    return open_index(settings, embedder=FakeEmbedder())


def test_each_file_gets_its_own_result_naming_the_upload(news_index, tmp_path):
    incoming = tmp_path / "incoming"
    good, broken, exe, big = upload_batch(incoming)
    seen: list[tuple[float, str]] = []

    report = news_index.add_uploads(
        [good, broken, exe, big, incoming], lambda f, step: seen.append((f, step))
    )

    ferry, bad_json, tool, too_big, folder = report.files
    assert (ferry.name, ferry.ok, ferry.added) == ("ferry.txt", True, 1)
    assert ferry.summary() == "1 article added, 1 chunk embedded"
    assert ferry.path == tmp_path / "data" / "uploads" / ferry.path.parent.name / "ferry.txt"
    assert news_index.articles()[0].path == str(ferry.path)
    assert bad_json.error.startswith("malformed JSON") and str(incoming) not in bad_json.error
    assert str(bad_json.path) not in bad_json.error  # the kept copy's path stays out of it
    assert tool.path is None and tool.error.startswith("unsupported file type '.exe'; accepted:")
    assert "html" in tool.error and "pdf" in tool.error
    assert too_big.path is None
    assert too_big.error == "file is 0.0 MB, over the 0.01 MB limit (NEWSQA_MAX_FILE_MB)"
    assert folder.error.startswith("is a folder")
    assert not report.ok and not report.clean
    # Refused files are never kept.
    kept = sorted(p.name for p in (tmp_path / "data" / "uploads").glob("*/*"))
    assert kept == ["broken.json", "ferry.txt"]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and seen[-1] == (1.0, "done")
    # The two kept files are read and embedded together, as one batch.
    assert ("embedding 1/1 chunks of 2 files") in [step for _, step in seen]

    (again,) = news_index.add_uploads([good]).files
    assert again.ok and again.unchanged == 1 and again.path == ferry.path
    assert again.summary() == "1 article already indexed, unchanged"


def test_files_uploaded_together_are_one_write_session_with_a_result_each(news_index, tmp_path):
    incoming = tmp_path / "incoming"
    first = article_file(incoming, "first.txt", day="2024-02-10")
    second = article_file(incoming, "second.txt", day="2024-02-11")
    broken = incoming / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    third = article_file(incoming, "third.txt", day="2024-02-12")
    generations: list[int] = []
    news_index.store.add_commit_hook(generations.append)
    writes: list[int] = []
    put_articles = news_index.store.put_articles

    def counted_put(items, groups=None):
        writes.append(len(items))
        return put_articles(items, groups)

    news_index.store.put_articles = counted_put
    before = news_index.store.generation()

    report = news_index.add_uploads([first, second, broken, third])

    assert [(r.name, r.ok, r.added) for r in report.files] == [
        ("first.txt", True, 1),
        ("second.txt", True, 1),
        ("broken.json", False, 0),
        ("third.txt", True, 1),
    ]
    assert [r.chunks_embedded for r in report.files] == [1, 1, 0, 1]
    # One session: one commit of the three articles, one new generation, one lexical update.
    assert writes == [3]
    assert len(generations) == 1 and news_index.store.generation() == generations[0] != before
    assert len(news_index.articles()) == 3
    # Uploading them again changes nothing: no commit, no new generation.
    again = news_index.add_uploads([first, second, third])
    assert [r.unchanged for r in again.files] == [1, 1, 1]
    assert writes == [3] and len(generations) == 1


def test_an_article_in_two_files_of_one_upload_goes_in_once_and_the_second_says_so(
    news_index, tmp_path
):
    incoming = tmp_path / "incoming"
    record = {"title": "Kelsport ferry", "url": "https://example.com/ferry", "body": STORY}
    one, two = incoming / "one.json", incoming / "two.json"
    incoming.mkdir()
    one.write_text(json.dumps(record), encoding="utf-8")
    two.write_text(json.dumps({**record, "body": STORY + " It opens daily."}), encoding="utf-8")

    first, second = news_index.add_uploads([one, two]).files

    assert first.ok and first.added == 1
    assert (
        second.ok
        and second.added == 0
        and second.skipped
        == ("article 'https://example.com/ferry' already read from one.json (skipped)",)
    )
    assert [a.id for a in news_index.articles()] == ["https://example.com/ferry"]


def test_an_implausible_date_is_a_warning_on_the_upload_line(news_index, tmp_path):
    future = (date.today() + timedelta(days=400)).isoformat()
    (result,) = news_index.add_uploads([article_file(tmp_path / "in", day=future)]).files
    assert result.ok and result.notes == (f"date {future} is in the future (kept as given)",)
    assert result.summary().endswith(f"warning: date {future} is in the future (kept as given)")


def test_folder_and_limit_default_to_the_settings(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", max_file_mb=1)
    news_index = open_index(settings, embedder=FakeEmbedder())
    big = article_file(tmp_path / "in", "big.txt", body="word " * 5000)  # 25 kB: under 1 MB
    (result,) = news_index.add_uploads([big]).files
    assert result.ok and result.path.is_relative_to(tmp_path / "data" / "uploads")
    (refused,) = news_index.add_uploads([big], max_file_mb=0.01).files
    assert "over the 0.01 MB limit" in refused.error


def test_summary_counts_read_in_the_singular_and_plural():
    one = UploadResult("a.json", None, added=1, updated=2, chunks_embedded=1)
    assert one.summary() == "1 article added, 2 articles updated, 1 chunk embedded"
    skipped = UploadResult("a.jsonl", None, added=2, skipped=("line 3: malformed JSON",))
    assert skipped.summary() == "2 articles added, skipped: line 3: malformed JSON"
    assert UploadResult("a.txt", None).summary() == "nothing to index"


def test_keep_upload_never_overwrites_a_different_file_of_the_same_name(tmp_path):
    a = tmp_path / "a" / "same.txt"
    b = tmp_path / "b" / "same.txt"
    for path, text in ((a, "one"), (b, "two")):
        path.parent.mkdir()
        path.write_text(text)
    kept_a, kept_b = keep_upload(a, tmp_path / "up"), keep_upload(b, tmp_path / "up")
    assert kept_a != kept_b and kept_a.read_text() == "one" and kept_b.read_text() == "two"
    assert keep_upload(a, tmp_path / "up") == kept_a


def test_command_line_upload_prints_one_line_per_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    opened = index.library.open_index
    monkeypatch.setattr(
        index.library, "open_index", lambda settings: opened(settings, embedder=FakeEmbedder())
    )
    good = article_file(tmp_path / "in")
    exe = tmp_path / "in" / "tool.exe"
    exe.write_bytes(b"MZ")

    status = main(["upload", str(good), str(exe)])

    out, err = capsys.readouterr()
    assert status == 1
    assert out.startswith("ferry.txt: 1 article added, ")
    assert err.startswith("error: tool.exe: unsupported file type '.exe'")
    assert list((tmp_path / "data" / "uploads").glob("*/ferry.txt"))
    assert main(["upload", str(good)]) == 0
    assert capsys.readouterr().out == "ferry.txt: 1 article already indexed, unchanged\n"
