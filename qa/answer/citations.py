"""Citation markers: numbering in order of first use, parsing and renumbering LLM output.

The LLM sees passages numbered 1..N in prompt order; the user sees only the passages actually
cited, numbered 1, 2, ... in order of first use. :class:`MarkerRenumberer` does that mapping on a
stream of text, holding back only an unfinished ``[..`` (and trailing spaces, which a dropped marker
takes along) so numbering is stable while streaming.
Markers that point at no passage are dropped. Small models often write "(Passage 5)" or
"[Passage 2 and 4]" instead of ``[5]``: :func:`normalise_markers` turns those into markers first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..types import Citation, Passage

MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_PARTIAL = re.compile(
    r"\s*\[[\d,\s]*$"
    r"|\s*[(\[]\s*(?:P(?:a(?:s(?:s(?:a(?:g(?:e(?:s)?)?)?)?)?)?)?)?(?:\s+[\d\s,&]*(?:a(?:n(?:d)?)?)?[\d\s]*)?$"
    r"|\s+$",
    re.I,
)
_PASSAGE_REF = re.compile(
    r"[(\[]\s*passages?\s+(\d{1,3}(?:\s*(?:,|and|&)\s*\d{1,3})*)\s*[)\]]|\bpassages?\s+\[(\d{1,3})\]",
    re.I,
)
_SPACED_GROUP = re.compile(r"(\s*)(" + MARKER.pattern + r"(?:\s*,?\s*" + MARKER.pattern + r")*)")


class CitationBuilder:
    """Assigns answer numbers to passages in order of first use and collects highlights."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self._numbers: dict[int, int] = {}
        self._highlights: dict[int, list[tuple[int, int]]] = {}

    def cite(self, passage_index: int, highlight: tuple[int, int] | None = None) -> int:
        """The answer number of passage ``passage_index`` (0-based), assigning the next if new."""
        if passage_index not in self._numbers:
            self._numbers[passage_index] = len(self._numbers) + 1
            self._highlights[passage_index] = []
        if highlight and highlight not in self._highlights[passage_index]:
            self._highlights[passage_index].append(highlight)
        return self._numbers[passage_index]

    def add_highlight(self, passage_index: int, span: tuple[int, int]) -> None:
        """Record a supporting span for an already-cited passage."""
        if passage_index in self._highlights and span not in self._highlights[passage_index]:
            self._highlights[passage_index].append(span)

    def citations(self) -> tuple[Citation, ...]:
        """The citations, in number order."""
        order = sorted(self._numbers, key=self._numbers.__getitem__)
        return tuple(
            Citation(self._numbers[i], self.passages[i], tuple(sorted(self._highlights[i])))
            for i in order
        )


class MarkerRenumberer:
    """Rewrites ``[n]`` markers of prompt numbering into answer numbering, incrementally.

    Feed text pieces as they stream; each call returns the text that is safe to show. Call
    :meth:`finish` at the end for anything held back.
    """

    def __init__(self, builder: CitationBuilder) -> None:
        self.builder = builder
        self._pending = ""

    def feed(self, piece: str) -> str:
        """Add streamed text; returns the renumbered text ready to show."""
        text = self._pending + piece
        partial = _PARTIAL.search(text)
        if partial and len(text) - partial.start() < 16:
            self._pending = text[partial.start() :]
            text = text[: partial.start()]
        else:
            self._pending = ""
        return self._rewrite(text)

    def finish(self) -> str:
        """Flush what was held back."""
        text, self._pending = self._pending, ""
        return self._rewrite(text)

    def _rewrite(self, text: str) -> str:
        text = normalise_markers(text)

        def replace(match: re.Match[str]) -> str:
            numbers = []
            for n in markers_in(match[2]):
                if 1 <= n <= len(self.builder.passages):
                    numbers.append(self.builder.cite(n - 1))
            markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
            # A dropped marker takes the space before it along, so no "word ." is left.
            return match[1] + markers if markers else ""

        return _SPACED_GROUP.sub(replace, text)


def normalise_markers(text: str) -> str:
    """``text`` with "(Passage 5)", "[Passages 1 and 3]", "Passage [2]" written as ``[5]``,
    ``[1][3]``, ``[2]``."""

    def replace(match: re.Match[str]) -> str:
        numbers = re.findall(r"\d{1,3}", match[1] or match[2])
        return "".join(f"[{n}]" for n in numbers)

    return _PASSAGE_REF.sub(replace, text)


def markers_in(text: str) -> list[int]:
    """All marker numbers in ``text``, in order (``[1, 2]`` counts as 1 then 2)."""
    return [int(n) for m in MARKER.finditer(text) for n in m[1].split(",")]


def strip_markers(text: str) -> str:
    """``text`` without citation markers."""
    return re.sub(r"\s*" + MARKER.pattern, "", text)
