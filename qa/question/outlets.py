"""Outlets a question names, matched against the outlets of the index.

An outlet is found by its full name or its part before " | ", " - " or ": " ("The Roar | Sports
Writers Blog" is also "The Roar"), as whole words, ignoring case except for short upper-case
names ("BBC"). Where mentions overlap the longer name wins, so "The Independent - Sports" is not
also read as every other "The Independent - ..." section; a bare "The Independent" names all of
them. Outlets are never a filter (:mod:`qa.question.plan` says why); they scope sub-queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["find_outlets", "outlet_aliases", "outlet_spans"]


def outlet_aliases(source: str) -> list[str]:
    """Names a question may use for an outlet: its full name and its part before ' | ', ' - '
    or ': ' ("The Roar" for "The Roar | Sports Writers Blog")."""
    names = {source.strip()}
    for sep in (" | ", " - ", ": "):
        if sep in source:
            names.add(source.split(sep)[0].strip())
    lowered = {n for n in names if len(n) >= 3}
    return sorted(lowered, key=len, reverse=True)


def outlet_spans(question: str, sources: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where ``question`` names indexed outlets: (start, end, outlet), in order of mention.

    Longer names win where mentions overlap, so "The Independent - Sports" is not also read as
    every other "The Independent - ..." section; a bare "The Independent" names all sections.
    """
    candidates: list[tuple[int, int, str]] = []
    for source in sources:
        for alias in outlet_aliases(source):
            pattern = r"(?<![\w])" + re.escape(alias) + r"(?![\w])"
            flags = 0 if alias.isupper() and len(alias) <= 4 else re.IGNORECASE
            for match in re.finditer(pattern, question, flags):
                candidates.append((match.start(), match.end(), source))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, source in candidates:
        clash = [t for t in taken if t[0] < end and start < t[1]]
        if not clash or all((t[0], t[1]) == (start, end) for t in clash):
            taken.append((start, end, source))
    return sorted(taken)


def find_outlets(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """Indexed outlets named in ``question`` (by full name or short name), in order of mention."""
    return tuple(dict.fromkeys(source for _, _, source in outlet_spans(question, sources)))
