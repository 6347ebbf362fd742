"""The public API stays what __all__ says."""

import index
import qa


def test_qa_all_is_exported_and_complete():
    for name in qa.__all__:
        assert hasattr(qa, name), name
    for name in (
        "ask",
        "retrieve",
        "stream_ask",
        "default_answerer",
        "set_default_answerer",
        "Answer",
        "Citation",
        "Passage",
        "Mode",
        "Answerer",
        "QASettings",
    ):
        assert name in qa.__all__


def test_index_all_is_exported():
    for name in index.__all__:
        assert hasattr(index, name), name


def test_result_types_are_frozen():
    import dataclasses

    from qa.settings import QASettings
    from qa.types import Answer, Citation, Mode, Passage
    from ui.settings import WebSettings

    for cls in (Answer, Citation, Passage, Mode, index.Settings, QASettings, WebSettings):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen


def test_imports_run_one_way():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    for path in (root / "index").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(qa|gradio|ui|app)\b", text, re.M), path
    for path in (root / "qa").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+(gradio|ui|app)\b", path.read_text(), re.M), path
