"""Text utilities shared by the index and the question path: sentences, tokens, terms, stop words.

One definition of each, so the chunker, retrieval's sentence focus, the extractive answerer and
citation checks agree on what they measure:

* **Sentences** (:func:`sentence_spans`): NLTK's Punkt model (shipped inside llama-index-core, no
  download), run per line, so a paragraph break always ends a sentence. Punkt knows
  abbreviations ("Nov. 27", "Mr. Smith") and keeps closing quotes with their sentence, which a
  punctuation regex does not. Spans, not strings: citations point at exact characters.
* **Token counts** (:func:`count_tokens`): cl100k_base, loaded from the copy bundled in
  llama-index-core (no download); chunk sizes and prompt budgets are counted in it.
* **Index terms** (:func:`tokenize`): what BM25 indexes and searches by: bm25s's word pattern,
  lower-cased, its 33 English stop words dropped, Snowball-stemmed. Sentence focus, the
  extractive scorer and citation checks compare these terms, so they match what BM25 matched.
* **Stop words** for the rules that read words before any stemming: one core of
  :data:`FUNCTION_WORDS`, which every rule drops, extended per purpose: words that frame a
  question (:data:`QUESTION_FRAME_WORDS`), capitalised words that are not names
  (:data:`NOT_NAMES`), and words a follow-up question does not borrow
  (:data:`FOLLOW_UP_STOP_WORDS`). The extensions differ on purpose; see each one.
"""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache

__all__ = [
    "CALENDAR_WORDS",
    "FOLLOW_UP_STOP_WORDS",
    "FUNCTION_WORDS",
    "NOT_NAMES",
    "NUMBER_WORDS",
    "QUESTION_FRAME_WORDS",
    "REPORTING_WORDS",
    "count_tokens",
    "load_bm25s",
    "sentence_spans",
    "stem",
    "token_encoder",
    "tokenize",
]


def _static_dir() -> str:
    """llama-index-core's bundled data folder (Punkt's and tiktoken's files).

    Found without importing ``llama_index.core``: that import takes seconds, which every
    ``index add`` and app start would pay just to learn where the folder is.
    """
    import importlib.util

    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("llama-index-core is not installed: pip install -e .")
    return os.path.join(next(iter(spec.submodule_search_locations)), "_static")


# ---- sentences -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _punkt():
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    path = os.path.join(_static_dir(), "nltk_cache")
    if path not in nltk.data.path:
        nltk.data.path.insert(0, path)
    return PunktTokenizer("english")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; a line break always ends a sentence.

    Args:
        text: any text.

    Returns:
        (start, end) offsets into ``text``, in order. Blank lines and the whitespace between
        sentences belong to no span; a line's indentation stays with its first sentence (as
        Punkt reports it; chunk offsets depend on it).
    """
    # A question splits the same passages several times (retrieval's focus, the reader, the
    # cross-check, citation checks) and the next question often the same ones again: Punkt
    # took about a tenth of an answer's time. Passage-sized texts are remembered.
    if len(text) <= _REMEMBERED_CHARS:
        return list(_remembered_spans(text))
    return _split(text)


#: Texts up to this long have their spans remembered (passages; articles are split once, when
#: they are chunked).
_REMEMBERED_CHARS = 8_000


@lru_cache(maxsize=4096)
def _remembered_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split(text))


def _split(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    tokenizer = _punkt()
    pos = 0
    for block in text.split("\n"):
        if block.strip():
            first = len(spans)
            for start, end in tokenizer.span_tokenize(block):
                start, end = pos + start, pos + end
                if len(spans) > first and block[start - pos].isdigit():
                    if _NUMBER_SIGN.search(text, spans[-1][0], spans[-1][1]):
                        start = spans.pop()[0]  # "the song hit No. | 1 on the chart"
                spans.append((start, end))
        pos += len(block) + 1
    return spans


# Abbreviations Punkt ends a sentence at before a number: "No. 1", "Vol. 2", "Art. 5".
_NUMBER_SIGN = re.compile(r"\b(?:No|Nos|Vol|Fig|Art)\.$")


# ---- token counts ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def token_encoder():  # -> tiktoken.Encoding
    """cl100k_base, loaded from the copy bundled in llama-index-core (no download)."""
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", os.path.join(_static_dir(), "tiktoken_cache"))
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text`` (special-token text counts as plain text)."""
    return len(token_encoder().encode(text, disallowed_special=()))


# ---- index terms -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_bm25s():
    """The bm25s module, with its logger kept quiet (set once: setting a logger's level clears
    every logger's cache, which cost 0.4 ms a call when done per tokenized text)."""
    import bm25s

    # bm25s sets its logger to DEBUG on import, so its chatter would reach any root handler.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed word tokens, as the BM25 index uses them.

    Args:
        texts: the texts.

    Returns:
        One list of terms per text, in text order (repeats kept).
    """
    return load_bm25s().tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )


def stem(words: list[str]) -> list[str]:
    """``words`` Snowball-stemmed as :func:`tokenize` stems them (no lower-casing, no stop words).

    Args:
        words: lower-cased words.

    Returns:
        Their stems, in order.
    """
    return _stemmer().stemWords(words)


# ---- stop words ------------------------------------------------------------------------------
# Lower-case, unstemmed; rules compare ``word.lower()`` against them.

#: Articles, conjunctions, prepositions, pronouns and question words, plus "according" and
#: "also": dropped by every word rule below.
FUNCTION_WORDS = frozenset(
    "a an the and or of to in on at by for from with as about is it its this that these those "
    "their there what which who whom whose when where why how according also".split()
)

#: Words for reports and their publication ("the article reported ...").
REPORTING_WORDS = frozenset("article articles report reported news".split())

#: Months (and their abbreviations), weekdays and relative days.
CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow".split()
)

#: Small numbers and ordinals written as words.
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten first second third".split()
)

#: Words that say how a question is asked, not what it is about: the clause splitter counts
#: and searches only the other words (:func:`qa.question.decompose.content_words`). Beyond the
#: function words: auxiliaries, and the verbs and nouns of reporting, comparing and timing that
#: frame a question about several reports ("suggest", "consistent", "later", "portrayal").
#: Personal pronouns ("he", "they") and "but" are not in it; the splitter cuts at "but".
QUESTION_FRAME_WORDS = (
    FUNCTION_WORDS
    | REPORTING_WORDS
    | frozenset(
        "be been is are was were has have had do does did that any no not both other another "
        "same later earlier subsequent previous after before between "
        "reports reporting story stories piece coverage published sources source "
        "suggest suggests suggested indicate indicates indicated imply implies implied "
        "mention mentions mentioned discuss discusses discussed claim claims claimed "
        "portrayal portray portrayed portrays view views stance "
        "consistent inconsistent consistency inconsistency change changed changes "
        "agreement agree agreed disagreement differ differing different difference "
        "similar similarly regarding concerning respect terms aspect level".split()
    )
)

#: Capitalised words that are not names: function words and pronouns, titles ("Mr"), calendar
#: and number words, and words that often open a sentence ("However", "Read more").
#: Pseudo-relevance feedback looks for names among capitalised words
#: (:mod:`qa.retrieval.feedback`).
NOT_NAMES = (
    FUNCTION_WORDS
    | CALENDAR_WORDS
    | NUMBER_WORDS
    | frozenset(
        "but if he she they we you i his her our my your here not no yes so than then after "
        "before while during since until over under mr mrs ms dr last next new read more said "
        "says however meanwhile still".split()
    )
)

#: Words a follow-up question does not borrow from the previous one (:mod:`qa.question.rewrite`):
#: function words, auxiliaries, pronouns and speech words; unlike :data:`QUESTION_FRAME_WORDS`,
#: comparison and time words ("before", "not") are borrowed, since they may be the topic.
FOLLOW_UP_STOP_WORDS = (
    FUNCTION_WORDS
    | REPORTING_WORDS
    | frozenset(
        "but be been being are was were do does did they them he she his her than then so any "
        "some say said says tell told question answer".split()
    )
)
