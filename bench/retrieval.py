"""Retrieval benchmark on MultiHop-RAG: ``python -m bench.retrieval``.

Indexes the benchmark corpus into a scratch data folder (once; later runs reuse it), runs
:meth:`qa.retrieval.retriever.Retriever.retrieve` for every answerable question of a question file,
and reports Hits@4, Hits@10, MRR@10, evidence recall@4/@10 and full evidence@10 (definitions in
:mod:`bench.retrieval_metrics`) plus retrieval latency, overall, per question type and per half.

The halves split the questions by a hash of their text: ``tune`` (first byte of sha1 even) is the
one retrieval ideas were developed on, ``check`` the one they were only measured on, so a gap
between them shows overfitting.

Several named variants (``--variants bm25,dense,hybrid,...``) run in one go over the same index,
so an ablation table comes from the tool. Each variant is a set of
:class:`qa.retrieval.retriever.RetrievalConfig` overrides; ``final`` is the default configuration.

Results go to ``bench/results/retrieval-<name>.json`` (every figure, per variant) and ``.md``
(the tables), and the tables are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .retrieval_metrics import QuestionScore, Summary, score_question, summarise

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "eval" / "multihop-rag"
DEFAULT_DATA_DIR = ROOT / "bench" / "results" / "tmp" / "multihop-rag"
RESULTS = ROOT / "bench" / "results"
WARMUP_QUERIES = 3

#: Named retriever configurations: overrides of :class:`qa.retrieval.retriever.RetrievalConfig`.
#: ``bm25``, ``dense`` and ``hybrid`` search the whole question only; ``foundation`` is the
#: retriever as it was before this benchmark. From ``outlets`` to ``final`` each step adds one
#: idea to the step before (the ablation ladder, BM25 only); ``final+dense`` adds the dense
#: search back at full weight and ``final+dense-light`` at half weight, which is the default
#: configuration (``default``): hybrid, as the product promises, for questions that paraphrase.
_PLAIN: dict[str, Any] = {
    "dense": False,
    "lexical": True,
    "outlet_queries": False,
    "decompose": False,
    "inherit_outlets": False,
    "date_focus": False,
    "feedback_terms": 0,
    "focus": 0.0,
    "fusion": "rrf",
    "main_turns": 0,
    "per_article": 0,
    "sentence_sort": 0.0,
    "dense_weight": 1.0,  # plain RRF: dense and BM25 weigh the same
}
_LADDER: list[tuple[str, dict[str, Any]]] = [
    ("outlets", {"outlet_queries": True}),
    ("clauses", {"decompose": True, "fusion": "interleave"}),
    ("dates", {"date_focus": True}),
    ("inherit", {"inherit_outlets": True}),
    ("feedback", {"feedback_terms": 1}),
    ("focus", {"focus": 0.3}),
    ("cap", {"per_article": 4}),
    ("turns", {"main_turns": 2}),
    ("final", {"sentence_sort": 1.0}),
]
VARIANTS: dict[str, dict[str, Any]] = {
    "bm25": _PLAIN,
    "dense": {**_PLAIN, "dense": True, "lexical": False},
    "hybrid": {**_PLAIN, "dense": True},
    "foundation": {**_PLAIN, "dense": True, "outlet_queries": True, "per_article": 3},
}
_step: dict[str, Any] = dict(_PLAIN)
for _name, _change in _LADDER:
    _step = {**_step, **_change}
    VARIANTS[_name] = _step
VARIANTS["final+dense"] = {**_step, "dense": True, "dense_weight": 1.0}
VARIANTS["final+dense-light"] = {**_step, "dense": True, "dense_weight": 0.5}
VARIANTS["default"] = {}  # RetrievalConfig() as shipped
LADDER = [
    "bm25",
    "dense",
    "hybrid",
    "foundation",
    *[name for name, _ in _LADDER],
    "final+dense",
    "final+dense-light",
    "default",
]


@dataclass(frozen=True)
class Question:
    """A benchmark question with its gold facts."""

    query: str
    kind: str
    facts: tuple[str, ...]
    half: str


def half_of(query: str) -> str:
    """``tune`` or ``check``: which half a question falls in (by a hash of its text)."""
    return "tune" if hashlib.sha1(query.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def load_questions(path: Path) -> list[Question]:
    """The answerable questions of a MultiHop-RAG question file (null questions have no facts)."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for record in records:
        facts = tuple(e["fact"] for e in record.get("evidence_list") or [] if e.get("fact"))
        if not facts:
            continue
        out.append(
            Question(
                record["query"],
                record.get("question_type", "unknown"),
                facts,
                half_of(record["query"]),
            )
        )
    return out


def open_benchmark_index(corpus: Path, data_dir: Path):
    """Open the index in ``data_dir``, indexing ``corpus`` first unless it is all there.

    Returns:
        The opened :class:`index.NewsIndex`.
    """
    from index import Settings, open_index

    settings = Settings(data_dir=data_dir)
    index = open_index(settings)
    urls = {
        r.get("url") for r in json.loads(Path(corpus).read_text(encoding="utf-8")) if r.get("url")
    }
    have = set(index.store.article_hashes())
    missing = urls - have
    if missing:
        print(
            f"indexing {len(missing)} of {len(urls)} articles into {data_dir} "
            "(about 10 minutes on 2 cores; later runs reuse it)",
            file=sys.stderr,
            flush=True,
        )
        report = index.add([corpus])
        print(report.summary(), file=sys.stderr)
        if not report.ok:
            raise SystemExit("indexing failed: " + "; ".join(report.errors[:3]))
    return index


def make_retriever(index, overrides: dict[str, Any]):
    """A retriever over ``index`` with the default configuration changed by ``overrides``."""
    from qa.retrieval.retriever import RetrievalConfig, Retriever

    return Retriever(index, config=RetrievalConfig(**overrides))


def run_variant(
    retriever, questions: Sequence[Question], k: int = 10
) -> tuple[list[QuestionScore], list[float]]:
    """Retrieve for every question and score it; returns scores and latencies (ms)."""
    for question in questions[:WARMUP_QUERIES]:
        retriever.retrieve(question.query, k=k)  # loads BM25, vectors and model pages
    scores, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        result = retriever.retrieve(question.query, k=k)
        latencies.append((time.perf_counter() - started) * 1000.0)
        scores.append(score_question([p.text for p in result.passages], question.facts))
    return scores, latencies


def group(
    questions: Sequence[Question], scores: Sequence[QuestionScore], latencies: Sequence[float]
) -> dict[str, Summary]:
    """Summaries overall, per question type and per half."""
    keys: dict[str, list[int]] = {"all": list(range(len(questions)))}
    for i, q in enumerate(questions):
        keys.setdefault(q.kind, []).append(i)
    for i, q in enumerate(questions):
        keys.setdefault(f"half:{q.half}", []).append(i)
    return {
        key: summarise([scores[i] for i in rows], [latencies[i] for i in rows])
        for key, rows in keys.items()
    }


_COLUMNS = [
    ("questions", "n"),
    ("hits4", "Hits@4"),
    ("hits10", "Hits@10"),
    ("mrr10", "MRR@10"),
    ("recall4", "Recall@4"),
    ("recall10", "Recall@10"),
    ("full10", "Full@10"),
    ("latency_median_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
]


def _cell(name: str, value: float) -> str:
    if name == "questions":
        return str(int(value))
    if name.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def table(rows: Sequence[tuple[str, Summary]], first: str) -> str:
    """A Markdown table, one row per (label, summary)."""
    head = f"| {first} | " + " | ".join(title for _, title in _COLUMNS) + " |"
    rule = "|---|" + "|".join("---:" for _ in _COLUMNS) + "|"
    body = [
        f"| {label} | " + " | ".join(_cell(name, getattr(s, name)) for name, _ in _COLUMNS) + " |"
        for label, s in rows
    ]
    return "\n".join([head, rule, *body])


def render(results: dict[str, dict[str, Summary]], meta: dict[str, Any]) -> str:
    """The Markdown report: overall table across variants, then one table per variant."""
    parts = [
        f"# Retrieval benchmark: {meta['questions_file']}",
        "",
        (
            f"{meta['answerable']} answerable questions, top {meta['k']} passages, index "
            f"{meta['articles']} articles / {meta['chunks']} chunks; {meta['machine']}; "
            f"{meta['when']}."
        ),
        "",
        "## All questions",
        "",
        table([(name, groups["all"]) for name, groups in results.items()], "variant"),
    ]
    for half in ("tune", "check"):
        rows = [
            (name, groups[f"half:{half}"])
            for name, groups in results.items()
            if f"half:{half}" in groups
        ]
        if rows:
            parts += ["", f"## Half `{half}`", "", table(rows, "variant")]
    for name, groups in results.items():
        rows = [
            (key, s) for key, s in groups.items() if key != "all" and not key.startswith("half:")
        ]
        parts += [
            "",
            f"## `{name}` per question type",
            "",
            table([("all", groups["all"]), *rows], "type"),
        ]
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.retrieval", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=DATASET / "queries-dev.json",
        help="question file in MultiHop-RAG format (default: the dev questions)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DATASET / "corpus.json",
        help="articles to index when the data folder lacks them",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="index folder (built on first use, reused after; default %(default)s)",
    )
    parser.add_argument(
        "--variants",
        default="default",
        help=f"comma-separated, from: {', '.join(VARIANTS)}; or 'ladder' for all "
        "of them in order (default: final)",
    )
    parser.add_argument(
        "--half",
        choices=["all", "tune", "check"],
        default="all",
        help="run only one half of the questions",
    )
    parser.add_argument(
        "--limit", type=int, default=0, help="first N questions only (a quick look)"
    )
    parser.add_argument("--k", type=int, default=10, help="passages per question (metrics need 10)")
    parser.add_argument("--name", default="", help="result file stem (default: the variants)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)

    names = (
        LADDER
        if args.variants == "ladder"
        else [n.strip() for n in args.variants.split(",") if n.strip()]
    )
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}")
    questions = load_questions(args.questions)
    if args.half != "all":
        questions = [q for q in questions if q.half == args.half]
    if args.limit:
        questions = questions[: args.limit]
    if not questions:
        parser.error("no answerable questions selected")

    index = open_benchmark_index(args.corpus, args.data_dir)
    stats = index.stats()
    results: dict[str, dict[str, Summary]] = {}
    for name in names:
        started = time.perf_counter()
        scores, latencies = run_variant(make_retriever(index, VARIANTS[name]), questions, args.k)
        results[name] = group(questions, scores, latencies)
        s = results[name]["all"]
        print(
            f"{name}: recall@10 {s.recall10:.3f} full@10 {s.full10:.3f} hits@10 {s.hits10:.3f} "
            f"mrr@10 {s.mrr10:.3f} p50 {s.latency_median_ms:.0f} ms "
            f"({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    from qa.retrieval.retriever import RetrievalConfig

    meta = {
        "questions_file": str(args.questions),
        "answerable": len(questions),
        "k": args.k,
        "articles": stats.articles,
        "chunks": stats.chunks,
        "embed_model": stats.embed_model,
        "machine": machine(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "configs": {n: asdict(RetrievalConfig(**VARIANTS[n])) for n in names},
        "config_fields": [f.name for f in fields(RetrievalConfig)],
    }
    report = render(results, meta)
    print(report)
    if not args.no_save:
        stem = "retrieval-" + (args.name or "-".join(names))
        RESULTS.mkdir(parents=True, exist_ok=True)
        payload = {
            "meta": meta,
            "results": {n: {k: asdict(s) for k, s in g.items()} for n, g in results.items()},
        }
        (RESULTS / f"{stem}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
        (RESULTS / f"{stem}.md").write_text(report)
        print(f"wrote {RESULTS / stem}.json and .md", file=sys.stderr)
    return 0


def machine() -> str:
    """The machine a benchmark ran on, for its result file (CPUs this process may use)."""
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.machine()}, {cpus or 1} CPUs, Python {platform.python_version()}"


if __name__ == "__main__":
    raise SystemExit(main())
