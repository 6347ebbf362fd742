"""Citation verification: every marker must point at a passage that states its claim.

Deterministic and local, run on the finished reply before it is shown as final:

1. The reply is split into sentences; a sentence with markers at several places ("X [1] and
   Y [2].") is split into claims, one per marker group, each claim being the words before its
   markers.
2. For each claim and each passage the model was shown, the best supporting sentence is found:
   lexical support is the share of the claim's content words (stemmed, stop words and reporting
   verbs removed) that the sentence, or the sentence with its neighbour, contains (the passage's
   headline and outlet count too: "TechCrunch reported ..." names the outlet); dense support is
   the cosine similarity of claim and sentence in the retrieval embedding space.
3. A passage supports a claim when lexical >= ``min_lexical`` or dense >= ``min_dense``. The
   thresholds were calibrated on the MultiHop-RAG dev questions (``python -m bench.calibrate``,
   results in ``bench/results/calibration.json``): pairs of a question clause that
   paraphrases one article's fact and a retrieved passage, positive when the passage holds that
   fact; the operating point maximises F0.5, favouring precision, because a wrong marker is worse
   than a missing one.
4. Markers whose passage does not support the claim are removed; when none of a claim's markers
   survive, the marker moves to the shown passage that supports it best, or the claim is flagged
   unsupported. A factual sentence the model left uncited gets a marker when a passage supports
   it, and is flagged otherwise. The short-answer line and "the articles don't say" sentences
   are not claims.

The output text keeps the model's (prompt) numbering; :mod:`qa.answerer` renumbers it and
carries the unsupported sentences' offsets over with :func:`carry_spans`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.chunking import sentence_spans
from index.lexical import tokenize

from .citations import MARKER, strip_markers
from .prompts import MODEL_ABSTAIN_PATTERN
from .sentences import SentenceTable

#: A run of markers such as "[1][3]" or "[1], [3]" and the spaces before it.
_GROUP = re.compile(r"\s*(?:" + MARKER.pattern + r")(?:\s*,?\s*" + MARKER.pattern + r")*")
_LEADING_GROUP = re.compile(
    r"\s*(?:" + MARKER.pattern + r")(?:\s*,?\s*" + MARKER.pattern + r")*[.,;:]?"
)
_REPORTING_WORDS = (
    "report reported reports reporting article articles according said says say stated states "
    "suggest suggests suggested mention mentions mentioned noted notes passage passages wrote"
)


@lru_cache(maxsize=1)
def _reporting_terms() -> frozenset[str]:
    return frozenset(tokenize([_REPORTING_WORDS])[0])


@dataclass(frozen=True)
class VerifyConfig:
    """Thresholds of citation support (calibrated, see the module docstring).

    Attributes:
        min_lexical: share of the claim's content words found in the supporting sentence(s).
        min_dense: cosine similarity of claim and supporting sentence.
        min_claim_terms: sentences with fewer content words are not checked as claims.
    """

    # The operating point, with its precision and recall: bench/results/calibration.json.
    min_lexical: float = 0.55
    min_dense: float = 0.79
    min_claim_terms: int = 3


@dataclass(frozen=True)
class Support:
    """How well one passage supports one claim.

    Attributes:
        passage_index: the passage (position in the sentence table).
        span: (start, end) in the passage text of the best supporting sentence, or None.
        lexical: lexical support (0..1).
        dense: dense support (cosine).
    """

    passage_index: int
    span: tuple[int, int] | None
    lexical: float
    dense: float

    def supported(self, config: VerifyConfig) -> bool:
        """True when either signal clears its threshold."""
        return self.span is not None and (
            self.lexical >= config.min_lexical or self.dense >= config.min_dense
        )

    @property
    def score(self) -> float:
        """Ranking score among supporting passages."""
        return self.lexical + self.dense


@dataclass(frozen=True)
class ClaimCheck:
    """The verdict on one claim of the reply.

    Attributes:
        claim: the claim's words (markers removed).
        sentence: the whole sentence it belongs to (markers removed), as the text shows it.
        cited: prompt numbers the model gave it.
        kept: prompt numbers after verification.
        supported: False when no shown passage supports it (flagged).
        spans: (prompt number, span in that passage) of the supporting sentences.
    """

    claim: str
    sentence: str
    cited: tuple[int, ...]
    kept: tuple[int, ...]
    supported: bool
    spans: tuple[tuple[int, tuple[int, int]], ...] = ()


@dataclass(frozen=True)
class Verification:
    """The verified reply.

    Attributes:
        text: the reply with corrected markers (prompt numbering).
        checks: one verdict per claim, in reply order.
        unsupported: (start, end) offsets in ``text`` of the sentences holding a claim no shown
            passage supports, in text order.
    """

    text: str
    checks: tuple[ClaimCheck, ...]
    unsupported: tuple[tuple[int, int], ...]

    @property
    def removed(self) -> int:
        """Markers dropped without replacement."""
        return sum(len(set(c.cited) - set(c.kept)) for c in self.checks if not c.kept)

    @property
    def moved(self) -> int:
        """Claims whose marker moved to another passage."""
        return sum(1 for c in self.checks if c.cited and c.kept and not set(c.kept) & set(c.cited))

    @property
    def added(self) -> int:
        """Uncited claims that got a marker."""
        return sum(1 for c in self.checks if not c.cited and c.kept)


def claim_terms(claim: str) -> frozenset[str]:
    """Stemmed content words of a claim, without reporting verbs ("reported", "said", ...)."""
    return frozenset(tokenize([claim])[0]) - _reporting_terms()


def support_of(
    terms: frozenset[str], vector: np.ndarray, table: SentenceTable, passage_index: int
) -> Support:
    """The best support ``passage_index`` gives a claim (its terms and unit embedding).

    Args:
        terms: :func:`claim_terms` of the claim.
        vector: the claim's embedding (same space as ``table.vectors``).
        table: sentences of the passages.
        passage_index: the passage to search.
    """
    rows = table.rows_of(passage_index)
    if not rows or not terms:
        return Support(passage_index, None, 0.0, 0.0)
    meta = table.meta_terms[passage_index]
    dense = (
        table.vectors[rows] @ vector
        if table.vectors.shape[1] == vector.shape[0]
        else np.zeros(len(rows))
    )
    best: Support | None = None
    for i, row in enumerate(rows):
        own = table.terms[row] | meta
        lexical = len(terms & own) / len(terms)
        if i + 1 < len(rows):
            # A claim often joins two adjacent sentences ("X, who said Y").
            lexical = max(lexical, len(terms & (own | table.terms[rows[i + 1]])) / len(terms))
        sentence = table.sentences[row]
        candidate = Support(passage_index, (sentence.start, sentence.end), lexical, float(dense[i]))
        if best is None or candidate.score > best.score:
            best = candidate
    assert best is not None
    return best


@dataclass
class _Claim:
    text: str
    sentence: str
    numbers: list[int]
    edit: tuple[int, int] | None  # span of the marker group in the reply (None: no markers)
    sentence_end: int
    span: tuple[int, int]  # the whole sentence in the reply


class CitationVerifier:
    """Checks and corrects the markers of a reply (see the module docstring).

    Args:
        config: support thresholds.
    """

    def __init__(self, config: VerifyConfig = VerifyConfig()) -> None:
        self.config = config

    def verify(self, reply: str, table: SentenceTable, shown: Sequence[int]) -> Verification:
        """Verify ``reply`` against the passages it was given.

        Args:
            reply: the model's reply, markers in prompt numbering (``[n]`` = ``shown[n-1]``).
            table: sentences of the retrieved passages.
            shown: passage index (in ``table``) of each prompt number.

        Returns:
            The corrected reply and one verdict per claim.
        """
        claims = self._claims(reply)
        texts = [c.text for c in claims]
        vectors = table.embed(texts) if texts else np.zeros((0, 1))
        edits: list[tuple[int, int, str]] = []
        checks: list[ClaimCheck] = []
        flagged: dict[tuple[int, int], None] = {}
        for claim, vector in zip(claims, vectors):
            terms = claim_terms(claim.text)
            valid = [n for n in dict.fromkeys(claim.numbers) if 1 <= n <= len(shown)]
            if len(terms) < self.config.min_claim_terms or MODEL_ABSTAIN_PATTERN.search(claim.text):
                # Too short to judge ("Yes [1]") or a statement about the passages themselves:
                # keep markers that at least point at real passages sharing a word with it.
                kept = (
                    [n for n in valid if terms & self._passage_terms(table, shown[n - 1])]
                    if terms
                    else []
                )
                if claim.numbers:
                    checks.append(
                        ClaimCheck(
                            claim.text, claim.sentence, tuple(claim.numbers), tuple(kept), True
                        )
                    )
                    edits.append(self._edit(claim, kept))
                continue
            supports = {
                n: support_of(terms, vector, table, shown[n - 1]) for n in range(1, len(shown) + 1)
            }
            kept = [n for n in valid if supports[n].supported(self.config)]
            if not kept:
                backing = [s for s in supports.items() if s[1].supported(self.config)]
                if backing:
                    kept = [max(backing, key=lambda item: item[1].score)[0]]
            spans = tuple((n, supports[n].span) for n in kept if supports[n].span is not None)
            checks.append(
                ClaimCheck(
                    claim.text, claim.sentence, tuple(claim.numbers), tuple(kept), bool(kept), spans
                )
            )
            if not kept:
                flagged[claim.span] = None
            if claim.edit is not None or kept:
                edits.append(self._edit(claim, kept))
        text = reply
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        unsupported = tuple(_trim(text, _moved(span, edits)) for span in flagged)
        return Verification(text, tuple(checks), unsupported)

    @staticmethod
    def _passage_terms(table: SentenceTable, passage_index: int) -> frozenset[str]:
        rows = table.rows_of(passage_index)
        return frozenset().union(*(table.terms[r] for r in rows), table.meta_terms[passage_index])

    @staticmethod
    def _edit(claim: _Claim, kept: Sequence[int]) -> tuple[int, int, str]:
        markers = "".join(f"[{n}]" for n in kept)
        if claim.edit is not None:
            return claim.edit[0], claim.edit[1], f" {markers}" if markers else ""
        return claim.sentence_end, claim.sentence_end, f" {markers}"

    def _claims(self, reply: str) -> list[_Claim]:
        """The claims of a reply: marker groups with the words before them, and uncited
        sentences."""
        claims: list[_Claim] = []
        spans = _sentences(reply)
        newline = reply.find("\n", len(reply) - len(reply.lstrip()))
        first_line_end = newline if newline != -1 else len(reply)
        for index, (start, end) in enumerate(spans):
            sentence = reply[start:end]
            groups = list(_GROUP.finditer(sentence))
            is_short_answer = index == 0 and end <= first_line_end
            if not groups:
                if is_short_answer or not strip_markers(sentence).strip():
                    continue
                body_end = start + len(sentence.rstrip().rstrip(".!?;:").rstrip())
                whole = " ".join(sentence.split())
                claims.append(_Claim(whole, whole, [], None, body_end, (start, end)))
                continue
            whole = " ".join(strip_markers(sentence).split())
            previous = 0
            for g_index, group in enumerate(groups):
                segment = strip_markers(sentence[previous : group.start()])
                if g_index == len(groups) - 1:
                    tail = strip_markers(sentence[group.end() :])
                    if len(claim_terms(tail)) >= self.config.min_claim_terms:
                        segment = f"{segment} {tail}"
                if len(claim_terms(segment)) < self.config.min_claim_terms:
                    segment = strip_markers(sentence)
                numbers = [int(n) for m in MARKER.finditer(group[0]) for n in m[1].split(",")]
                claims.append(
                    _Claim(
                        " ".join(segment.split()),
                        whole,
                        numbers,
                        (start + group.start(), start + group.end()),
                        end,
                        (start, end),
                    )
                )
                previous = group.end()
        return claims


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a reply, with markers that open a sentence given back to the one before."""
    spans = [list(span) for span in sentence_spans(text)]
    for i in range(1, len(spans)):
        lead = _LEADING_GROUP.match(text, spans[i][0], spans[i][1])
        if lead and lead.end() > spans[i][0]:
            spans[i - 1][1] = lead.end()
            spans[i][0] = lead.end()
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _moved(span: tuple[int, int], edits: Sequence[tuple[int, int, str]]) -> tuple[int, int]:
    """``span`` of the reply, moved to where it lies once the marker ``edits`` are made."""

    def at(offset: int) -> int:
        return offset + sum(len(new) - (end - start) for start, end, new in edits if end <= offset)

    return at(span[0]), at(span[1])


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` without the white space at its ends."""
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _content(text: str) -> list[int]:
    """Offsets of the characters of ``text`` that are neither white space nor in a marker."""
    offsets: list[int] = []
    position = 0
    for match in [*MARKER.finditer(text), None]:
        stop = match.start() if match else len(text)
        offsets.extend(i for i in range(position, stop) if not text[i].isspace())
        position = match.end() if match else len(text)
    return offsets


def carry_spans(
    spans: Sequence[tuple[int, int]], source: str, target: str
) -> tuple[tuple[int, int], ...]:
    """``spans`` of ``source`` moved to ``target``, a copy of it whose markers and white space
    alone differ (renumbered markers, stripped ends).

    Args:
        spans: (start, end) offsets in ``source``.
        source: the text the spans point into.
        target: the same words with other markers.

    Returns:
        The spans' (start, end) offsets in ``target``, each from its first to its last character
        that is neither white space nor a marker; a span holding no such character is left out.

    Raises:
        ValueError: ``target`` has other words than ``source``.
    """
    before, after = _content(source), _content(target)
    if [source[i] for i in before] != [target[i] for i in after]:
        raise ValueError("the target text has other words than the source text")
    carried = []
    for start, end in spans:
        first, stop = bisect_left(before, start), bisect_left(before, end)
        if first < stop:
            carried.append((after[first], after[stop - 1] + 1))
    return tuple(carried)
