"""Build a bm25s index page by page, in memory proportional to the index rather than the corpus.

``bm25s.BM25.index`` wants every document's token list at once: at a million chunks that is
hundreds of millions of Python strings (well over 10 GB). Here each page of documents is turned
into integer arrays as soon as it is tokenized: (document, token, term frequency) triples, a few
bytes each. The scores are then computed with numpy and handed to a ``bm25s.BM25`` object in the
form its own indexing produces (a CSC matrix, documents x vocabulary), so searching, saving and
loading stay bm25s's own. The formula is bm25s's default ("lucene": idf = ln(1 + (N - df + 0.5)
/ (df + 0.5)), tf part = tf / (tf + k1 (1 - b + b len / avg len)), k1 = 1.5, b = 0.75);
``tests/test_ingest_lexical.py`` checks the scores equal bm25s's own build.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class PagedBM25Builder:
    """Accumulates tokenized pages; :meth:`finish` returns the ``bm25s.BM25`` index."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._docs: list[np.ndarray] = []
        self._tokens: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self.n_docs = 0

    def add_page(self, documents: Iterable[list[str]]) -> None:
        """Add tokenized documents (in order; each a list of tokens)."""
        vocab = self.vocab
        ids: list[int] = []
        lengths: list[int] = []
        for tokens in documents:
            ids.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
            lengths.append(len(tokens))
        if not lengths:
            return
        lengths_arr = np.asarray(lengths, dtype=np.int64)
        local = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths_arr)
        keys = (local << 32) | np.asarray(ids, dtype=np.int64)
        unique, counts = np.unique(keys, return_counts=True)
        self._docs.append((unique >> 32).astype(np.int32) + self.n_docs)
        self._tokens.append((unique & 0xFFFFFFFF).astype(np.int32))
        self._counts.append(counts.astype(np.float32))
        self._lengths.append(lengths_arr.astype(np.float32))
        self.n_docs += len(lengths)

    def finish(self, k1: float = 1.5, b: float = 0.75):
        """The ``bm25s.BM25`` index of every page added (None when there are no documents)."""
        import bm25s

        if self.n_docs == 0:
            return None
        docs = np.concatenate(self._docs)
        tokens = np.concatenate(self._tokens)
        tf = np.concatenate(self._counts)
        lengths = np.concatenate(self._lengths)
        self._docs = self._tokens = self._counts = self._lengths = []
        n_vocab = len(self.vocab)
        df = np.bincount(tokens, minlength=n_vocab).astype(np.float64)
        idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = (k1 * ((1 - b) + b * lengths / lengths.mean())).astype(np.float32)
        scores = idf[tokens] * (tf / (tf + norm[docs]))
        del tf
        # CSC (one column per token): a stable sort by token keeps each column's documents in
        # order, since pages were added in document order.
        order = np.argsort(tokens, kind="stable")
        data = scores[order]
        indices = docs[order]
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.bincount(tokens, minlength=n_vocab), out=indptr[1:])
        del order, scores, docs, tokens
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.scores = {
            "data": data,
            "indices": indices,
            "indptr": indptr,
            "num_docs": self.n_docs,
        }
        vocab = dict(self.vocab)
        # As bm25s.BM25.index does: an empty token after the real ones.
        vocab.setdefault("", max(vocab.values(), default=-1) + 1)
        retriever.vocab_dict = vocab
        retriever.unique_token_ids_set = set(vocab.values())
        retriever.nonoccurrence_array = None
        return retriever
