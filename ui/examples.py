"""Example questions drawn from the indexed articles.

They are built from real headlines of the newest articles (one per outlet), so a click always
hits something the index holds, whatever corpus is loaded. Headlines are shortened at a word
boundary to keep the buttons readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from index import ArticleInfo

from .html import esc

_MAX_TITLE = 70


def _shorten(title: str) -> str:
    title = " ".join(title.split()).rstrip(".?!")
    if len(title) <= _MAX_TITLE:
        return title
    return title[:_MAX_TITLE].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def example_questions(infos: Sequence[ArticleInfo], limit: int = 3) -> list[str]:
    """Up to ``limit`` questions about the newest articles, preferring distinct outlets.

    Args:
        infos: indexed articles, newest first.
        limit: how many questions.

    Returns:
        Questions such as 'What does TechCrunch report about “Apple unveils …”?'.
    """
    chosen: list[ArticleInfo] = []
    outlets: set[str] = set()
    for info in infos:
        if len(chosen) >= limit:
            break
        if info.source and info.source in outlets:
            continue
        outlets.add(info.source)
        chosen.append(info)
    questions = []
    for info in chosen:
        who = info.source or "the article"
        questions.append(f"What does {who} report about “{_shorten(info.title)}”?")
    return questions


def render_examples(infos: Sequence[ArticleInfo]) -> str:
    """Example-question buttons (see :data:`ui.assets.EXAMPLES_JS`), or a hint for an empty
    index."""
    questions = example_questions(infos)
    if not questions:
        return '<p class="sources-note">Add articles in the Library tab to start.</p>'
    buttons = "".join(
        f'<button type="button" class="example" data-question="{esc(q)}">{esc(q)}</button>'
        for q in questions
    )
    return f'<div class="examples"><span class="examples-label">Try:</span>{buttons}</div>'
