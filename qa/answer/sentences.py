"""The sentences of a set of retrieved passages, split, stemmed and embedded once per question.

Three steps look at passage sentences: the extractive scorer (which sentence answers the
question), the LLM context builder (which sentences fit the prompt budget) and citation
verification (which sentence supports a claim). They share one :class:`SentenceTable` so each
sentence is embedded once per question: on two CPU cores embedding is the costly part.

Sentences shorter than ``min_words`` words ("Read more.", bylines) are left out: they neither
answer a question nor support a claim on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index.embedding import Embedder
from index.text import sentence_spans, tokenize

from ..types import Passage


@dataclass(frozen=True)
class PassageSentence:
    """One sentence of a passage.

    Attributes:
        passage_index: position of the passage in the table's passage list.
        start: character offset inside ``passage.text``.
        end: offset one past its end.
        text: the sentence, whitespace as in the passage.
    """

    passage_index: int
    start: int
    end: int
    text: str


class SentenceTable:
    """All sentences of ``passages``, with stemmed terms and (lazily) embeddings.

    Args:
        passages: the retrieved passages, in retrieval order.
        embedder: the index's embedder (the dense signal uses the same space as retrieval).
        min_words: shorter sentences are left out.
    """

    def __init__(
        self, passages: Sequence[Passage], embedder: Embedder | None, min_words: int = 4
    ) -> None:
        self.passages = list(passages)
        self.embedder = embedder
        self.sentences: list[PassageSentence] = []
        for p_index, passage in enumerate(self.passages):
            for start, end in sentence_spans(passage.text):
                if len(passage.text[start:end].split()) >= min_words:
                    self.sentences.append(
                        PassageSentence(p_index, start, end, passage.text[start:end])
                    )
        self._rows: dict[int, list[int]] = {}
        for row, sentence in enumerate(self.sentences):
            self._rows.setdefault(sentence.passage_index, []).append(row)

    def __len__(self) -> int:
        return len(self.sentences)

    def rows_of(self, passage_index: int) -> list[int]:
        """Rows of the sentences of one passage, in text order."""
        return self._rows.get(passage_index, [])

    @cached_property
    def terms(self) -> list[frozenset[str]]:
        """Stemmed content words of each sentence."""
        return (
            [frozenset(t) for t in tokenize([s.text for s in self.sentences])]
            if self.sentences
            else []
        )

    @cached_property
    def meta_terms(self) -> list[frozenset[str]]:
        """Stemmed words of each passage's headline and outlet (a claim may name them)."""
        metas = [f"{p.title} {p.source}" for p in self.passages]
        return [frozenset(t) for t in tokenize(metas)] if metas else []

    @cached_property
    def vectors(self) -> np.ndarray:
        """Unit embedding of each sentence (zeros when there is no embedder)."""
        if self.embedder is None or not self.sentences:
            return np.zeros((len(self.sentences), 1), dtype=np.float32)
        return self.embedder.embed([s.text for s in self.sentences])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed other texts (question, claims) into the sentences' space."""
        if self.embedder is None or not texts:
            return np.zeros((len(texts), 1), dtype=np.float32)
        return self.embedder.embed(list(texts))
