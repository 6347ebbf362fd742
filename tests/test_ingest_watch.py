"""``--watch``: new, changed and removed files are picked up while the command keeps running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from index import open_index
from index.watch import scan, watch
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder

STORY = (
    "The city council voted on Wednesday to extend the tram network to the airport. "
    "Construction is expected to take three years and cost 400 million euros. "
)


def _wait_for(condition, timeout: float = 60.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_watch_indexes_new_changed_and_removed_files(settings, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "old.txt").write_text("title: Already here\n\n" + STORY)
    index = open_index(settings, embedder=FakeEmbedder())
    known = scan([folder])
    index.add([folder])
    events = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(index, [folder], 0.1),
        kwargs={"prune": True, "on_event": events.append, "stop": stop, "indexed": known},
    )
    thread.start()
    try:
        (folder / "new.txt").write_text("title: Tram to the airport\n\n" + STORY)
        assert _wait_for(lambda: any(e.report.added == 1 for e in events))
        assert index.store.count_articles() == 2

        (folder / "new.txt").write_text(
            "title: Tram to the airport\n\n" + STORY + "The vote was 31 to 12. "
        )
        assert _wait_for(lambda: any(e.report.updated == 1 for e in events))

        (folder / "old.txt").unlink()
        assert _wait_for(lambda: any(e.report.removed == 1 for e in events))
        assert index.store.count_articles() == 1
        assert [a.title for a in index.articles()] == ["Tram to the airport"]
        assert "31 to 12" in index.store.get_article(index.articles()[0].id)[1]
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_watch_waits_until_a_file_stops_growing(settings, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    index = open_index(settings, embedder=FakeEmbedder())
    events = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(index, [folder], 0.5),
        kwargs={"on_event": events.append, "stop": stop, "indexed": {}},
    )
    thread.start()
    try:
        path = folder / "growing.txt"
        with path.open("w") as f:
            for n in range(20):  # still being written across several scans
                f.write(f"Paragraph {n}. " + STORY + "\n")
                f.flush()
                time.sleep(0.1)
        assert _wait_for(lambda: index.store.count_articles() == 1)
        time.sleep(1.2)
        article = index.articles()[0]
        assert "Paragraph 19." in index.store.get_article(article.id)[1]
        # Indexed once, complete: never half-written first.
        assert sum(e.report.added + e.report.updated for e in events) == 1
    finally:
        stop.set()
        thread.join(10)


def test_cli_watch_picks_up_a_new_file_and_stops_on_ctrl_c(tmp_path, real_embedder):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "first.txt").write_text("title: First\n\n" + STORY)
    data = tmp_path / "data"
    env = {**os.environ, "NEWSQA_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "index", "add", str(folder), "--watch", "--interval", "0.3", "-q"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As a background job (`&`, nohup) would: SIGINT ignored; --watch must still stop on it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True
    )
    reader.start()
    try:
        from index import Settings

        # "watching" is printed once the first add has finished.
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines), timeout=120)
        index = open_index(Settings(data_dir=data), embedder=real_embedder)
        assert index.store.count_articles() == 1
        seen = index.store.generation()
        (folder / "second.txt").write_text(
            "title: Second\n\nThe harbour reopened on Friday after repairs. " * 3
        )
        # The reader in this process sees the other process's finished write, vectors included.
        assert _wait_for(lambda: index.store.generation() != seen, timeout=120)
        assert index.store.count_articles() == 2
        hits = index.store.dense_query(
            real_embedder.embed(["harbour reopened after repairs"])[0], 1
        )
        assert hits and hits[0].chunk.title == "Second"
        assert index.lexical.search("harbour reopened", 1)[0].chunk_id == hits[0].chunk.id
        assert index.lexical.origin == "loaded"  # the writer saved it; this reader did not rebuild
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            # wait(), not communicate(): the reader thread owns stdout.
            # Generous for a loaded CI box.
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(
                f"--watch did not stop within 120 s of Ctrl-C; stderr: {proc.stderr.read()[-2000:]}"
            )
        err = proc.stderr.read()
        reader.join(5)
    assert proc.returncode == 0, err
    out = "".join(lines)
    assert "1 added" in out.splitlines()[0]
    assert any("1 added" in line for line in out.splitlines()[2:])
