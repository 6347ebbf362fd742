"""The status bar and the LLM banner: which answering mode is active, how big the index is,
and a clear warning when the LLM endpoint failed and answers fell back to extractive quotes."""

from __future__ import annotations

from index import IndexStats
from qa import Mode

from .html import esc


def describe_mode(mode: Mode) -> str:
    """Plain words for the answering mode.

    Args:
        mode: ``Answerer.mode``.

    Returns:
        e.g. "Extractive (no LLM configured)", "OpenAI · gpt-4o-mini",
        "LLM qwen2.5 at http://127.0.0.1:8080/v1".
    """
    if mode.extractive:
        return "Extractive (no LLM configured): answers quote the articles"
    if mode.base_url:
        return f"LLM {mode.llm_model} at {mode.base_url}"
    return f"OpenAI · {mode.llm_model}"


def render_status(mode: Mode, stats: IndexStats) -> str:
    """The status bar.

    Args:
        mode: ``Answerer.mode``.
        stats: index statistics.

    Returns:
        HTML.
    """
    articles = f"{stats.articles:,} article{'s' if stats.articles != 1 else ''}"
    chunks = f"{stats.chunks:,} chunk{'s' if stats.chunks != 1 else ''}"
    return (
        '<div class="status-bar">'
        f'<span class="status-mode">Mode: {esc(describe_mode(mode))}</span>'
        f'<span class="status-index">Index: {articles} · {chunks}</span>'
        "</div>"
    )


def render_banner(error: str | None) -> str:
    """The banner shown while the LLM endpoint fails ("" when it works or is not configured).

    Args:
        error: ``Answer.error`` of the latest answer.

    Returns:
        HTML.
    """
    if not error:
        return ""
    return (
        '<div class="llm-banner" role="alert"><b>The LLM endpoint is not answering.</b> '
        f"{esc(error)}. Answers fall back to extractive quotes from the articles, still cited."
        "</div>"
    )
