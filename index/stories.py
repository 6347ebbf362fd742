"""Copies and stories: which articles are the same text, and which report the same event.

Each article's groups (:class:`index.store.ArticleGroups`) are decided once, when it is
ingested, from what ingestion already has at hand (its text and its chunks' vectors), and stored
with its records, so every reader (on any machine of a Chroma server) sees them with the
article, in the same generation, and they leave with it. No model runs for this.

* **Copies**: the same text give or take formatting, a headline, boilerplate lines, light
  copy-editing or a paragraph added or cut (a wire story run by several outlets, a re-published
  update). An article is a copy of a stored one when their word shingles (:mod:`index.sketch`)
  overlap by at least :data:`COPY_JACCARD` (Jaccard) and cover at least :data:`COPY_CONTAINMENT`
  of the smaller of the two. Candidates come from the sketches' band keys, one store query per
  ingestion group.
* **Stories**: articles reporting the same event (a match, an announcement, a verdict), however
  differently written. An article joins the story of the article published at most
  :data:`STORY_DAYS` day apart that it is closest to, if that closeness reaches a cosine
  similarity of :data:`STORY_SIMILARITY`: the closeness of two articles is the higher of (one's
  first chunk, headline and lead, to the other's closest chunk) both ways round. Not when their
  headlines are the same but for a number (``Game 3``/``Game 4``, ``Week 14``/``Week 15``:
  instalments of a series, each its own event). A story also stays within :data:`STORY_SPAN`
  days of its first article, so a run of daily reports alike in form (markets, live blogs) does
  not chain into one story. Candidates are the nearest chunks to each new article's first chunk,
  and their articles' first chunks: two store queries per ingestion group. Copies are in their
  original's story. Undated articles join stories only as copies. Named entities were measured
  as a signal and left out: on the labelled pairs of ``bench/data/story-pairs.json`` articles
  about different events shared as many capitalised names as those about one (same teams, same
  trial), where the date gap separated them.

Groups grow incrementally, in arrival order: an article takes the keys of the article it
matches best (a copy takes its original's copy group and story; a story member its story), or
founds its own, whose key is :func:`group_key` of its id; keys never change afterwards, so no
write touches older records, and re-ingesting an article that founded a group gives the same key
back. Removing an article leaves the others' keys as they are (the group lives on without it).
Articles of one ingestion group are compared with each other in memory, in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .article import Article
from .chunking import Chunk, article_key
from .dates import UNKNOWN_ORDINAL, to_ordinal
from .sketch import Similarity, Sketch, similarity, sketch_text
from .store import ArticleGroups, DenseHit, SketchRecord, Store

#: Shingle Jaccard similarity and containment (of the smaller text) of a copy, at least.
COPY_JACCARD = 0.45
COPY_CONTAINMENT = 0.75
#: Cosine similarity of a new article's first chunk to the other article's closest chunk.
STORY_SIMILARITY = 0.72
#: Days between two articles of one story, at most (publication dates are days).
STORY_DAYS = 1
#: Days between any article of a story and the story's first, at most.
STORY_SPAN = 3
#: Nearest chunks read per new article when looking for its story.
NEIGHBOURS = 20

_TOKEN = re.compile(r"\w+")


def group_key(article_id: str) -> str:
    """The key of the copy group or story an article founds."""
    return article_key(article_id)


def is_copy(found: Similarity) -> bool:
    """Whether two texts with this shingle similarity are copies of one another."""
    return found.jaccard >= COPY_JACCARD and found.containment >= COPY_CONTAINMENT


def series_instalments(title_a: str, title_b: str) -> bool:
    """Whether two headlines are the same but for their numbers (``Game 3``/``Game 4``)."""
    a = _TOKEN.findall(title_a.lower())
    b = _TOKEN.findall(title_b.lower())
    numbers_a = {t for t in a if t.isdigit()}
    numbers_b = {t for t in b if t.isdigit()}
    if not numbers_a or not numbers_b or numbers_a == numbers_b:
        return False
    words_a, words_b = set(a) - numbers_a, set(b) - numbers_b
    return len(words_a & words_b) >= 0.6 * len(words_a | words_b)


def same_story(score: float, day: int, other_day: int, title: str, other_title: str) -> bool:
    """Whether two dated articles report the same event.

    Args:
        score: cosine similarity of one's first chunk to the other's closest chunk.
        day, other_day: their publication day numbers (:func:`index.dates.to_ordinal`).
        title, other_title: their headlines.
    """
    if day == UNKNOWN_ORDINAL or other_day == UNKNOWN_ORDINAL:
        return False
    if abs(day - other_day) > STORY_DAYS or score < STORY_SIMILARITY:
        return False
    return not series_instalments(title, other_title)


@dataclass(frozen=True)
class _Placed:
    """An article of the current ingestion group, once its groups are decided."""

    article: Article
    sketch: Sketch
    groups: ArticleGroups
    vectors: np.ndarray


@dataclass(frozen=True)
class _Neighbour:
    """Another article, as a candidate story for a new one."""

    article_id: str
    title: str
    day: int
    groups: ArticleGroups
    score: float


class Grouper:
    """Decides the groups of the articles an ingestion writes (see the module docstring).

    Args:
        store: the store the articles go to (read for candidates; written by the caller).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def assign(
        self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]]
    ) -> dict[str, tuple[ArticleGroups, Sketch]]:
        """The groups and sketch of each article of one ingestion group.

        Args:
            items: (article, its chunks, their unit vectors), in the order they are written.

        Returns:
            By article id: its groups and its sketch, for :meth:`index.store.Store.put_articles`.
        """
        if not items:
            return {}
        batch = {article.id for article, _, _ in items}
        sketches = [sketch_text(article.text) for article, _, _ in items]
        # Stored versions of articles being re-written are out of date: never candidates.
        copies = [
            r
            for r in self.store.sketches_sharing([s for s in sketches if s.shingles])
            if r.article_id not in batch
        ]
        # Undated articles found their own story (see _story_of): no search for them.
        leads = [
            i
            for i, (article, chunks, vectors) in enumerate(items)
            if len(chunks) and len(vectors) and to_ordinal(article.published) != UNKNOWN_ORDINAL
        ]
        days = [to_ordinal(items[i][0].published) for i in leads]
        nearest = dict(
            zip(
                leads,
                self.store.nearest_chunks(
                    np.stack([items[i][2][0] for i in leads]) if leads else np.zeros((0, 1)),
                    NEIGHBOURS,
                    # Only the shards holding articles of nearby days (index.store.shards).
                    (min(days), max(days), STORY_DAYS) if days else None,
                ),
            )
        )
        stored_leads = self.store.first_chunk_vectors(
            {
                h.chunk.article_id: h.shard
                for hits in nearest.values()
                for h in hits
                if h.chunk.article_id not in batch
            }
        )
        placed: list[_Placed] = []
        out: dict[str, tuple[ArticleGroups, Sketch]] = {}
        for i, (article, _, vectors) in enumerate(items):
            sketch = sketches[i]
            groups = self._copy_of(sketch, copies, placed)
            if groups is None:
                hits = [h for h in nearest.get(i, []) if h.chunk.article_id not in batch]
                groups = self._story_of(article, vectors, hits, stored_leads, placed)
            placed.append(_Placed(article, sketch, groups, vectors))
            out[article.id] = (groups, sketch)
        return out

    @staticmethod
    def _copy_of(
        sketch: Sketch, stored: Sequence[SketchRecord], placed: Sequence[_Placed]
    ) -> ArticleGroups | None:
        """The groups of the article ``sketch`` is closest to among those it copies, if any."""
        if not sketch.shingles:
            return None
        bands = set(enumerate(sketch.bands))
        best: tuple[float, ArticleGroups] | None = None
        candidates = [(r.sketch, _complete(r.groups, r.article_id, r.published)) for r in stored]
        candidates += [(p.sketch, p.groups) for p in placed]
        for other, groups in candidates:
            if not bands & set(enumerate(other.bands)):
                continue  # what the store lookup does for stored ones
            found = similarity(sketch, other)
            if is_copy(found) and (best is None or found.jaccard > best[0]):
                best = (found.jaccard, groups)
        return best[1] if best else None

    @staticmethod
    def _story_of(
        article: Article,
        vectors: np.ndarray,
        hits: Sequence[DenseHit],
        stored_leads: Mapping[str, np.ndarray],
        placed: Sequence[_Placed],
    ) -> ArticleGroups:
        """The article's groups as a story member, or as the founder of its own."""
        day = to_ordinal(article.published)
        own = ArticleGroups(group_key(article.id), group_key(article.id), day)
        if day == UNKNOWN_ORDINAL or not len(vectors):
            return own
        chunks = np.asarray(vectors, dtype=np.float32)
        lead = chunks[0]
        neighbours: dict[str, _Neighbour] = {}
        for hit in hits:
            chunk = hit.chunk
            other_lead = stored_leads.get(chunk.article_id)
            # The other way round: the other article's lead against this one's chunks.
            score = max(
                hit.score, float(np.max(chunks @ other_lead)) if other_lead is not None else -1.0
            )
            known = neighbours.get(chunk.article_id)
            if known is None or score > known.score:
                groups = _complete(
                    ArticleGroups(chunk.copy_group, chunk.story, chunk.story_day),
                    chunk.article_id,
                    chunk.published,
                )
                neighbours[chunk.article_id] = _Neighbour(
                    chunk.article_id, chunk.title, to_ordinal(chunk.published), groups, score
                )
        for other in placed:
            if other.article.id != article.id and len(other.vectors):
                theirs = np.asarray(other.vectors, dtype=np.float32)
                score = max(float(np.max(theirs @ lead)), float(np.max(chunks @ theirs[0])))
                neighbours[other.article.id] = _Neighbour(
                    other.article.id,
                    other.article.title,
                    to_ordinal(other.article.published),
                    other.groups,
                    score,
                )
        best: _Neighbour | None = None
        for n in neighbours.values():
            if not same_story(n.score, day, n.day, article.title, n.title):
                continue
            if n.groups.story_day == UNKNOWN_ORDINAL or abs(day - n.groups.story_day) > STORY_SPAN:
                continue
            if best is None or n.score > best.score:
                best = n
        if best is None:
            return own
        return ArticleGroups(own.copy_group, best.groups.story, best.groups.story_day)


def _complete(groups: ArticleGroups, article_id: str, published) -> ArticleGroups:
    """``groups``, with the keys an article stored before groups were kept would have had."""
    if groups.copy_group and groups.story:
        return groups
    key = group_key(article_id)
    day = groups.story_day if groups.story else to_ordinal(published)
    return ArticleGroups(groups.copy_group or key, groups.story or key, day)
