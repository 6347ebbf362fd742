"""Calibrate the evidence gate (abstention) and the citation-support thresholds on dev questions.

Usage (from the repository root; the index must hold the 609 benchmark articles)::

    python -m bench.calibrate --data-dir /path/to/index --per-type 50

The calibration questions are drawn (fixed seed) from the dev questions that are *not* in the
answer benchmark's sample (``bench.answers.stratified_sample`` with its default seed and size),
so the benchmark is not measured on the questions the thresholds were fitted to.

Gate (``qa.answer.extractive.ExtractiveConfig.min_dense`` / ``min_lexical``): for each question the
best-scoring retrieved sentence has a dense and a lexical score; the answerer abstains when both
are under their thresholds. The grid point chosen maximises abstention on null questions while
keeping false abstention on answerable ones at or under ``--max-false-abstention``.

Verification (``qa.answer.verify.VerifyConfig``): claims are clauses of the questions (split at
", while", "; ", ", and" ...) that name exactly one of the question's evidence outlets, so each
paraphrases that article's fact(s). Each is paired with the retrieved passages: positive when
the passage holds a gold fact of that outlet's evidence, negative when it comes from none of the
question's evidence articles (other passages of an evidence article are left out: they may
support the clause too). The grid point chosen maximises F0.5 (precision weighs more: a wrong
marker is worse than a missing one).

Writes ``bench/results/calibration.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from bench.answers import (
    DEFAULT_QUERIES,
    RESULTS,
    SEED,
    TYPES,
    holds_fact,
    load_queries,
    stratified_sample,
)


def calibration_sample(queries: list[dict], per_type: int, bench_per_type: int = 30) -> list[dict]:
    """Questions of each type outside the benchmark sample, drawn with a fixed seed."""
    taken = {q["index"] for q in stratified_sample(queries, bench_per_type)}
    rng = random.Random(SEED + 1)
    out = []
    for kind in TYPES:
        pool = [i for i, q in enumerate(queries) if q["question_type"] == kind and i not in taken]
        out.extend(
            dict(queries[i], index=i) for i in sorted(rng.sample(pool, min(per_type, len(pool))))
        )
    return out


def clauses(plan) -> list[str]:
    """Clauses of a question, each roughly one article's statement (see
    :meth:`qa.question.plan.QuestionPlan.statements`)."""
    return list(plan.statements())


def _mentions(clause: str, source: str) -> bool:
    name = source.split(" - ")[0].split(" | ")[0].strip().lower()
    return bool(name) and name in clause.lower()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--queries", default=str(DEFAULT_QUERIES))
    parser.add_argument("--per-type", type=int, default=50)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--max-false-abstention", type=float, default=0.08)
    args = parser.parse_args(argv)

    from index import Settings, open_index
    from qa.answer.extractive import ExtractiveAnswerer
    from qa.answer.verify import claim_terms, support_of
    from qa.retrieval.retriever import Retriever

    settings = Settings(data_dir=Path(args.data_dir))
    index = open_index(settings)
    retriever = Retriever(index)
    extractive = ExtractiveAnswerer(index.embedder)
    sample = calibration_sample(load_queries(Path(args.queries)), args.per_type)

    gate_rows = []
    pairs = []  # (label, lexical, dense)
    for n, item in enumerate(sample, 1):
        result = retriever.retrieve(item["query"], k=args.k)
        passages = result.passages
        table = extractive.table(passages)
        scored = extractive.score_sentences(item["query"], table)
        best = scored[0] if scored else None
        gate_rows.append(
            {
                "null": item["question_type"] == "null_query",
                "dense": best.dense if best else 0.0,
                "lexical": best.lexical if best else 0.0,
            }
        )
        facts = [e["fact"] for e in item["evidence_list"]]
        for clause in clauses(result.plan):
            named = {e["source"] for e in item["evidence_list"] if _mentions(clause, e["source"])}
            terms = claim_terms(clause)
            if len(named) != 1 or len(terms) < 3:
                continue
            own = [e["fact"] for e in item["evidence_list"] if e["source"] in named]
            evidence_urls = {e["url"] for e in item["evidence_list"]}
            vector = table.embed([clause])[0]
            for p_index, passage in enumerate(passages):
                if holds_fact(passage.text, own):
                    label = 1
                elif passage.article_id not in evidence_urls and not holds_fact(
                    passage.text, facts
                ):
                    label = 0
                else:
                    continue  # another part of an evidence article: it may well support the clause
                support = support_of(terms, vector, table, p_index)
                pairs.append((label, support.lexical, support.dense))
        if n % 20 == 0:
            print(f"{n}/{len(sample)} questions, {len(pairs)} pairs", flush=True)

    gate = _fit_gate(gate_rows, args.max_false_abstention)
    verify = _fit_verify(pairs)
    result = {
        "sample": {
            "per_type": args.per_type,
            "questions": len(sample),
            "seed": SEED + 1,
            "k": args.k,
        },
        "gate": gate,
        "verify": verify,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "calibration.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def _fit_gate(rows: list[dict], max_false: float) -> dict:
    null = [r for r in rows if r["null"]]
    answerable = [r for r in rows if not r["null"]]
    best = None
    for d in np.arange(0.30, 0.80, 0.01):
        for lex in np.arange(0.20, 1.01, 0.05):

            def abstains(r, d=d, lex=lex):
                return r["dense"] < d and r["lexical"] < lex

            false = sum(map(abstains, answerable)) / len(answerable)
            hit = sum(map(abstains, null)) / len(null)
            if false <= max_false and (
                best is None or (hit, -false) > (best["null_abstention"], -best["false_abstention"])
            ):
                best = {
                    "min_dense": round(float(d), 2),
                    "min_lexical": round(float(lex), 2),
                    "null_abstention": round(hit, 4),
                    "false_abstention": round(false, 4),
                }
    return {
        "max_false_abstention": max_false,
        "chosen": best,
        "null": len(null),
        "answerable": len(answerable),
    }


def _fit_verify(pairs: list[tuple[int, float, float]]) -> dict:
    labels = np.array([p[0] for p in pairs])
    lexical = np.array([p[1] for p in pairs])
    dense = np.array([p[2] for p in pairs])
    best = None
    for lex in np.arange(0.2, 1.01, 0.05):
        for d in np.arange(0.3, 0.95, 0.01):
            predicted = (lexical >= lex) | (dense >= d)
            tp = int((predicted & (labels == 1)).sum())
            fp = int((predicted & (labels == 0)).sum())
            fn = int((~predicted & (labels == 1)).sum())
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            beta2 = 0.25
            f = (
                (1 + beta2) * precision * recall / (beta2 * precision + recall)
                if precision + recall
                else 0.0
            )
            if best is None or f > best["f0.5"]:
                best = {
                    "min_lexical": round(float(lex), 2),
                    "min_dense": round(float(d), 2),
                    "f0.5": round(f, 4),
                    "precision": round(precision, 4),
                    "recall": round(recall, 4),
                }
    return {
        "pairs": len(pairs),
        "positives": int(labels.sum()),
        "chosen": best,
        "auc_lexical": _auc(labels, lexical),
        "auc_dense": _auc(labels, dense),
        "auc_sum": _auc(labels, lexical + dense),
    }


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return None
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return round(float(wins / (len(pos) * len(neg))), 4)


if __name__ == "__main__":
    sys.exit(main())
