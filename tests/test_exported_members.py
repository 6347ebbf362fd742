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
        "AsOf",
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
    from qa.types import Answer, AsOf, Citation, Mode, Passage, TimelineEvent
    from ui.settings import WebSettings

    for cls in (
        Answer,
        AsOf,
        Citation,
        Passage,
        Mode,
        TimelineEvent,
        index.Settings,
        QASettings,
        WebSettings,
    ):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen


def test_imports_run_one_way():
    """app -> ui -> qa -> index, never back, in every module of every subpackage."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    forbidden = {"index": "qa|ui|app|gradio", "qa": "ui|app|gradio", "ui": "app"}
    checked = 0
    for package, names in forbidden.items():
        pattern = re.compile(rf"^\s*(from|import)\s+({names})\b", re.M)
        for path in (root / package).rglob("*.py"):
            assert not pattern.search(path.read_text()), path
            checked += 1
    # Subpackages included: a glob that found only the top level would check far fewer files.
    assert checked > len(list((root / "index").glob("*.py"))) + len(
        list((root / "qa").glob("*.py"))
    )
