"""Settings from the environment: the index's, the answerer's and the web server's."""

import dataclasses
import re
from pathlib import Path

import pytest

from index import ConfigError, Settings
from index.settings import variables_of
from qa import Answerer, QASettings
from qa.answer.llm import LLMConfig
from ui.settings import WebSettings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_CLASSES = (Settings, QASettings, WebSettings)


def test_defaults_without_environment():
    s = Settings.from_env({"HOME": "/home/u"})
    assert s.data_dir == Path("/home/u/.local/share/newsqa") or s.data_dir.name == "newsqa"
    assert (s.chunk_tokens, s.chunk_overlap, s.embed_model) == (256, 32, "minilm-int8")
    assert Settings.from_env({"XDG_DATA_HOME": "/x"}).data_dir == Path("/x/newsqa")
    qa = QASettings.from_env({})
    assert not qa.llm_enabled and qa.llm_config() is None
    assert (qa.top_k, qa.max_question_chars) == (8, 2000)
    web = WebSettings.from_env({})
    assert (web.auth, web.server_name, web.server_port) == (None, "127.0.0.1", None)


@pytest.mark.parametrize("cls", SETTINGS_CLASSES)
def test_an_empty_environment_gives_the_field_defaults(cls):
    built = cls.from_env({"XDG_DATA_HOME": "/x"})
    for item in dataclasses.fields(cls):
        if item.name != "data_dir":
            assert getattr(built, item.name) == item.default, item.name


def test_prefixed_variables_and_openai_names():
    env = {
        "NEWSQA_DATA_DIR": "/tmp/x",
        "NEWSQA_CHUNK_TOKENS": "128",
        "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
        "NEWSQA_LLM_MODEL": "qwen",
        "NEWSQA_CHROMA_URL": "http://127.0.0.1:8000",
        "NEWSQA_MEMORY_TABLE_CHUNKS": "0",
        "NEWSQA_TOP_K": "5",
        "NEWSQA_LLM_TIMEOUT": "7.5",
        "NEWSQA_AUTH": "ann:pa:ss",
        "GRADIO_SERVER_PORT": "7999",
    }
    s = Settings.from_env(env)
    assert s.data_dir == Path("/tmp/x") and s.chunk_tokens == 128 and s.memory_table_chunks == 0
    assert s.chroma_url == "http://127.0.0.1:8000"
    assert s.embed_base_url == "http://127.0.0.1:8080/v1" and s.embed_api_key is None
    qa = QASettings.from_env(env)
    assert qa.llm_enabled and qa.model == "qwen" and qa.top_k == 5
    assert qa.llm_config() == LLMConfig(
        model="qwen", base_url="http://127.0.0.1:8080/v1", timeout_s=7.5
    )
    web = WebSettings.from_env(env)
    assert (web.auth, web.server_port) == ("ann:pa:ss", 7999)


@pytest.mark.parametrize(
    ("env", "model"),
    [
        ({"OPENAI_API_KEY": "sk-test"}, "gpt-4o-mini"),
        ({"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}, "local-model"),
        ({"NEWSQA_LLM_BASE_URL": "http://127.0.0.1:8080/v1"}, "local-model"),
        ({"OPENAI_API_KEY": "sk-test", "NEWSQA_LLM_MODEL": "gpt-4.1"}, "gpt-4.1"),
    ],
)
def test_the_model_name_defaults_by_endpoint(env, model):
    settings = QASettings.from_env(env)
    assert settings.llm_enabled and settings.model == model
    assert settings.llm_config().model == model


def test_the_openai_variables_win_over_the_newsqa_ones():
    env = {"OPENAI_API_KEY": "a", "NEWSQA_LLM_API_KEY": "b", "NEWSQA_LLM_BASE_URL": "http://c"}
    qa = QASettings.from_env(env)
    assert (qa.openai_api_key, qa.openai_base_url) == ("a", "http://c")
    index = Settings.from_env(env)
    assert (index.embed_api_key, index.embed_base_url) == ("a", "http://c")


def test_empty_variables_count_as_unset():
    env = {"NEWSQA_TOP_K": "", "OPENAI_API_KEY": "", "NEWSQA_COLLECTION": "", "NEWSQA_AUTH": ""}
    assert QASettings.from_env(env) == QASettings()
    assert Settings.from_env(env).collection == "newsqa"
    assert WebSettings.from_env(env).auth is None


@pytest.mark.parametrize(
    ("cls", "env", "named"),
    [
        (Settings, {"NEWSQA_CHUNK_TOKENS": "lots"}, "NEWSQA_CHUNK_TOKENS='lots'"),
        (Settings, {"NEWSQA_CHUNK_TOKENS": "10"}, "chunk size"),
        (Settings, {"NEWSQA_CHUNK_OVERLAP": "200"}, "chunk overlap"),
        (Settings, {"NEWSQA_MEMORY_TABLE_CHUNKS": "-1"}, "NEWSQA_MEMORY_TABLE_CHUNKS"),
        (QASettings, {"NEWSQA_MAX_QUESTION_CHARS": "0"}, "NEWSQA_MAX_QUESTION_CHARS"),
        (QASettings, {"NEWSQA_LLM_TIMEOUT": "soon"}, "NEWSQA_LLM_TIMEOUT='soon'"),
        (WebSettings, {"NEWSQA_AUTH": "nopassword"}, "NEWSQA_AUTH"),
        (WebSettings, {"GRADIO_SERVER_PORT": "http"}, "GRADIO_SERVER_PORT='http'"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(cls, env, named):
    with pytest.raises(ConfigError, match=re.escape(named)):
        cls.from_env(env)


def test_every_readme_variable_is_read_by_a_settings_class():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    documented = {v for line in table for v in re.findall(r"`([A-Z][A-Z0-9_]+)`", line)}
    read = {v for cls in SETTINGS_CLASSES for f in dataclasses.fields(cls) for v in variables_of(f)}
    assert documented and documented <= read, documented - read


def test_only_the_settings_classes_read_the_environment():
    # Code, not ``os.environ`` in a docstring; setdefault gives a library a default, reads nothing.
    readers = re.compile(r"(?<!`)os\.environ(?!\.setdefault)|getenv\(")
    allowed = {"index/settings.py", "qa/settings.py", "ui/settings.py"}
    for folder in ("index", "qa", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name not in allowed:
                assert not readers.search(path.read_text(encoding="utf-8")), name
    assert not readers.search((ROOT / "app.py").read_text(encoding="utf-8"))


def test_launch_options_bind_loopback_by_default_and_honour_gradio_env():
    options = WebSettings().launch_options(max_file_mb=2.0)
    assert options == {"server_name": "127.0.0.1", "max_file_size": 2 * 1024 * 1024}
    env = {"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "7999", "NEWSQA_AUTH": "a:b:c"}
    options = WebSettings.from_env(env).launch_options(max_file_mb=50)
    assert (options["server_name"], options["server_port"], options["auth"]) == (
        "0.0.0.0",
        7999,
        ("a", "b:c"),
    )


def test_answerer_from_settings_builds_the_configured_chat_model(fake_embedder, tmp_path):
    from index import open_index

    index = open_index(Settings(data_dir=tmp_path / "d"), embedder=fake_embedder)
    assert Answerer.from_settings(index).chat_model is None
    local = QASettings(openai_base_url="http://127.0.0.1:9/v1", llm_context_tokens=500)
    answerer = Answerer.from_settings(index, local)
    assert answerer.chat_model.config == local.llm_config()
    assert answerer.mode.label == "llm:local-model"
    assert answerer.mode.base_url == "http://127.0.0.1:9/v1"
    assert Answerer.from_settings(index, local, use_llm=False).mode.extractive


def test_index_refuses_other_model_or_chunking(tmp_path, fake_embedder):
    from index import IndexMismatchError, open_index

    settings = Settings(data_dir=tmp_path / "d")
    open_index(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        open_index(settings.with_(chunk_tokens=128), embedder=fake_embedder)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", False), ("false", False), ("Off", False), ("1", True), ("yes", True)],
)
def test_a_boolean_setting_reads_the_usual_spellings(raw, expected):
    from qa.settings import QASettings

    assert QASettings.from_env({"NEWSQA_READER": raw}).reader is expected


def test_a_boolean_setting_refuses_anything_else():
    from qa.settings import QASettings

    with pytest.raises(ConfigError, match="NEWSQA_READER='maybe'"):
        QASettings.from_env({"NEWSQA_READER": "maybe"})
