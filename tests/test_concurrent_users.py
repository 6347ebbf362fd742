"""Many users at once, through the real app: ``app.build_app`` served by Gradio on loopback, its
queue, and HTTP as the page and the API clients speak it (:mod:`bench.page_client`,
``gradio_client``).

- Questions are answered while an upload is embedding: the embedder holds the upload's chunks
  until the test has seen the answers, so "while" is certain, not a matter of timing.
- With a slow LLM (a loopback Chat Completions server streaming its reply over three seconds),
  a second user's answer starts streaming before the first user's ends.
- ``NEWSQA_MAX_CONCURRENT_QUESTIONS`` is honoured: as many questions run at once as it says,
  never more.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import app
import qa.answer.nlp as nlp
from bench.page_client import PageSession
from index import ConfigError, Settings, open_index
from qa import Answerer, QASettings
from tests.chat_server import ChatServer, ChatServerState
from tests.conftest import SAMPLE_CORPUS
from tests.fixtures.uploads import article_file
from ui.settings import WebSettings

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
ANSWER_TEXT = re.compile(r'<div class="answer-text">\s*(?:<[^>]+>\s*)*[^<\s]')
WAIT_S = 60


class GatedEmbedder:
    """The real embedder, except that texts naming ``word`` (the chunks of the test's upload)
    wait for :attr:`release` first; :attr:`embedding` is set when they arrive."""

    def __init__(self, inner, word: str) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.word = word
        self.embedding = threading.Event()
        self.release = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if any(self.word in text for text in texts):
            self.embedding.set()
            self.release.wait(WAIT_S)
        return self.inner.embed(texts)


class CountingRetriever:
    """The answerer's retriever, counting how many questions are inside it at once; each stays
    ``hold_s`` so that questions sent together overlap."""

    def __init__(self, inner, hold_s: float) -> None:
        self.inner = inner
        self.hold_s = hold_s
        self.inside = 0
        self.most = 0
        self._lock = threading.Lock()

    def retrieve(self, *args, **kwargs):
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(self.hold_s)
            return self.inner.retrieve(*args, **kwargs)
        finally:
            with self._lock:
                self.inside -= 1

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def gated(real_embedder) -> GatedEmbedder:
    return GatedEmbedder(real_embedder, "Kelsport")


@pytest.fixture(scope="module")
def news_index(tmp_path_factory, gated):
    """The sample corpus, indexed with the (gated) real embedder into a real Chroma on disk."""
    index = open_index(Settings(data_dir=tmp_path_factory.mktemp("users") / "data"), gated)
    assert index.add([SAMPLE_CORPUS]).ok
    return index


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(answerer: Answerer, questions_at_once: int) -> Iterator[str]:
    """The app over ``answerer``, as ``python app.py`` launches it, on a free loopback port."""
    web = WebSettings(server_port=_free_port(), max_concurrent_questions=questions_at_once)
    blocks = app.build_app(answerer, web.max_concurrent_questions)
    blocks.queue().launch(
        prevent_thread_lock=True,
        quiet=True,
        **web.launch_options(answerer.index.settings.max_file_mb),
    )
    try:
        yield f"http://127.0.0.1:{web.server_port}/"
    finally:
        blocks.close()


def ask_page(url: str, question: str):
    """One user asking in the Ask tab (inputs: question, transcript, since, until, outlets,
    as of)."""
    with PageSession(url, timeout=WAIT_S) as tab:
        return tab.run("question", "submit", [question, None, None, None, [], None])


def answer_started(outputs) -> bool:
    """Whether the conversation shows answer text (not only the pending note)."""
    return bool(ANSWER_TEXT.search(outputs[0]))


def test_questions_are_answered_while_an_upload_is_embedding(news_index, gated, tmp_path):
    from gradio_client import Client

    files = [
        article_file(tmp_path / "in", "ferry.txt"),
        article_file(tmp_path / "in", "ferry-2.txt", day="2024-02-11"),
    ]
    with serving(Answerer(news_index), 4) as url, ThreadPoolExecutor(8) as pool:
        with PageSession(url, timeout=WAIT_S) as librarian:
            sent = librarian.upload(files)
            uploading = pool.submit(librarian.run, "upload", "upload", [sent, "", []])
            assert gated.embedding.wait(WAIT_S), "the upload never reached the embedder"
            api = Client(url, verbose=False)
            asked = [pool.submit(api.predict, question=LACHIN, api_name="/ask") for _ in range(2)]
            asked += [pool.submit(ask_page, url, LACHIN) for _ in range(2)]
            try:
                done = [future.result(timeout=WAIT_S) for future in asked]
                # Every answer came while the upload was held inside the embedder.
                assert not uploading.done()
            finally:
                gated.release.set()
            upload = uploading.result(timeout=WAIT_S)

        for answer in done[:2]:
            assert answer["error"] is None and "Lachin Corridor" in answer["text"]
            assert answer["citations"] and "Lachin" in answer["citations"][0]["text"]
        for page in done[2:]:
            assert page.error is None and "Lachin Corridor" in page.updates[-1].outputs[0]
        assert upload.error is None
        results = upload.updates[-1].outputs[0]
        assert "ferry.txt" in results and "ferry-2.txt" in results and "1 article added" in results
        after = api.predict(
            question="What did Kelsport open on a converted ferry?", api_name="/ask"
        )
        assert "floating library" in after["text"]
        assert after["citations"][0]["title"] == "Kelsport opens a floating library"


def test_a_second_users_llm_answer_streams_before_the_first_users_ends(news_index):
    # About three seconds per answer: 12 pieces, a quarter of a second apart.
    reply = "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor [1]."
    state = ChatServerState(reply=lambda messages: reply, piece_chars=7, piece_delay_s=0.25)
    with ChatServer(state) as server:
        llm = QASettings(
            openai_base_url=server.base_url, openai_api_key="test", llm_model="scripted"
        )
        answerer = Answerer.from_settings(news_index, llm)
        with serving(answerer, 2) as url, ThreadPoolExecutor(2) as pool:
            first = pool.submit(ask_page, url, LACHIN)
            time.sleep(0.5)
            second = pool.submit(
                ask_page, url, "Which road connects Nagorno-Karabakh with Armenia?"
            )
            one, two = first.result(timeout=WAIT_S), second.result(timeout=WAIT_S)

    assert one.error is None and two.error is None
    assert "Lachin Corridor" in one.updates[-1].outputs[0]
    one_started, two_started = one.first(answer_started), two.first(answer_started)
    assert one_started is not None and two_started is not None
    assert one_started < one.ended - 1.0  # the first answer streamed for a while
    assert two_started < one.ended, "the second user waited for the first user's answer"
    assert len(state.requests) == 2


def test_as_many_questions_run_at_once_as_the_limit_and_no_more(news_index):
    answerer = Answerer(news_index)
    counting = CountingRetriever(answerer.retriever, hold_s=0.6)
    answerer.retriever = counting
    with serving(answerer, 2) as url, ThreadPoolExecutor(5) as pool:
        runs = list(pool.map(lambda _: ask_page(url, LACHIN), range(5)))
    assert all(run.error is None for run in runs)
    assert counting.most == 2


def test_the_question_limit_is_read_and_checked():
    assert WebSettings.from_env({}).max_concurrent_questions == 4
    web = WebSettings.from_env({"NEWSQA_MAX_CONCURRENT_QUESTIONS": "12"})
    assert web.max_concurrent_questions == 12 and "max_threads" not in web.launch_options(50)
    # Beyond Gradio's 40 callback threads, the pool grows: every question needs a thread.
    many = WebSettings.from_env({"NEWSQA_MAX_CONCURRENT_QUESTIONS": "64"})
    assert many.launch_options(50)["max_threads"] >= 64 + 1
    for bad in ("0", "65", "many"):
        with pytest.raises(ConfigError, match="NEWSQA_MAX_CONCURRENT_QUESTIONS"):
            WebSettings.from_env({"NEWSQA_MAX_CONCURRENT_QUESTIONS": bad})


def test_a_cache_clear_between_two_threads_never_loses_an_annotation(monkeypatch):
    """``annotate`` reads each cached text once: a clear by another thread between "is it
    there?" and "give it to me" (simulated here) cannot make it fail."""

    class ClearedAfterAsking(dict):
        def __contains__(self, key) -> bool:
            found = super().__contains__(key)
            self.clear()  # another thread's clear(), right after this one looked
            return found

    cached = nlp.Annotation((), ())
    monkeypatch.setattr(nlp, "_cache", ClearedAfterAsking({"known": cached}))
    monkeypatch.setattr(nlp, "_annotate_many", lambda texts: [nlp.Annotation((), ())] * len(texts))
    known, new = nlp.annotate(["known", "new"])
    assert known is cached and new == nlp.Annotation((), ())
