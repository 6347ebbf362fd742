"""Shared fixtures: every test gets its own data folder, no API keys and no network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "corpus"
#: The test news corpus, invented for these tests and shipped with them (see tests/data/README.md
#: and tests/fixtures/news.py).
NEWS_CORPUS = ROOT / "tests" / "data" / "news.jsonl"
#: The benchmark data. It lies beside a checkout of the project (as in CI), never inside one, so
#: a clone lacks it: only tests of the benchmark harness on the real benchmark read it.
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "multihop-rag"

needs_benchmark = pytest.mark.skipif(
    not all((SHARED_EVAL / name).is_file() for name in ("corpus.json", "queries-dev.json")),
    reason="needs ../shared/eval/multihop-rag (the benchmark data), absent on this clone",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point data dirs at tmp_path and remove LLM credentials."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "NEWSQA_LLM_MODEL",
        "NEWSQA_CHROMA_URL",
        "NEWSQA_LLM_BASE_URL",
        "NEWSQA_LLM_API_KEY",
        "NEWSQA_AUTH",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    yield


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
    ):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection beyond loopback fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield


@pytest.fixture
def settings(tmp_path):
    from index import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def fake_embedder():
    from tests.fakes import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged MiniLM model, loaded once per session."""
    from index.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, real_embedder):
    """The bundled sample corpus indexed with the real model into a real on-disk Chroma."""
    from index import Settings, open_index

    settings = Settings(data_dir=tmp_path_factory.mktemp("sample") / "data")
    index = open_index(settings, embedder=real_embedder)
    report = index.add([SAMPLE_CORPUS])
    assert report.ok, report.errors
    return index
