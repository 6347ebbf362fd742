"""Cross-checking an answer's cited statements against the other articles searched.

Run on every finished answer that cites something, extractive or written by a model, after its
citations are final:

1. **The statements.** Each highlighted sentence of each citation (the sentence the answer
   quotes, or the one citation verification found supporting a model's claim) is a statement.
2. **The other reports.** Every sentence of the retrieved passages from *other* articles is a
   candidate; a BM25 search with each statement's own words (``search``, within the user's
   date and outlet filters) adds the passages that state it in other words than the question
   used, so a report that did not rank for the question is still found.
3. **Corroboration.** A candidate from another outlet that states the same claim
   (:meth:`qa.answer.claims.ClaimConfig.same_claim`: its words, its names and every figure and
   date, none the other way) is a :class:`~qa.types.Report` on the citation, one per outlet.
   ``Citation.reported_by`` counts the outlets, the cited one included. Copies of one wire
   story in several outlets count as several outlets: each chose to report it.
4. **Conflicts.** A candidate worded like the statement whose value for the same thing differs
   (:meth:`~qa.answer.claims.ClaimConfig.disagrees`) makes a :class:`~qa.types.Conflict`. The
   answer text states it, both sides cited: "The sources differ: Reuters says 30,000 people
   [1]; AP says 25,000 people [2]." Sides published on different days are an update, said as
   one: "Reuters reported 25,000 on 3 October 2023 [1]; AP later reported 30,000 on 4 October
   2023 [2]." Reports more than ``max_days_apart`` apart are not compared: a figure a week
   later is more often about another occasion than a correction.

Nothing here calls a model, so LLM answers are checked the same way and the conflict sentence
is appended to the model's text with citations that are valid by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from index.text import sentence_spans

from ..types import Answer, Citation, Conflict, ConflictSide, Passage, Report, outlet_key
from .claims import ClaimConfig, Statement, compare, first_value_clash, statement
from .values import Value

__all__ = ["CrossCheckConfig", "cross_check"]

#: A search by a statement's words: (text, k) -> passages.
Search = Callable[[str, int], Sequence[Passage]]


@dataclass(frozen=True)
class CrossCheckConfig:
    """Knobs of the cross-check.

    Attributes:
        enabled: off: answers carry no corroboration and no conflicts.
        search_k: passages of the extra search per statement (0: only the retrieved ones).
        max_statements: statements checked per answer (the first cited).
        max_conflicts: conflicts stated per answer.
        max_days_apart: reports published further apart are not compared for conflicts.
        min_words: shorter sentences are not candidates (bylines, captions).
        claims: when two sentences state the same claim or disagree.
    """

    enabled: bool = True
    search_k: int = 6
    max_statements: int = 6
    max_conflicts: int = 2
    max_days_apart: int = 7
    min_words: int = 5
    claims: ClaimConfig = field(default_factory=ClaimConfig)


@dataclass(frozen=True)
class _Sentence:
    """A candidate sentence: its passage and span, read as a statement."""

    passage: Passage
    start: int
    end: int
    statement: Statement
    context: frozenset[str]

    @property
    def where(self) -> tuple[str, int]:
        """(article id, offset in the article): one sentence of overlapping chunks is one."""
        return self.passage.article_id, self.passage.start + self.start


def _sentences(passages: Sequence[Passage], min_words: int) -> list[_Sentence]:
    out: list[_Sentence] = []
    seen: set[tuple[str, int]] = set()
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            if len(text.split()) < min_words:
                continue
            where = (passage.article_id, passage.start + start)
            if where in seen:
                continue
            seen.add(where)
            read = statement(" ".join(text.split()))
            out.append(_Sentence(passage, start, end, read, statement(passage.title).names))
    return out


def _statements(answer: Answer, limit: int) -> list[tuple[Citation, tuple[int, int]]]:
    out = []
    for citation in answer.citations:
        for span in citation.highlights:
            out.append((citation, span))
    return out[:limit]


def _text(passage: Passage, span: tuple[int, int]) -> str:
    return " ".join(passage.text[span[0] : span[1]].split())


def cross_check(
    answer: Answer,
    passages: Sequence[Passage],
    search: Search | None = None,
    config: CrossCheckConfig = CrossCheckConfig(),
) -> Answer:
    """``answer`` with each citation's corroborating reports and the conflicts stated.

    Args:
        answer: a finished answer (abstentions and answers without citations come back as
            they are).
        passages: the passages retrieved for the question.
        search: finds passages by a statement's words (step 2 of the module docstring); None
            checks against ``passages`` only.
        config: the knobs.

    Returns:
        The answer with ``Citation.corroborated_by`` filled in, and with ``conflicts`` and the
        sentences stating them appended to its text, citing both sides (a side not cited yet
        gets the next number).
    """
    if not config.enabled or answer.abstained or not answer.citations:
        return answer
    statements = _statements(answer, config.max_statements)
    pool = list(passages)
    if search is not None and config.search_k:
        known = {p.chunk_id or (p.article_id, p.start) for p in pool}
        for citation, span in statements:
            for p in search(_text(citation.passage, span), config.search_k):
                key = p.chunk_id or (p.article_id, p.start)
                if key not in known:
                    known.add(key)
                    pool.append(p)
    candidates = _sentences(pool, config.min_words)
    citations = list(answer.citations)
    conflicts, lines = _conflicts(statements, candidates, citations, config)
    citations = [_corroborated(c, candidates, config.claims) for c in citations]
    text = answer.text
    if lines:
        text = f"{text} {' '.join(lines)}"
    return replace(answer, text=text, citations=tuple(citations), conflicts=tuple(conflicts))


def _corroborated(
    citation: Citation, candidates: Sequence[_Sentence], claims: ClaimConfig
) -> Citation:
    """``citation`` with the reports of its statements in other outlets (one per outlet and
    statement, the most alike)."""
    own = outlet_key(citation.passage.source, citation.passage.url)
    reports: list[Report] = []
    for span in citation.highlights:
        mine = statement(_text(citation.passage, span))
        best: dict[str, tuple[float, Report]] = {}
        for cand in candidates:
            p = cand.passage
            key = outlet_key(p.source, p.url)
            if not key or key == own or p.article_id == citation.passage.article_id:
                continue
            c = compare(mine, cand.statement, claims.lined_up, cand.context)
            if not claims.same_claim(c, mine):
                continue
            alike = max(c.overlap, c.reverse)
            if key not in best or alike > best[key][0]:
                best[key] = (alike, _report(cand, span))
        reports += [report for _, report in sorted(best.values(), key=lambda x: -x[0])]
    return replace(citation, corroborated_by=tuple(reports))


def _report(cand: _Sentence, span: tuple[int, int]) -> Report:
    p = cand.passage
    return Report(
        outlet=p.source or outlet_key(p.source, p.url),
        title=p.title,
        published=p.published,
        url=p.url,
        article_id=p.article_id,
        chunk_id=p.chunk_id,
        sentence=p.text[cand.start : cand.end],
        start=p.start + cand.start,
        end=p.start + cand.end,
        statement=span,
    )


def _days_apart(a: date | None, b: date | None) -> int:
    return abs((a - b).days) if a and b else 0


def _conflicts(
    statements: Sequence[tuple[Citation, tuple[int, int]]],
    candidates: Sequence[_Sentence],
    citations: list[Citation],
    config: CrossCheckConfig,
) -> tuple[list[Conflict], list[str]]:
    """The conflicts of the statements, and a sentence stating each; ``citations`` gains the
    other sides (in place)."""
    conflicts: list[Conflict] = []
    lines: list[str] = []
    stated: set[frozenset[str]] = set()
    for citation, span in statements:
        passage = citation.passage
        mine = statement(_text(passage, span))
        # For each value of the statement, the other articles' values that clash with it.
        clashing: dict[Value, dict[str, tuple[Value, _Sentence]]] = {}
        for cand in candidates:
            p = cand.passage
            if p.article_id == passage.article_id:
                continue
            if _days_apart(p.published, passage.published) > config.max_days_apart:
                continue
            comparison = compare(mine, cand.statement, config.claims.lined_up, cand.context)
            clashes = config.claims.disagrees(comparison)
            if clashes:
                v, w = first_value_clash(clashes)
                clashing.setdefault(v, {}).setdefault(p.article_id, (w, cand))
        for v, others in clashing.items():
            articles = frozenset({passage.article_id, *others})
            if articles in stated or len(conflicts) >= config.max_conflicts:
                continue
            stated.add(articles)
            sides = [
                ConflictSide(v.text, passage.source, passage.published, citation.number, mine.text)
            ]
            for w, cand in others.values():
                sides.append(
                    ConflictSide(
                        w.text,
                        cand.passage.source,
                        cand.passage.published,
                        _cite(citations, cand),
                        cand.statement.text,
                    )
                )
            days = {side.published for side in sides if side.published}
            conflict = Conflict(mine.masked(v), v.kind, tuple(sides), update=len(days) > 1)
            conflicts.append(conflict)
            lines.append(state_conflict(conflict))
    return conflicts, lines


def _cite(citations: list[Citation], sentence: _Sentence) -> int:
    """The number of the citation showing ``sentence``: its passage's, with the sentence added
    to its highlights, or a new citation."""
    span = (sentence.start, sentence.end)
    place = (sentence.passage.article_id, sentence.passage.start)
    for i, citation in enumerate(citations):
        if (citation.passage.article_id, citation.passage.start) == place:
            if span not in citation.highlights:
                highlights = tuple(sorted((*citation.highlights, span)))
                citations[i] = replace(citation, highlights=highlights)
            return citation.number
    number = max((c.number for c in citations), default=0) + 1
    citations.append(Citation(number, sentence.passage, (span,)))
    return number


def _outlet(side: ConflictSide, first: bool) -> str:
    if side.outlet:
        return side.outlet
    return "One article" if first else "another article"


def _day(d: date | None) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}" if d else "an unknown date"


def state_conflict(conflict: Conflict) -> str:
    """The sentence the answer states a conflict in, each side cited.

    Args:
        conflict: the conflict.

    Returns:
        "The sources differ: A says X [1]; B says Y [2].", "The sources differ on who said
        this: A names X [1]; B names Y [2]." or, for sides published on different days,
        "A reported X on <day> [1]; B later reported Y on <day> [2]."
    """
    sides = list(conflict.sides)
    if conflict.update:
        sides.sort(key=lambda s: s.published or date.min)
        parts = []
        for i, side in enumerate(sides):
            verb = "reported" if i == 0 else "later reported"
            parts.append(
                f"{_outlet(side, i == 0)} {verb} {side.value} on {_day(side.published)} "
                f"[{side.citation}]"
            )
        return "; ".join(parts) + "."
    verb, head = ("names", "The sources differ on who said this: ")
    if conflict.kind != "speaker":
        verb, head = "says", "The sources differ: "
    parts = [
        f"{_outlet(side, i == 0)} {verb} {side.value} [{side.citation}]"
        for i, side in enumerate(sides)
    ]
    return head + "; ".join(parts) + "."
