"""Citation markers as buttons: ``[n]`` in answer text becomes a control that shows source n.

Markers become ``<button class="cite" data-turn data-n>`` elements; a small script in
:mod:`ui.assets` brings card ``n`` of that turn into view. Shared by the answer text
(:mod:`ui.answer_view`) and the timeline list (:mod:`ui.timeline_view`).
"""

from __future__ import annotations

from qa.answer.citations import MARKER

from .html import esc

__all__ = ["marker_html"]


def marker_html(text: str, turn: int, numbers: set[int]) -> str:
    """Escape ``text``, turning ``[n]`` markers of known citations into buttons.

    Args:
        text: a piece of answer text.
        turn: index of the turn (buttons point at that turn's cards).
        numbers: the citation numbers the answer has.

    Returns:
        HTML.
    """
    out: list[str] = []
    position = 0
    for match in MARKER.finditer(text):
        out.append(esc(text[position : match.start()]))
        for raw in match[1].split(","):
            n = int(raw)
            if n in numbers:
                out.append(
                    f'<button type="button" class="cite" data-turn="{turn}" data-n="{n}" '
                    f'title="Show source {n}" aria-label="Show source {n}">[{n}]</button>'
                )
            else:
                out.append(esc(f"[{n}]"))
        position = match.end()
    out.append(esc(text[position:]))
    return "".join(out)
