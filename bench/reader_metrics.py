"""The reader benchmark's metrics (:mod:`bench.reader`): answer matching, SQuAD's EM and F1,
the dev/report split, and each question set's summary from per-question rows.

Normalisation is SQuAD's official one (lower case, punctuation removed, the articles a/an/the
dropped, whitespace collapsed); EM and F1 use exactly that. Containment, used for short-answer
accuracy and "gold in text", first folds typographic quotes and dashes to ASCII (the news
articles use them, gold answers often not) and drops the possessive "'s" (so "Uber" is found
in "Uber's chief"), then asks for whole words: the normalised gold must be a run of whole words
of the normalised text, so "Meta" is not found in "metaverse".
"""

from __future__ import annotations

import hashlib
import re
import statistics
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from . import answers
from .retrieval_metrics import percentile

#: The longest short answer that counts: a name or a phrase, not a sentence.
SHORT_WORDS = 8
#: The SQuAD question parts: ``dev`` to develop on, ``report`` only measured.
PARTS = ("dev", "report")

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_MARKER = re.compile(r"\[\d+\]")
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")


def normalise_answer(text: str) -> str:
    """SQuAD's official answer normalisation.

    Lower case, punctuation removed, the articles a/an/the dropped, whitespace collapsed.
    """
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, golds: Iterable[str]) -> float:
    """1.0 when the normalised prediction equals one of the normalised gold answers."""
    got = normalise_answer(prediction)
    return float(any(got == normalise_answer(gold) for gold in golds))


def f1_score(prediction: str, golds: Iterable[str]) -> float:
    """SQuAD's token F1 of ``prediction``, the best over ``golds`` (0.0 with no golds)."""
    predicted = normalise_answer(prediction).split()
    best = 0.0
    for gold in golds:
        wanted = normalise_answer(gold).split()
        if not predicted or not wanted:
            best = max(best, float(predicted == wanted))
            continue
        same = sum((Counter(predicted) & Counter(wanted)).values())
        if same:
            precision, recall = same / len(predicted), same / len(wanted)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def squad_scores(
    short_answer: str, golds: Sequence[str], answerable: bool, abstained: bool
) -> tuple[float, float]:
    """(EM, F1) of one SQuAD 2.0 question, abstention included.

    Args:
        short_answer: the answerer's short answer.
        golds: the gold answers (empty for an unanswerable question).
        answerable: whether the paragraph answers the question.
        abstained: whether the answerer abstained.

    Returns:
        (1, 1) for an abstention on an unanswerable question, (0, 0) for an answer to one or an
        abstention on an answerable one, else the best EM and F1 over ``golds``.
    """
    if not answerable:
        return (1.0, 1.0) if abstained else (0.0, 0.0)
    if abstained:
        return 0.0, 0.0
    return exact_match(short_answer, golds), f1_score(short_answer, golds)


def word_count(short_answer: str) -> int:
    """Words of a short answer, citation markers ``[n]`` not counted."""
    return len(_MARKER.sub(" ", short_answer).split())


def contains_answer(text: str, golds: Iterable[str]) -> bool:
    """True when a normalised gold answer is a run of whole words of the normalised text."""
    haystack = f" {_for_containment(text)} "
    for gold in golds:
        needle = _for_containment(gold)
        if needle and f" {needle} " in haystack:
            return True
    return False


def _for_containment(text: str) -> str:
    return normalise_answer(_POSSESSIVE.sub("", text.translate(_TYPOGRAPHIC)))


def short_answer_correct(short_answer: str, golds: Iterable[str]) -> bool:
    """True when the short answer is at most :data:`SHORT_WORDS` words and holds a gold."""
    return 0 < word_count(short_answer) <= SHORT_WORDS and contains_answer(short_answer, golds)


def part_of(question_id: str) -> str:
    """``dev`` (first byte of sha1 of the id even) or ``report``."""
    return "dev" if hashlib.sha1(question_id.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def _share(rows: Sequence[dict], key: str) -> float | None:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 4) if rows else None


def _mean(rows: Sequence[dict], key: str) -> float | None:
    return round(statistics.fmean(r[key] for r in rows), 4) if rows else None


def latency(rows: Sequence[dict]) -> dict[str, int]:
    """Questions timed, median and 95th percentile of the answer time in whole ms."""
    ms = [r["seconds"] * 1000.0 for r in rows]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms)) if ms else 0,
        "p95_ms": round(percentile(ms, 95)),
    }


def summarise_multihop(rows: Sequence[dict]) -> dict[str, Any]:
    """The MultiHop-RAG figures of one variant."""
    inference = [r for r in rows if r["type"] == "inference_query"]
    null = [r for r in rows if r["type"] == "null_query"]
    answerable = [r for r in rows if r["type"] != "null_query"]
    theirs = answers.summarise(rows, {})
    return {
        "questions": len(rows),
        "inference": len(inference),
        "short_answer_accuracy": _share(inference, "short_correct"),
        "gold_in_text": _share(inference, "gold_in_text"),
        "null": len(null),
        "abstention_null": _share(null, "abstained"),
        "answerable": len(answerable),
        "false_abstention": _share(answerable, "abstained"),
        "citation_precision": theirs["citation_precision"],
        "citations": theirs["citations"],
        # bench.answers' own match (short answer and gold contain each other, yes/no exact),
        # all answerable questions: comparable with its results files.
        "answers_accuracy": theirs["accuracy"],
        "answers_by_type": theirs["by_type"],
        "short_words_median": _median_words(inference),
        "latency": latency(rows),
    }


def summarise_squad(rows: Sequence[dict]) -> dict[str, Any]:
    """The SQuAD figures of one variant, per part and for both parts together."""
    out: dict[str, Any] = {}
    for part in (*PARTS, "all"):
        group = [r for r in rows if part == "all" or r["part"] == part]
        answerable = [r for r in group if r["answerable"]]
        unanswerable = [r for r in group if not r["answerable"]]
        out[part] = {
            "questions": len(group),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "em": _mean(answerable, "em"),
            "f1": _mean(answerable, "f1"),
            "gold_in_text": _share(answerable, "gold_in_text"),
            "abstention": _share(unanswerable, "abstained"),
            "false_abstention": _share(answerable, "abstained"),
            "overall_em": _mean(group, "em"),
            "overall_f1": _mean(group, "f1"),
            "short_words_median": _median_words(answerable),
        }
    out["latency"] = latency(rows)
    return out


def summarise_news(rows: Sequence[dict]) -> dict[str, Any]:
    """The news-set figures of one variant, overall and per answer type."""

    def figures(group: Sequence[dict]) -> dict[str, Any]:
        answerable = [r for r in group if r["answerable"]]
        unanswerable = [r for r in group if not r["answerable"]]
        return {
            "answerable": len(answerable),
            "short_answer_accuracy": _share(answerable, "short_correct"),
            "gold_in_text": _share(answerable, "gold_in_text"),
            "false_abstention": _share(answerable, "abstained"),
            "cites_url": _share([r for r in answerable if not r["abstained"]], "cites_url"),
            "unanswerable": len(unanswerable),
            "abstention": _share(unanswerable, "abstained"),
        }

    types = sorted({r["answer_type"] for r in rows if r["answerable"]})
    return {
        "all": figures(rows),
        "by_type": {
            t: figures([r for r in rows if r["answerable"] and r["answer_type"] == t])
            for t in types
        },
        "latency": latency(rows),
    }


def _median_words(rows: Sequence[dict]) -> float | None:
    words = [r["short_words"] for r in rows if not r["abstained"]]
    return statistics.median(words) if words else None
