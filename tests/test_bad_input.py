"""Bad input never stops good input: one clear line per bad file, the good files all go in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from index import Settings, open_index
from index.loaders import display_path
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder
from tests.fixtures.badfiles import (
    MAX_ARTICLE_CHARS,
    MAX_FILE_MB,
    RECORD_ARTICLES,
    make_bad_files,
    make_good_files,
    path_of,
    unlock,
)

IS_ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")


def _lines_for(lines: list[str], folder: Path, name: str | bytes) -> list[str]:
    """The output lines about one file (its display path followed by ': ')."""
    shown = display_path(path_of(folder, name)) + ": "
    return [line for line in lines if line.split(" ", 1)[-1].startswith(shown)]


def test_every_bad_file_gives_one_line_and_every_good_file_goes_in(tmp_path):
    folder = tmp_path / "inbox"
    good = make_good_files(folder)
    bad = make_bad_files(folder, unreadable=not IS_ROOT)
    assert len({b.reason for b in bad}) >= 15
    settings = Settings(
        data_dir=tmp_path / "data", max_file_mb=MAX_FILE_MB, max_article_chars=MAX_ARTICLE_CHARS
    )
    index = open_index(settings, embedder=FakeEmbedder())

    try:
        report = index.add([folder])
    finally:
        unlock(folder)

    lines = [f"error: {e}" for e in report.errors] + [f"warning: {w}" for w in report.warnings]
    for item in bad:
        mine = _lines_for(lines, folder, item.name)
        assert len(mine) == 1, (item, mine)
        assert mine[0].startswith("warning: " if item.record else "error: "), mine
        assert item.reason in mine[0], (item, mine)
        assert "\n" not in mine[0]
    assert len(lines) == len(bad)
    assert report.failed == sum(not b.record for b in bad)
    assert report.skipped == sum(b.record for b in bad)
    expected = sum(g.articles for g in good) + len(RECORD_ARTICLES)
    assert report.added == expected == index.store.count_articles()
    texts = [index.store.get_article(a.id)[1] for a in index.articles()]
    for phrase in [g.phrase for g in good] + list(RECORD_ARTICLES.values()):
        assert any(phrase in text for text in texts), phrase
    assert not report.ok and not report.clean
    assert (
        f"{expected} added, 0 updated, 0 unchanged, {report.failed} failed, "
        f"{report.skipped} records skipped" in report.summary()
    )


def test_a_run_of_only_good_files_is_clean(tmp_path):
    folder = tmp_path / "inbox"
    make_good_files(folder)
    index = open_index(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    report = index.add([folder])
    assert report.clean and report.errors == [] and report.warnings == [] and report.notes == []


def _run_cli(args: list[str], env: dict[str, str], as_nobody: bool) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "index", *args]
    if as_nobody:
        command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_command_line_reports_bad_files_exit_status_and_summary(real_embedder):
    # The unreadable file needs an unprivileged user: as root, the command runs as nobody.
    as_nobody = IS_ROOT
    if as_nobody and SETPRIV is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    work = Path(tempfile.mkdtemp(prefix="newsqa-bad-"))
    try:
        work.chmod(0o755)
        folder = work / "inbox"
        good = make_good_files(folder)
        bad = make_bad_files(folder, unreadable=True)
        docx = work / "notes.docx"
        docx.write_bytes(b"PK\x03\x04 not a news file")
        data = work / "data"
        data.mkdir()
        for path in (work, folder, data):
            path.chmod(0o777)
        env = {
            **os.environ,
            "NEWSQA_DATA_DIR": str(data),
            "HOME": str(work),
            "ANONYMIZED_TELEMETRY": "False",
            "NEWSQA_MAX_FILE_MB": str(MAX_FILE_MB),
            "NEWSQA_MAX_ARTICLE_CHARS": str(MAX_ARTICLE_CHARS),
        }

        result = _run_cli(["add", "-q", str(folder), str(docx)], env, as_nobody)

        assert result.returncode == 1, result.stderr
        lines = result.stderr.splitlines()
        for item in bad:
            mine = _lines_for(lines, folder, item.name)
            assert len(mine) == 1 and item.reason in mine[0], (item, mine, result.stderr)
        (docx_line,) = [line for line in lines if str(docx) in line]
        assert docx_line == f"error: {docx}: unsupported file type '.docx'"
        assert len(lines) == len(bad) + 1, result.stderr
        expected = sum(g.articles for g in good) + len(RECORD_ARTICLES)
        failed = sum(not b.record for b in bad) + 1
        skipped = sum(b.record for b in bad)
        summary = result.stdout.strip().splitlines()[-1]
        assert summary.startswith(
            f"{expected} added, 0 updated, 0 unchanged, {failed} failed, {skipped} records skipped"
        )

        index = open_index(Settings(data_dir=data), embedder=real_embedder)
        assert index.store.count_articles() == expected
        hits = index.store.dense_query(real_embedder.embed(["night bus in Tarrow"])[0], 1)
        assert "night bus" in hits[0].chunk.text  # the UTF-16 file went in, decoded

        again = _run_cli(["add", "-q", str(folder / "plain.txt")], env, as_nobody)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip().startswith("0 added, 0 updated, 1 unchanged, 0 failed")
    finally:
        unlock(work / "inbox")
        shutil.rmtree(work, ignore_errors=True)
