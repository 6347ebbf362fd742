"""Citation support: find the sentence of a passage that supports a claim.

A claim is supported by a passage when one of the passage's sentences shares enough of the
claim's content words (stemmed) or is close to it in embedding space. The best such sentence is
the citation's highlight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from index.chunking import sentence_spans
from index.lexical import tokenize


@dataclass(frozen=True)
class Support:
    """How well a passage supports a claim, and where."""

    span: tuple[int, int] | None
    lexical: float
    dense: float

    def supported(self, min_lexical: float = 0.5, min_dense: float = 0.6) -> bool:
        """True when either signal clears its threshold."""
        return self.span is not None and (self.lexical >= min_lexical or self.dense >= min_dense)


def best_support(claim: str, passage_text: str, embedder=None) -> Support:
    """The sentence of ``passage_text`` that best supports ``claim``.

    Args:
        claim: a sentence of the answer (markers removed).
        passage_text: the cited passage.
        embedder: optional embedder for the dense signal (lexical only when None).
    """
    spans = sentence_spans(passage_text)
    if not spans:
        return Support(None, 0.0, 0.0)
    claim_terms = set(tokenize([claim])[0])
    texts = [passage_text[s:e] for s, e in spans]
    term_lists = tokenize(texts)
    lexical = np.array(
        [len(claim_terms & set(t)) / len(claim_terms) if claim_terms else 0.0 for t in term_lists]
    )
    dense = np.zeros(len(spans))
    if embedder is not None:
        vectors = embedder.embed([claim] + texts)
        dense = vectors[1:] @ vectors[0]
    combined = lexical + dense
    best = int(np.argmax(combined))
    return Support(spans[best], float(lexical[best]), float(dense[best]))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of an answer text (markers stay attached to their sentence)."""
    return sentence_spans(text)


def supports(claim: str, passages: Sequence[str], embedder=None) -> list[Support]:
    """:func:`best_support` for each passage."""
    return [best_support(claim, p, embedder) for p in passages]
