"""Which sentences the extractive answerer cites: settings compared on calibration questions.

Usage (from the repository root; the index must hold the 609 benchmark articles)::

    python -m bench.citation_choice --data-dir bench/results/tmp/multihop-rag --per-type 30

The questions are :func:`bench.calibrate.calibration_sample`: dev questions outside the answer
benchmark's sample, so choosing a setting here does not tune the benchmark. Each question is
retrieved once; then every setting answers from the same passages, and the table reports citation
precision (share of citations whose passage holds a gold fact), citations per answer, the share
of first citations that hold one, and abstention (unchanged by these settings: the gate comes
first). ``previous`` is the choice before clause scoping (no outlet or day scope, rank weight
0.2, cutoff 0.75, no per-clause minimum; the question's plain statements, not its clauses).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from bench.answers import holds_fact, load_queries
from bench.calibrate import calibration_sample


@dataclass(frozen=True)
class Setting:
    """One way of choosing sentences."""

    name: str
    config: object
    scoped: bool = True


def settings() -> list[Setting]:
    """The settings compared: the previous choice, the current default, and neighbours of it."""
    from qa.answer.extractive import ExtractiveConfig

    now = ExtractiveConfig()
    previous = replace(now, rank_weight=0.2, relative_cutoff=0.75, min_clause_score=0.0)
    return [
        Setting("previous", previous, scoped=False),
        Setting("previous + outlet/day scope", previous),
        Setting("default", now),
        Setting("default, no clause minimum", replace(now, min_clause_score=0.0)),
        Setting("default, clause minimum 0.8", replace(now, min_clause_score=0.8)),
        Setting("default, rank weight 0.2", replace(now, rank_weight=0.2)),
        Setting("default, at most 2 sentences", replace(now, max_sentences=2)),
    ]


def unscoped(plan):
    """``plan`` as the choice before clause scoping saw it: its plain statements, no outlets."""
    return replace(plan, outlets=(), dates=(), clauses=())


def evaluate(cases, embedder, setting: Setting) -> dict:
    """Answer every cached case with ``setting``; the metrics of the table."""
    from qa.answer.extractive import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(embedder, setting.config)
    cited = held = first = first_held = answered = answerable = null = null_abstained = 0
    for query, result, table, scored in cases:
        answer = answerer.answer(
            query["query"],
            result.passages,
            result.filters,
            scored=scored,
            table=table,
            plan=result.plan if setting.scoped else unscoped(result.plan),
        )
        if query["question_type"] == "null_query":
            null += 1
            null_abstained += answer.abstained
            continue
        answerable += 1
        if answer.abstained:
            continue
        answered += 1
        facts = [e["fact"] for e in query["evidence_list"]]
        hits = [holds_fact(c.passage.text, facts) for c in answer.citations]
        cited += len(hits)
        held += sum(hits)
        if hits:
            first += 1
            first_held += hits[0]
    return {
        "precision": held / cited if cited else 0.0,
        "citations": cited,
        "per_answer": cited / answered if answered else 0.0,
        "first_precision": first_held / first if first else 0.0,
        "null_abstention": null_abstained / null if null else 0.0,
        "false_abstention": (answerable - answered) / answerable if answerable else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print a Markdown table; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.citation_choice", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="NEWSQA_DATA_DIR of the 609-article index"
    )
    parser.add_argument("--per-type", type=int, default=30)
    args = parser.parse_args(argv)

    from index import Settings, open_index
    from qa.answerer import Answerer

    index = open_index(Settings(data_dir=args.data_dir))
    answerer = Answerer(index)
    queries = calibration_sample(load_queries(), args.per_type)
    cases = []
    for n, query in enumerate(queries, 1):
        result = answerer.retriever.retrieve(query["query"], k=10)
        table = answerer.extractive.table(result.passages)
        cases.append(
            (query, result, table, answerer.extractive.score_sentences(query["query"], table))
        )
        print(f"\rretrieved {n}/{len(queries)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"{len(queries)} calibration questions ({args.per_type} per type)\n")
    print(
        "| setting | citation precision | citations | per answer | first citation precision "
        "| null abstention | false abstention |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for setting in settings():
        m = evaluate(cases, index.embedder, setting)
        print(
            f"| {setting.name} | {m['precision']:.3f} | {m['citations']} | {m['per_answer']:.2f} | "
            f"{m['first_precision']:.3f} | {m['null_abstention']:.3f} "
            f"| {m['false_abstention']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
