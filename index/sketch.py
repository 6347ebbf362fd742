"""Text sketches for finding copies: MinHash signatures of word shingles, banded for lookup.

Two articles are copies when most of their text is the same word for word (a wire story run by
several outlets, a re-published update). What is compared is the set of *shingles*, runs of
:data:`SHINGLE` consecutive words, lower-cased, punctuation and whitespace ignored: formatting,
headlines and quotes styles do not matter, a changed word breaks only the shingles that hold it.

The sets are not stored. A :class:`Sketch` keeps :data:`HASHES` MinHash values (for each of
that many fixed hash functions, the smallest hash over the article's shingles): the share of
values two sketches have in common estimates the Jaccard similarity of their shingle sets
(standard error about 0.04 at 0.5), and with the shingle counts also the containment, the share
of the smaller set found in the larger. Sketches are cut into :data:`BANDS` bands of
:data:`ROWS` values; a band key is a hash of one band, so two articles with a Jaccard
similarity of 0.5 share at least one band key with probability 0.996 (0.3: 0.69, 0.1: 0.04).
The store looks candidates up by band key, then :func:`similarity` checks each.

Numpy only, no model: a sketch of a 1,000-word article costs about a millisecond.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Words per shingle. Four words: a word changed breaks four shingles, so a light copy-edit
#: keeps most of them, while different articles on one topic share few runs of four words.
SHINGLE = 4
#: MinHash values per sketch, cut into BANDS bands of ROWS values.
BANDS = 42
ROWS = 3
HASHES = BANDS * ROWS

_WORD = re.compile(r"\w+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser over uint64 values: a fixed, well-mixing bijection."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


#: One seed per hash function, derived from fixed constants so every process and version of
#: numpy gets the same functions (sketches are stored and compared across runs).
_SEEDS = _splitmix(np.arange(1, HASHES + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def shingles(text: str) -> np.ndarray:
    """The distinct shingle hashes of ``text`` (uint64, sorted).

    A text of fewer than :data:`SHINGLE` words is one shingle of all its words (none when it
    has no word).
    """
    words = _WORD.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    hashed = np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    count = max(1, len(words) - SHINGLE + 1)
    run = hashed[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, min(SHINGLE, len(words))):
            run = _splitmix(run * np.uint64(0x100000001B3) + hashed[offset : offset + count])
    return np.unique(run)


@dataclass(frozen=True)
class Sketch:
    """What copy detection keeps of a text.

    Attributes:
        signature: :data:`HASHES` MinHash values (uint32).
        shingles: how many distinct shingles the text has (0: no words; never a copy).
    """

    signature: np.ndarray
    shingles: int

    @functools.cached_property
    def bands(self) -> tuple[str, ...]:
        """The :data:`BANDS` band keys (hex), in band order; empty for a text without words.

        Computed once per sketch: copy detection compares each new article with every
        candidate (4.3 s of a 1,000-article ingestion when recomputed each time).
        """
        if not self.shingles:
            return ()
        raw = self.signature.astype("<u4").tobytes()
        width = ROWS * 4
        return tuple(
            hashlib.blake2b(raw[b * width : (b + 1) * width], digest_size=8).hexdigest()
            for b in range(BANDS)
        )

    def encode(self) -> str:
        """The signature as text (base64), for a store record."""
        return base64.b64encode(self.signature.astype("<u4").tobytes()).decode("ascii")

    @classmethod
    def decode(cls, text: str, shingles: int) -> Sketch:
        """The inverse of :meth:`encode`.

        Raises:
            ValueError: ``text`` is not an encoded signature.
        """
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        if len(raw) != HASHES * 4:
            raise ValueError(f"a signature has {HASHES * 4} bytes, got {len(raw)}")
        return cls(np.frombuffer(raw, dtype="<u4").astype(np.uint32), int(shingles))


def sketch_text(text: str) -> Sketch:
    """The :class:`Sketch` of an article's text."""
    values = shingles(text)
    if not values.size:
        return Sketch(np.zeros(HASHES, dtype=np.uint32), 0)
    minima = np.empty(HASHES, dtype=np.uint64)
    # Blocks of hash functions bound the memory a long text needs (HASHES x shingles).
    block = max(1, min(HASHES, 2_000_000 // values.size))
    for start in range(0, HASHES, block):
        seeds = _SEEDS[start : start + block, None]
        minima[start : start + block] = _splitmix(values[None, :] ^ seeds).min(axis=1)
    return Sketch((minima >> np.uint64(32)).astype(np.uint32), int(values.size))


@dataclass(frozen=True)
class Similarity:
    """How much of two texts is the same, estimated from their sketches.

    Attributes:
        jaccard: shared shingles over all shingles of the two.
        containment: shared shingles over the shingles of the smaller.
    """

    jaccard: float
    containment: float


def similarity(a: Sketch, b: Sketch) -> Similarity:
    """Estimate the Jaccard similarity and containment of two sketched texts."""
    if not a.shingles or not b.shingles:
        return Similarity(0.0, 0.0)
    jaccard = float(np.mean(a.signature == b.signature))
    # |A and B| = J (|A| + |B|) / (1 + J).
    shared = jaccard * (a.shingles + b.shingles) / (1.0 + jaccard)
    return Similarity(jaccard, min(1.0, shared / min(a.shingles, b.shingles)))


def text_overlap(a: str, b: str) -> float:
    """Share of the shorter text's shingles found in the other, counted exactly (0..1).

    For a handful of passages at query time, where sketches would be no cheaper.
    """
    sa, sb = shingles(a), shingles(b)
    if not sa.size or not sb.size:
        return 0.0
    return float(np.intersect1d(sa, sb, assume_unique=True).size) / min(sa.size, sb.size)
