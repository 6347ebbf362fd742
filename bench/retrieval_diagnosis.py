"""Where the evidence the retriever misses is: ``python -m bench.retrieval_diagnosis``.

For every gold fact of every answerable question, one of:

* ``found``: a passage of the top ``k`` holds it;
* ``other chunk``: a passage of its article is in the top ``k``, but not the one holding the fact
  (``adjacent``: the fact's chunk is next to one of them);
* ``candidate``: its chunk was among the passages the searches returned (whole question, outlets,
  clauses: :attr:`qa.retrieval.retriever.RetrievalResult.candidates`) but did not reach the top
  ``k``;
* ``article candidate``: another chunk of its article was a candidate, its own was not;
* ``not found``: no search returned any chunk of its article.

It also reports the candidate pool's ceiling: the recall and full evidence a perfect re-ranker of
the candidates would reach (every fact whose chunk is a candidate put in the top ``k``; at most
four facts per question, so they always fit in ten). The gap between that and the retriever's own
figures is what choosing among the candidates costs, as against finding them.

Same index, questions and options as :mod:`bench.retrieval`; results go to
``bench/results/retrieval-diagnosis-<variant>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .retrieval import (
    DATASET,
    DEFAULT_DATA_DIR,
    RESULTS,
    VARIANTS,
    Question,
    load_questions,
    make_retriever,
    open_benchmark_index,
)
from .retrieval_metrics import squash

#: Fact outcomes, in report order.
OUTCOMES = ("found", "other chunk", "candidate", "article candidate", "not found")


@dataclass(frozen=True)
class Diagnosis:
    """Counts over all facts of the questions run.

    Attributes:
        questions: questions run.
        facts: gold facts.
        outcomes: facts per outcome (see the module docstring).
        adjacent: of the ``other chunk`` facts, those whose chunk neighbours one in the top k.
        recall: the retriever's evidence recall@k.
        full: the retriever's full evidence@k.
        pool_recall: recall a perfect re-ranker of the candidates would reach.
        pool_full: full evidence a perfect re-ranker of the candidates would reach.
    """

    questions: int
    facts: int
    outcomes: dict[str, int]
    adjacent: int
    recall: float
    full: float
    pool_recall: float
    pool_full: float


@dataclass(frozen=True)
class _Chunk:
    article_id: str
    index: int
    squashed: str


def _fact_chunks(fact: str, chunks: dict[str, _Chunk]) -> set[str]:
    wanted = squash(fact)
    return {chunk_id for chunk_id, c in chunks.items() if wanted in c.squashed}


def diagnose(
    retriever, chunks: dict[str, _Chunk], questions: Sequence[Question], k: int = 10
) -> Diagnosis:
    """Classify every fact of ``questions`` (see the module docstring)."""
    outcomes: Counter[str] = Counter()
    adjacent = 0
    recall = full = pool_recall = pool_full = 0.0
    for question in questions:
        result = retriever.retrieve(question.query, k=k)
        top = {p.chunk_id for p in result.passages}
        top_places = {(chunks[c].article_id, chunks[c].index) for c in top if c in chunks}
        top_articles = {article for article, _ in top_places}
        pool = set(result.candidates) | top
        pool_articles = {chunks[c].article_id for c in pool if c in chunks}
        found = in_pool = 0
        for fact in question.facts:
            holders = _fact_chunks(fact, chunks)
            articles = {chunks[c].article_id for c in holders}
            in_pool += bool(holders & pool)
            if holders & top:
                outcome = "found"
                found += 1
            elif articles & top_articles:
                outcome = "other chunk"
                near = {
                    (chunks[c].article_id, chunks[c].index + d) for c in holders for d in (-1, 1)
                }
                adjacent += bool(near & top_places)
            elif holders & pool:
                outcome = "candidate"
            elif articles & pool_articles:
                outcome = "article candidate"
            else:
                outcome = "not found"
            outcomes[outcome] += 1
        n = len(question.facts)
        recall += found / n
        full += found == n
        pool_recall += in_pool / n
        pool_full += in_pool == n
    count = len(questions) or 1
    return Diagnosis(
        questions=len(questions),
        facts=sum(outcomes.values()),
        outcomes={name: outcomes[name] for name in OUTCOMES},
        adjacent=adjacent,
        recall=recall / count,
        full=full / count,
        pool_recall=pool_recall / count,
        pool_full=pool_full / count,
    )


def render(variant: str, diagnosis: Diagnosis) -> str:
    """The Markdown report."""
    facts = diagnosis.facts or 1
    rows = [f"| {name} | {n} | {n / facts:.3f} |" for name, n in diagnosis.outcomes.items()]
    return "\n".join(
        [
            f"# Where the evidence is: variant `{variant}`",
            "",
            f"{diagnosis.questions} questions, {diagnosis.facts} gold facts.",
            "",
            "| fact | facts | share |",
            "|---|---:|---:|",
            *rows,
            "",
            (
                f"Of the `other chunk` facts, {diagnosis.adjacent} sit in a chunk next to one "
                "of the top passages of their article."
            ),
            "",
            "| | Recall@10 | Full@10 |",
            "|---|---:|---:|",
            f"| retriever | {diagnosis.recall:.3f} | {diagnosis.full:.3f} |",
            (
                f"| perfect re-ranking of its candidates | {diagnosis.pool_recall:.3f} | "
                f"{diagnosis.pool_full:.3f} |"
            ),
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the diagnosis (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DATASET / "queries-dev.json")
    parser.add_argument("--corpus", type=Path, default=DATASET / "corpus.json")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--variant", default="default", choices=list(VARIANTS))
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)

    from qa.retrieval.chunk_table import load_table

    index = open_benchmark_index(args.corpus, args.data_dir)
    table = load_table(index.store)
    chunks = {c.id: _Chunk(c.article_id, c.index, squash(c.text)) for c in table.chunks}
    questions = load_questions(args.questions)
    if args.limit:
        questions = questions[: args.limit]
    diagnosis = diagnose(make_retriever(index, VARIANTS[args.variant]), chunks, questions)
    report = render(args.variant, diagnosis)
    print(report)
    if not args.no_save:
        stem = RESULTS / f"retrieval-diagnosis-{args.variant}"
        stem.with_suffix(".json").write_text(json.dumps(asdict(diagnosis), indent=2) + "\n")
        stem.with_suffix(".md").write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
