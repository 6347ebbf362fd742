"""Corroboration and conflicts: ``python -m bench.claims``.

Over the cases of ``bench/data/claims.json`` (:mod:`bench.claims_cases`): each case's articles
and the background articles are ingested into a fresh index in a temporary folder (the real
ingestion, the packaged embedder, a real Chroma on disk), and the case's question is answered
two ways:

- **answer**: ``Answerer.ask`` end to end (extractive, the default reader). The citation of
  the case's statement is the one whose highlighted sentence holds the statement's words.
- **cited**: the statement of the case's first article cited directly (an answer citing
  that sentence alone), checked by :func:`qa.answer.crosscheck.cross_check` against the
  passages retrieved for the question and the statement's own search: the cross-check
  measured apart from whether the answerer happened to cite the statement.

Scores, per way:

- **count exact**: share of cases whose cited statement's outlet count
  (``Citation.outlets_for(span)``) equals the number of distinct outlets stating it as the
  cited article does; a case whose answer does not
  cite the statement counts as a miss (and is counted in "statement cited");
- **conflicts found** (recall): share of "conflict" cases with a reported conflict, not marked
  as an update, whose sides are articles stating the statement in two different versions;
- **false alarms**: share of "none" cases (the sources agree, or state different things) with
  any conflict or update reported;
- **conflict precision**: share of the conflicts reported on "none" and "conflict" cases that are
  right: not marked as an update, and with sides as above;
- **updates**: share of "update" cases reported as an update (sides on different days).

The same numbers come from :func:`section` (``(markdown_table, figures)``) for a combined report.
Results: ``bench/results/claims.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index import Settings, open_index
from index.text import sentence_spans
from qa import Answer, Answerer, Citation
from qa.answer.crosscheck import cross_check

from .claims_cases import Case, background_articles, build_articles, load_cases, load_corpus

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "claims.json"
CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
RESULTS = ROOT / "bench" / "results"

WAYS = ("answer", "cited")


class CachedEmbedder:
    """The index's embedder, remembering each text's vector: the cases share most passages
    (copies of one story, the background), so each is embedded once per run."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing)):
                self._vectors[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])


def _flat(text: str) -> str:
    return " ".join(text.split())


def statement_citation(
    answer: Answer, case: Case
) -> tuple[Citation, tuple[int, int]] | tuple[None, None]:
    """The first citation whose highlighted sentence holds the case's statement, as its
    article words it, and that sentence's span ((None, None) when none does)."""
    for citation in answer.citations:
        wanted = _flat(case.key_of(citation.passage.article_id))
        for start, end in citation.highlights:
            if wanted and wanted in _flat(citation.passage.text[start:end]):
                return citation, (start, end)
    return None, None


def conflict_right(case: Case, answer: Answer, conflict) -> bool:
    """True when every side of ``conflict`` is an article stating the statement, in at least
    two different versions."""
    by_number = {c.number: c for c in answer.citations}
    groups = []
    for side in conflict.sides:
        citation = by_number.get(side.citation)
        group = case.group_of(citation.passage.article_id) if citation else None
        if group is None:
            return False
        groups.append(group)
    return len(set(groups)) >= 2


def score_answer(case: Case, answer: Answer) -> dict[str, Any]:
    """One case's row: was the statement cited, its count and the expected one, the
    conflicts reported and whether they are right."""
    citation, span = statement_citation(answer, case)
    group = case.group_of(citation.passage.article_id) if citation else None
    expected = case.outlets_of(group) if group else None
    outlets = citation.outlets_for(span) if citation and span else ()
    right = [conflict_right(case, answer, c) for c in answer.conflicts]
    kinds = ["update" if c.update else "conflict" for c in answer.conflicts]
    found = any(r and k == case.expect for r, k in zip(right, kinds))
    return {
        "id": case.id,
        "split": case.split,
        "category": case.category,
        "expect": case.expect,
        "cited": citation is not None,
        "count": len(outlets) if citation else None,
        "expected_count": expected,
        "count_exact": citation is not None and len(outlets) == expected,
        "outlets": list(outlets),
        "conflicts": [
            {
                "update": c.update,
                "kind": c.kind,
                "right": r,
                "sides": [[s.outlet, s.value, s.citation] for s in c.sides],
            }
            for c, r in zip(answer.conflicts, right)
        ],
        "found": found,
    }


def cited_answer(case: Case, answerer: Answerer) -> Answer:
    """The answer that cites the statement of the case's first article alone, cross-checked
    against the passages the question retrieves."""
    first = case.url(0)
    statement = _flat(case.key_of(first))
    for passage in answerer.retriever.search_words(statement, 20):
        if passage.article_id != first:
            continue
        flat = _flat(passage.text)
        if statement not in flat:
            continue
        for start, end in sentence_spans(passage.text):
            if statement in _flat(passage.text[start:end]):
                citation = Citation(1, passage, ((start, end),))
                answer = Answer(text=f"{passage.text[start:end]} [1]", citations=(citation,))
                passages = answerer.retrieve(case.question, k=answerer.settings.top_k)

                def search(text: str, k: int):
                    return answerer.retriever.search_words(text, k)

                return cross_check(answer, passages, search, answerer.crosscheck)
    raise ValueError(f"case {case.id}: the statement's sentence was not found in the index")


def run(
    cases: Sequence[Case], background: Sequence[str], corpus_path: Path, embedder: Any = None
) -> list[dict[str, Any]]:
    """Every case answered both ways; one row per case and way."""
    from index.embedding import MiniLMEmbedder

    corpus = load_corpus(corpus_path)
    embedder = CachedEmbedder(embedder or MiniLMEmbedder())
    extra = background_articles(list(background), corpus)
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsqa-claims-") as tmp:
        for case in cases:
            index = open_index(Settings(data_dir=Path(tmp) / case.id), embedder=embedder)
            report = index.add_articles([*build_articles(case, corpus), *extra])
            if report.errors:
                raise RuntimeError(f"case {case.id}: ingestion failed: {report.errors}")
            answerer = Answerer(index)
            rows.append({"way": "answer", **score_answer(case, answerer.ask(case.question))})
            rows.append({"way": "cited", **score_answer(case, cited_answer(case, answerer))})
    return rows


def _share(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    conflicts = [c for r in rows if r["expect"] != "update" for c in r["conflicts"]]
    return {
        "cases": len(rows),
        "statement_cited": _share([r["cited"] for r in rows]),
        "count_exact": _share([r["count_exact"] for r in rows]),
        "count_exact_when_cited": _share([r["count_exact"] for r in rows if r["cited"]]),
        "conflict_cases": sum(r["expect"] == "conflict" for r in rows),
        "conflicts_found": _share([r["found"] for r in rows if r["expect"] == "conflict"]),
        "none_cases": sum(r["expect"] == "none" for r in rows),
        "false_alarms": _share([bool(r["conflicts"]) for r in rows if r["expect"] == "none"]),
        "conflict_precision": _share([c["right"] and not c["update"] for c in conflicts]),
        "reported": len(conflicts),
        "update_cases": sum(r["expect"] == "update" for r in rows),
        "updates_found": _share([r["found"] for r in rows if r["expect"] == "update"]),
    }


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The figures of each way, over all cases and per split ("answer", "answer/heldout" ...;
    see the module docstring)."""
    out = {}
    splits = sorted({r["split"] for r in rows})
    for way in WAYS:
        mine = [r for r in rows if r["way"] == way]
        out[way] = _figures(mine)
        for split in splits:
            out[f"{way}/{split}"] = _figures([r for r in mine if r["split"] == split])
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(figures: dict[str, dict[str, Any]]) -> str:
    """The figures as a markdown table, one row per way."""
    head = (
        "| way / split | cases | statement cited | count exact | conflicts found | false alarms "
        "| conflict precision | updates found |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for way, f in figures.items():
        lines.append(
            f"| {way} | {f['cases']} | {_fmt(f['statement_cited'])} | {_fmt(f['count_exact'])} "
            f"| {_fmt(f['conflicts_found'])} ({f['conflict_cases']}) "
            f"| {_fmt(f['false_alarms'])} ({f['none_cases']}) "
            f"| {_fmt(f['conflict_precision'])} ({f['reported']}) "
            f"| {_fmt(f['updates_found'])} ({f['update_cases']}) |"
        )
    return "\n".join(lines)


def by_category(rows: Sequence[dict[str, Any]]) -> str:
    """Per category (answer way): cases, count exact, and the conflict verdicts."""
    lines = [
        "| category | cases | expect | count exact | conflict/update found | any reported |",
        "|---|---:|---|---:|---:|---:|",
    ]
    mine = [r for r in rows if r["way"] == "answer"]
    for category in sorted({r["category"] for r in mine}):
        group = [r for r in mine if r["category"] == category]
        expects = ", ".join(sorted({r["expect"] for r in group}))
        lines.append(
            f"| {category} | {len(group)} | {expects} | "
            f"{sum(r['count_exact'] for r in group)}/{len(group)} | "
            f"{sum(r['found'] for r in group)} | {sum(bool(r['conflicts']) for r in group)} |"
        )
    return "\n".join(lines)


def section(
    data: Path = DATA, corpus: Path = CORPUS, embedder: Any = None
) -> tuple[str, dict[str, Any]]:
    """The benchmark as one report section: (markdown, figures).

    Args:
        data: the cases file.
        corpus: the MultiHop-RAG corpus the cases take articles from.
        embedder: the embedding model (default: the packaged one).

    Returns:
        The markdown (the main table and the per-category one) and the figures
        (``{"answer": {...}, "cited": {...}, "rows": [...]}``).
    """
    cases, background = load_cases(data)
    rows = run(cases, background, corpus, embedder)
    figures = summarise(rows)
    kinds = Counter(c.expect for c in cases)
    intro = (
        f"{len(cases)} cases ({kinds['none']} agreeing or unrelated, {kinds['conflict']} "
        f"conflicts, {kinds['update']} updates), {len(background)} background articles."
    )
    markdown = "\n\n".join([intro, table(figures), by_category(rows)])
    return markdown, {**figures, "rows": rows}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write bench/results/claims.md and .json."""
    parser = argparse.ArgumentParser(prog="python -m bench.claims", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--name", default="claims", help="results file stem")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"{args.corpus} is missing (the MultiHop-RAG corpus)", file=sys.stderr)
        return 2
    markdown, figures = section(args.data, args.corpus)
    print(markdown)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        meta = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": os.path.relpath(args.data.resolve(), ROOT),
            "corpus": os.path.relpath(args.corpus.resolve(), ROOT),
        }
        (RESULTS / f"{args.name}.md").write_text(
            f"# Corroboration and conflicts\n\n`python -m bench.claims`\n\n{markdown}\n",
            encoding="utf-8",
        )
        (RESULTS / f"{args.name}.json").write_text(
            json.dumps({**meta, **figures}, indent=1, default=str), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
