"""Answer benchmark on MultiHop-RAG dev questions, run through ``Answerer.ask`` (stream mode).

Usage (from the repository root; the index must hold the 609 benchmark articles)::

    # extractive mode
    python -m bench.answers --data-dir /path/to/index --label extractive
    # any OpenAI-compatible model, e.g. the local llama.cpp server of scripts/local_llm.py
    python -m bench.answers --data-dir /path/to/index --label qwen1.5b \\
        --base-url http://127.0.0.1:8080/v1 --model qwen2.5-coder-1.5b --context-tokens 450

Sample: ``--per-type`` questions of each question type (inference, comparison, temporal, null),
drawn with a fixed seed, so every run sees the same questions. Metrics, exactly as defined in
``../shared/eval/multihop-rag/README.md``:

- accuracy: share of answerable questions whose short answer matches the gold answer after
  lower-casing and stripping punctuation (yes/no exactly; otherwise either contains the other);
  an abstention counts as wrong. Reported overall and per question type.
- abstention: share of null questions answered with an abstention; false abstention: share of
  answerable questions wrongly abstained on.
- citation precision: share of the citations of answered, answerable questions whose passage
  holds a gold fact of the question (fact contained in the passage text, whitespace removed).
- unsupported: claims flagged by verification, as a share of all checked answer sentences, and
  per answered question.
- time to first token (first streamed update with text, retrieval included) and total time.

Results: ``bench/results/answers-<label>.jsonl`` (one line per question, written as it goes, so
a long run can be resumed with the same command) and ``answers-<label>.json`` / ``.md``
(summary, rewritten every ``--summary-every`` questions and at the end).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import string
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = ROOT.parent / "shared" / "eval" / "multihop-rag" / "queries-dev.json"
RESULTS = ROOT / "bench" / "results"
TYPES = ("inference_query", "comparison_query", "temporal_query", "null_query")
SEED = 20231127
_WS = re.compile(r"\s+")
_PUNCT = str.maketrans("", "", string.punctuation + "“”‘’")


def load_queries(path: Path = DEFAULT_QUERIES) -> list[dict]:
    """The dev questions (list of dicts with query, answer, question_type, evidence_list)."""
    return json.loads(Path(path).read_text())


def stratified_sample(queries: Sequence[dict], per_type: int, seed: int = SEED) -> list[dict]:
    """``per_type`` questions of each type, drawn with ``seed``; grouped by type, in file order."""
    rng = random.Random(seed)
    out: list[dict] = []
    for kind in TYPES:
        pool = [i for i, q in enumerate(queries) if q["question_type"] == kind]
        chosen = sorted(rng.sample(pool, min(per_type, len(pool))))
        out.extend(dict(queries[i], index=i) for i in chosen)
    return out


def squash(text: str) -> str:
    """``text`` with all whitespace removed (the benchmark's containment test)."""
    return _WS.sub("", text)


def holds_fact(passage_text: str, facts: Iterable[str]) -> bool:
    """True when the passage contains one of the gold facts (whitespace removed)."""
    squashed = squash(passage_text)
    return any(squash(f) in squashed for f in facts if f.strip())


def normalise(answer: str) -> str:
    """Lower-cased, punctuation stripped, whitespace collapsed."""
    return " ".join(answer.lower().translate(_PUNCT).split())


def is_correct(short_answer: str, gold: str) -> bool:
    """The benchmark's answer match (see the module docstring)."""
    got, want = normalise(short_answer), normalise(gold)
    if not got:
        return False
    if want in ("yes", "no"):
        return got == want
    return want in got or got in want


def run_question(answerer, item: dict) -> dict:
    """Ask one question (streaming) and record what the metrics need."""
    facts = [e["fact"] for e in item["evidence_list"]]
    started = time.monotonic()
    first = None
    final = None
    for update in answerer.ask(item["query"], stream=True):
        if first is None and update.text:
            first = time.monotonic() - started
        final = update
    total = time.monotonic() - started
    assert final is not None
    checked = 0 if final.abstained else _sentence_count(final.text)
    return {
        "index": item["index"],
        "type": item["question_type"],
        "query": item["query"],
        "gold": item["answer"],
        "short_answer": final.short_answer,
        "abstained": final.abstained,
        "abstain_reason": final.abstain_reason,
        "correct": (not final.abstained) and is_correct(final.short_answer, item["answer"]),
        "citations": [
            {
                "number": c.number,
                "article_id": c.passage.article_id,
                "holds_fact": holds_fact(c.passage.text, facts),
            }
            for c in final.citations
        ],
        "unsupported": list(final.unsupported_sentences),
        "sentences": checked,
        "error": final.error,
        "mode": final.mode.label,
        "text": final.text,
        "ttft_s": round(first if first is not None else total, 3),
        "total_s": round(total, 3),
    }


def _sentence_count(text: str) -> int:
    from index.text import sentence_spans

    lines = text.strip().split("\n", 1)
    body = lines[1] if len(lines) > 1 else lines[0]
    return max(1, len(sentence_spans(body)))


def summarise(rows: Sequence[dict], config: dict) -> dict:
    """The benchmark figures from per-question rows."""
    answerable = [r for r in rows if r["type"] != "null_query"]
    null = [r for r in rows if r["type"] == "null_query"]
    answered = [r for r in answerable if not r["abstained"]]
    citations = [c for r in answered for c in r["citations"]]
    flagged = sum(len(r["unsupported"]) for r in rows if not r["abstained"])
    sentences = sum(r["sentences"] for r in rows if not r["abstained"])
    answered_all = [r for r in rows if not r["abstained"]]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    by_type = {}
    for kind in TYPES:
        group = [r for r in rows if r["type"] == kind]
        if not group:
            continue
        if kind == "null_query":
            by_type[kind] = {
                "n": len(group),
                "abstention": share(sum(r["abstained"] for r in group), len(group)),
            }
        else:
            by_type[kind] = {
                "n": len(group),
                "accuracy": share(sum(r["correct"] for r in group), len(group)),
                "false_abstention": share(sum(r["abstained"] for r in group), len(group)),
            }
    ttft = [r["ttft_s"] for r in rows]
    total = [r["total_s"] for r in rows]
    llm_ttft = [r["ttft_s"] for r in rows if not r["abstained"] or r["mode"] != "extractive"]
    return {
        "config": config,
        "questions": len(rows),
        "accuracy": share(sum(r["correct"] for r in answerable), len(answerable)),
        "abstention_null": share(sum(r["abstained"] for r in null), len(null)),
        "false_abstention": share(sum(r["abstained"] for r in answerable), len(answerable)),
        "citation_precision": share(sum(c["holds_fact"] for c in citations), len(citations)),
        "citations": len(citations),
        "citations_per_answer": round(len(citations) / len(answered), 2) if answered else None,
        "unsupported_share": share(flagged, sentences),
        "unsupported_per_answer": round(flagged / len(answered_all), 3) if answered_all else None,
        "llm_errors": sum(1 for r in rows if r["error"]),
        "abstain_reasons": {
            group: dict(Counter(r.get("abstain_reason") or "?" for r in members if r["abstained"]))
            for group, members in (("answerable", answerable), ("null", null))
        },
        "by_type": by_type,
        "ttft_median_s": round(statistics.median(ttft), 2) if ttft else None,
        "ttft_p90_s": round(_quantile(ttft, 0.9), 2) if ttft else None,
        "ttft_median_answered_s": round(statistics.median(llm_ttft), 2) if llm_ttft else None,
        "total_median_s": round(statistics.median(total), 2) if total else None,
        "total_p90_s": round(_quantile(total, 0.9), 2) if total else None,
        "total_mean_s": round(statistics.mean(total), 2) if total else None,
    }


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def markdown(summary: dict) -> str:
    """The summary as a Markdown table."""

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    t = summary["by_type"]
    lines = [
        f"# Answer benchmark: {summary['config']['label']}",
        "",
        f"{summary['questions']} MultiHop-RAG dev questions "
        f"({summary['config']['per_type']} per type, "
        f"seed {summary['config']['seed']}), mode `{summary['config']['mode']}`, "
        f"context budget {summary['config'].get('context_tokens')} tokens.",
        "",
        "| metric | value |",
        "|---|---|",
        f"| accuracy (answerable) | {fmt(summary['accuracy'])} |",
    ]
    for kind in TYPES[:3]:
        if kind in t:
            lines.append(
                f"| accuracy {kind.split('_')[0]} (n={t[kind]['n']}) | {fmt(t[kind]['accuracy'])} |"
            )
    lines += [
        f"| abstention on null (n={t.get('null_query', {}).get('n', 0)}) "
        f"| {fmt(summary['abstention_null'])} |",
        f"| false abstention | {fmt(summary['false_abstention'])} |",
        f"| citation precision ({summary['citations']} citations) "
        f"| {fmt(summary['citation_precision'])} |",
        f"| citations per answer | {fmt(summary['citations_per_answer'])} |",
        f"| sentences flagged unsupported (share) | {fmt(summary['unsupported_share'])} |",
        f"| flagged per answered question | {fmt(summary['unsupported_per_answer'])} |",
        f"| LLM errors (fell back to extractive) | {summary['llm_errors']} |",
        f"| abstention reasons, answerable | {summary['abstain_reasons']['answerable']} |",
        f"| abstention reasons, null | {summary['abstain_reasons']['null']} |",
        f"| time to first token, median / p90 (s) | {fmt(summary['ttft_median_s'])} "
        f"/ {fmt(summary['ttft_p90_s'])} |",
        f"| time to first token, median when the model ran (s) "
        f"| {fmt(summary['ttft_median_answered_s'])} |",
        f"| total time, median / p90 / mean (s) | {fmt(summary['total_median_s'])} "
        f"/ {fmt(summary['total_p90_s'])}"
        f" / {fmt(summary['total_mean_s'])} |",
        "",
        f"Machine: {summary['config'].get('machine', '')}",
    ]
    return "\n".join(lines) + "\n"


def build_answerer(args):
    """The answerer under test, from the command-line options."""
    from index import Settings, open_index
    from qa import Answerer, QASettings

    settings = QASettings(
        llm_model=args.model,
        openai_base_url=args.base_url,
        openai_api_key=args.api_key,
        llm_context_tokens=args.context_tokens,
        llm_timeout_s=args.timeout,
        top_k=args.k,
    )
    return Answerer.from_settings(open_index(Settings(data_dir=Path(args.data_dir))), settings)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="MultiHop-RAG answer benchmark")
    parser.add_argument(
        "--data-dir", required=True, help="NEWSQA_DATA_DIR of an index of the 609 articles"
    )
    parser.add_argument("--queries", default=str(DEFAULT_QUERIES))
    parser.add_argument("--label", required=True, help="names the result files")
    parser.add_argument("--per-type", type=int, default=30)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--k", type=int, default=8, help="passages retrieved")
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (LLM mode)")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--context-tokens", type=int, default=450)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--limit", type=int, default=None, help="stop after this many questions")
    parser.add_argument("--summary-every", type=int, default=5)
    parser.add_argument(
        "--machine", default="", help="free text saved with the results (cores, load)"
    )
    args = parser.parse_args(argv)

    sample = stratified_sample(load_queries(Path(args.queries)), args.per_type, args.seed)
    if args.limit:
        # Interleave types so a partial run still covers all of them.
        by_type = defaultdict(list)
        for item in sample:
            by_type[item["question_type"]].append(item)
        sample = [x for group in zip(*by_type.values()) for x in group][: args.limit]
    answerer = build_answerer(args)
    config = {
        "label": args.label,
        "mode": answerer.mode.label,
        "per_type": args.per_type,
        "seed": args.seed,
        "k": args.k,
        "context_tokens": args.context_tokens if answerer.chat_model else None,
        "machine": args.machine,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows_path = RESULTS / f"answers-{args.label}.jsonl"
    done = {}
    if rows_path.exists():
        for line in rows_path.read_text().splitlines():
            row = json.loads(line)
            done[row["index"]] = row
    rows = [done[item["index"]] for item in sample if item["index"] in done]
    with rows_path.open("a") as out:
        for item in sample:
            if item["index"] in done:
                continue
            row = run_question(answerer, item)
            rows.append(row)
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(
                f"[{len(rows)}/{len(sample)}] {row['type']:17} correct={row['correct']!s:5} "
                f"abstained={row['abstained']!s:5} ttft={row['ttft_s']:.1f}s "
                f"total={row['total_s']:.1f}s",
                flush=True,
            )
            if len(rows) % args.summary_every == 0:
                _write_summary(rows, config, args.label)
    summary = _write_summary(rows, config, args.label)
    print(markdown(summary))
    return 0


def _write_summary(rows: Sequence[dict], config: dict, label: str) -> dict:
    summary = summarise(rows, config)
    (RESULTS / f"answers-{label}.json").write_text(json.dumps(summary, indent=2) + "\n")
    (RESULTS / f"answers-{label}.md").write_text(markdown(summary))
    return summary


if __name__ == "__main__":
    sys.exit(main())
