"""The packaged embedding model: offline, checksummed, normalised, meaningful."""

import numpy as np
import pytest

from index.embedding import MINILM_SHA256, minilm_files


def test_model_file_checksum_is_verified():
    model, tokenizer = minilm_files()
    assert model.name == "model.onnx" and tokenizer.name == "tokenizer.json"


def test_checksum_mismatch_is_refused(tmp_path, monkeypatch):
    from index import embedding
    from index.errors import ModelError

    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    embedding._verified.cache_clear()
    with pytest.raises(ModelError, match="sha256"):
        embedding._verified(fake)
    assert MINILM_SHA256.startswith("8199be6f")


def test_vectors_are_unit_length_and_rank_related_texts_together(real_embedder):
    vectors = real_embedder.embed(
        [
            "Azerbaijan set up a checkpoint on the Lachin corridor.",
            "Baku installed a border post on the road to Nagorno-Karabakh.",
            "The striker scored twice in the second half.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_batch_order_does_not_change_vectors(real_embedder):
    texts = [
        "short",
        "a much longer sentence about elections and parliaments",
        "medium length text",
    ]
    together = real_embedder.embed(texts)
    alone = np.stack([real_embedder.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_llamaindex_embedding_class(real_embedder):
    from index.llama_embedding import NewsqaEmbedding

    model = NewsqaEmbedding(real_embedder)
    vec = model.get_query_embedding("Lachin corridor")
    assert len(vec) == 384
    assert len(model.get_text_embedding_batch(["a b", "c d"])) == 2


def test_sessions_side_by_side_give_the_vectors_of_one_session(real_embedder):
    """Batches run on two one-thread sessions at once, and concurrent callers share them: the
    rows still come back in input order, equal to one session's and to each caller's alone."""
    from concurrent.futures import ThreadPoolExecutor

    from index.embedding import MiniLMEmbedder

    texts = [
        f"Report {i}: the council voted {i} times on the {w} budget."
        for i, w in enumerate(
            ["harbour", "school", "rail", "water", "housing", "parks", "roads", "power", "clinic"]
            * 3
        )
    ]
    texts[5] = "A much longer report, " * 20
    single = MiniLMEmbedder(batch_size=4, threads=1).embed(texts)
    paired = MiniLMEmbedder(batch_size=4, threads=2)
    assert np.allclose(paired.embed(texts), single, atol=1e-4)
    # Fewer texts than fill a batch (the call is split between the sessions) keep their order.
    assert np.allclose(paired.embed(texts[:3]), single[:3], atol=1e-4)
    parts = [texts[i::3] for i in range(3)]
    with ThreadPoolExecutor(max_workers=3) as callers:
        results = list(callers.map(paired.embed, parts))
    for i, rows in enumerate(results):
        assert np.allclose(rows, single[i::3], atol=1e-4)


def test_sessions_are_built_when_work_needs_them(real_embedder):
    """One session at first; a call of one batch or less runs on the sessions built, one of
    more builds the rest; concurrent callers never build more than ``threads``."""
    from concurrent.futures import ThreadPoolExecutor

    from index.embedding import MiniLMEmbedder

    texts = [f"Item {i}: the port reopened after {i} days of strikes." for i in range(12)]
    embedder = MiniLMEmbedder(batch_size=4, threads=2)
    assert embedder.sessions_built == 1
    few = embedder.embed(texts[:3])
    assert embedder.sessions_built == 1
    many = embedder.embed(texts)
    assert embedder.sessions_built == 2
    assert np.allclose(few, many[:3], atol=1e-4)

    fresh = MiniLMEmbedder(batch_size=4, threads=2)
    with ThreadPoolExecutor(max_workers=6) as callers:
        results = list(callers.map(fresh.embed, [texts, texts[:1]] * 3))
    assert fresh.sessions_built == 2
    assert np.allclose(results[0], many, atol=1e-4)
    assert np.allclose(results[1], many[:1], atol=1e-4)


def test_bad_embedder_sizes_are_refused():
    from index.embedding import MiniLMEmbedder

    with pytest.raises(ValueError, match="at least 1"):
        MiniLMEmbedder(threads=0)
