"""Sentence-aware chunking with exact character offsets.

Chunks are at most ``chunk_tokens`` tokens of cl100k_base (256 by default, the passage size the
MultiHop-RAG paper evaluates, small enough that a citation points at a paragraph, not a page).
They are built from whole sentences (:func:`index.text.sentence_spans`, the one sentence splitter
of the project); a sentence longer than the budget is cut at token boundaries. Consecutive chunks
share up to ``overlap`` tokens of whole sentences so a fact that straddles a boundary is whole in
one of them.

Why not LlamaIndex's ``SentenceSplitter``: it re-joins and strips the pieces it splits, so its
chunk text is not always a verbatim slice of the article and it reports no reliable offsets. A
citation here must point at exact characters, so chunks are computed as spans first and the text
is always ``article.text[start:end]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from .article import Article
from .text import count_tokens, sentence_spans, token_encoder


@dataclass(frozen=True)
class Chunk:
    """A passage of an article.

    Attributes:
        id: stable id: article key plus position.
        article_id: the article it belongs to.
        index: position within the article (0-based).
        start: character offset of the first character in ``article.text``.
        end: offset one past the last character.
        text: ``article.text[start:end]``.
        tokens: cl100k_base token count of ``text``.
    """

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
    tokens: int

    @property
    def content_hash(self) -> str:
        """sha1 of the text: the key of the embedding cache."""
        return hashlib.sha1(self.text.encode("utf-8", "surrogatepass")).hexdigest()


def article_key(article_id: str) -> str:
    """A short, stable, store-safe key for an article id (ids can be long urls or paths)."""
    return hashlib.sha1(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def chunk_id(article_id: str, index: int) -> str:
    """The store id of an article's chunk number ``index`` (0: the headline and lead)."""
    return f"{article_key(article_id)}-{index:04d}"


def chunk_article(article: Article, chunk_tokens: int = 256, overlap: int = 32) -> list[Chunk]:
    """Split an article into sentence-aligned chunks of at most ``chunk_tokens`` tokens.

    Args:
        article: the article.
        chunk_tokens: token budget per chunk (cl100k_base).
        overlap: tokens of whole trailing sentences repeated at the start of the next chunk.

    Returns:
        Chunks in article order; every ``chunk.text == article.text[chunk.start:chunk.end]``.
    """
    text = article.text
    pieces = _pieces(text, chunk_tokens)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and total + pieces[j][2] <= chunk_tokens:
            total += pieces[j][2]
            j += 1
        j = max(j, i + 1)
        start, end = pieces[i][0], pieces[j - 1][1]
        # Sentence counts are additive only approximately (BPE merges across the gap): shrink
        # until the exact slice fits.
        while j - 1 > i and count_tokens(text[start:end]) > chunk_tokens:
            j -= 1
            end = pieces[j - 1][1]
        spans.append((start, end))
        if j >= len(pieces):
            break
        # Step back over whole trailing sentences that fit in the overlap budget.
        back, kept = j, 0
        while back - 1 > i and kept + pieces[back - 1][2] <= overlap:
            kept += pieces[back - 1][2]
            back -= 1
        i = back if back > i else j
    return [
        Chunk(
            id=chunk_id(article.id, n),
            article_id=article.id,
            index=n,
            start=s,
            end=e,
            text=text[s:e],
            tokens=count_tokens(text[s:e]),
        )
        for n, (s, e) in enumerate(spans)
    ]


def _pieces(text: str, budget: int) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, tokens); sentences over budget are cut at token boundaries."""
    encoder = token_encoder()
    out: list[tuple[int, int, int]] = []
    for start, end in sentence_spans(text):
        ids = encoder.encode(text[start:end], disallowed_special=())
        if len(ids) <= budget:
            out.append((start, end, len(ids)))
            continue
        out.extend(_cut(text, start, end, ids, budget))
    return out


def _cut(
    text: str, start: int, end: int, ids: Sequence[int], budget: int
) -> list[tuple[int, int, int]]:
    encoder = token_encoder()
    # Leave slack: re-encoding a cut slice can produce a token or two more than the cut had.
    step = max(8, budget - 8)
    pieces = []
    pos = start
    for k in range(0, len(ids), step):
        piece_text = encoder.decode_bytes(list(ids[k : k + step])).decode("utf-8", "ignore")
        piece_end = min(end, pos + len(piece_text))
        if k + step >= len(ids):
            piece_end = end
        if piece_end > pos:
            pieces.append((pos, piece_end, count_tokens(text[pos:piece_end])))
        pos = piece_end
    return pieces
