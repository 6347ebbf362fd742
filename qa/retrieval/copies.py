"""Copies at query time: one passage per set of near-identical passages.

The same wire story run by five outlets gives five identical passages, which would take five
places of the top ``k`` and crowd out everything else. While the top ``k`` is filled
(:func:`qa.retrieval.fusion.interleave`), a candidate whose article is a copy of the article of a
passage already taken (one copy group, decided at ingestion by :mod:`index.stories`), and whose
text mostly repeats that passage (at least :data:`OVERLAP` of the shorter one's word shingles, as
:func:`index.sketch.text_overlap` counts them: the same stretch of the story, wherever the chunk
boundaries fell), is not shown again: its article is listed in the shown passage's ``also_in`` and
the next distinct passage takes its place. The per-article cap counts a copy group as one
article, so the other paragraphs of the copies cannot fill the top ``k`` either.

Only the candidates the searches returned are folded, so the cost stays in proportion to them:
a lookup per candidate, and a text comparison only between passages of one copy group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from index.sketch import shingles
from index.store import StoredChunk

from ..types import Copy

#: Share of the shorter passage's shingles the other must hold for the two to be one passage.
OVERLAP = 0.5


class CopyFolder:
    """Folds repeated passages of copies into the passage shown (for one retrieval).

    Args:
        chunk_of: the candidate chunk of an id (None when unknown).
    """

    def __init__(self, chunk_of: Callable[[str], StoredChunk | None]) -> None:
        self._chunk_of = chunk_of
        self._folded: dict[str, list[StoredChunk]] = {}
        self._seen: dict[str, str] = {}  # folded chunk id -> the shown one
        self._shingles: dict[str, np.ndarray] = {}
        self._apart: set[tuple[str, str]] = set()  # (candidate, shown) found different

    def group_of(self, chunk_id: str) -> str | None:
        """The copy group of a candidate's article (its own id when it has none), for the
        per-article cap; None for an unknown chunk."""
        chunk = self._chunk_of(chunk_id)
        if chunk is None:
            return None
        return f"copies:{chunk.copy_group}" if chunk.copy_group else f"article:{chunk.article_id}"

    def repeats(self, chunk_id: str, taken: Sequence[str]) -> bool:
        """Whether a candidate repeats a passage already taken; if so it is folded into it.

        Args:
            chunk_id: the candidate.
            taken: the passages taken so far, best first.
        """
        if chunk_id in self._seen:
            return True
        chunk = self._chunk_of(chunk_id)
        if chunk is None or not chunk.copy_group:
            return False
        for shown_id in taken:
            shown = self._chunk_of(shown_id)
            if (
                shown is None
                or shown.copy_group != chunk.copy_group
                or shown.article_id == chunk.article_id
                or (chunk_id, shown_id) in self._apart
            ):
                continue
            if self._overlap(shown, chunk) >= OVERLAP:
                self._seen[chunk_id] = shown_id
                self._folded.setdefault(shown_id, []).append(chunk)
                return True
            # A candidate comes up again in every list that has it.
            self._apart.add((chunk_id, shown_id))
        return False

    def _overlap(self, a: StoredChunk, b: StoredChunk) -> float:
        """:func:`index.sketch.text_overlap` of two chunks, their shingles kept for the next."""
        if a.text == b.text:
            return 1.0  # the usual copy: no need to count
        sa, sb = self._shingles_of(a), self._shingles_of(b)
        if not sa.size or not sb.size:
            return 0.0
        return np.intersect1d(sa, sb, assume_unique=True).size / min(sa.size, sb.size)

    def _shingles_of(self, chunk: StoredChunk) -> np.ndarray:
        found = self._shingles.get(chunk.id)
        if found is None:
            found = self._shingles[chunk.id] = shingles(chunk.text)
        return found

    def also_in(self, chunk_id: str) -> tuple[Copy, ...]:
        """The articles whose passages were folded into ``chunk_id``, in rank order, once each."""
        out: dict[str, Copy] = {}
        for chunk in self._folded.get(chunk_id, ()):
            out.setdefault(
                chunk.article_id,
                Copy(
                    article_id=chunk.article_id,
                    title=chunk.title,
                    source=chunk.source,
                    published=chunk.published,
                    url=chunk.url,
                    chunk_id=chunk.id,
                ),
            )
        return tuple(out.values())
