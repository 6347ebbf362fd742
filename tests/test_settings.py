"""Settings from the environment."""

from pathlib import Path

import pytest

from index import ConfigError, Settings


def test_defaults_without_environment():
    s = Settings.from_env({"HOME": "/home/u"})
    assert s.data_dir == Path("/home/u/.local/share/newsqa") or s.data_dir.name == "newsqa"
    assert (s.chunk_tokens, s.chunk_overlap, s.embed_model) == (256, 32, "minilm-int8")
    assert not s.llm_enabled


def test_prefixed_variables_and_openai_names():
    s = Settings.from_env(
        {
            "NEWSQA_DATA_DIR": "/tmp/x",
            "NEWSQA_CHUNK_TOKENS": "128",
            "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
            "NEWSQA_LLM_MODEL": "qwen",
            "NEWSQA_CHROMA_URL": "http://127.0.0.1:8000",
            "NEWSQA_MEMORY_TABLE_CHUNKS": "0",
        }
    )
    assert s.data_dir == Path("/tmp/x") and s.chunk_tokens == 128 and s.memory_table_chunks == 0
    assert s.llm_enabled and s.llm_model == "qwen" and s.chroma_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSQA_CHUNK_TOKENS": "lots"},
        {"NEWSQA_CHUNK_TOKENS": "10"},
        {"NEWSQA_CHUNK_OVERLAP": "200"},
        {"NEWSQA_AUTH": "nopassword"},
        {"NEWSQA_MEMORY_TABLE_CHUNKS": "-1"},
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env):
    with pytest.raises(ConfigError):
        Settings.from_env(env)


def test_index_refuses_other_model_or_chunking(tmp_path, fake_embedder):
    from index import IndexMismatchError, open_index

    settings = Settings(data_dir=tmp_path / "d")
    open_index(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        open_index(settings.with_(chunk_tokens=128), embedder=fake_embedder)
