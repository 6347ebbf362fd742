"""The model's ceiling: accuracy when it is handed the gold evidence instead of retrieved passages.

Usage (any OpenAI-compatible server, e.g. the local llama.cpp server of scripts/local_llm.py)::

    python -m bench.gold_evidence --label qwen1.5b \\
        --base-url http://127.0.0.1:8080/v1 --model qwen2.5-coder-1.5b

The answerable questions of the :mod:`bench.answers` sample (same seed, same ``--per-type``) are
put to the model with newsqa's own prompt (:mod:`qa.answer.prompts`), each gold fact a numbered
passage under its article's headline, outlet and date; the short answer is read by the answerer's
own parser (:func:`qa.answer.reply.parse_reply`) and scored with the benchmark's match
(:func:`bench.answers.is_correct`). No retrieval, no context budget: what the model gets wrong
here, no retriever can fix. The MultiHop-RAG paper reports 0.89 for GPT-4 given the gold evidence.

Results: ``bench/results/gold-evidence-<label>.jsonl`` (one line per question, resumable) and
``.md`` (accuracy overall and per question type).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import date

from .answers import RESULTS, TYPES, is_correct, load_queries, stratified_sample


def _passage(evidence: dict):
    from qa.types import Passage

    published = None
    try:
        published = date.fromisoformat(str(evidence.get("published_at", ""))[:10])
    except ValueError:
        pass
    return Passage(
        text=evidence["fact"],
        article_id=evidence.get("url", ""),
        title=evidence.get("title", ""),
        source=evidence.get("source", ""),
        published=published,
        url=evidence.get("url", ""),
        start=0,
        end=len(evidence["fact"]),
        score=1.0,
        chunk_id="",
    )


def ask(model, item: dict) -> dict:
    """Put one question with its gold evidence to ``model`` (a :class:`qa.answer.llm.ChatModel`)."""
    from qa.answer import prompts
    from qa.answer.reply import is_yes_no_question, parse_reply

    blocks = [prompts.passage_block(n, _passage(e)) for n, e in enumerate(item["evidence_list"], 1)]
    user = prompts.user_message(item["query"], blocks, yes_no=is_yes_no_question(item["query"]))
    started = time.monotonic()
    text = model.complete(prompts.SYSTEM, user)
    reply = parse_reply(text, item["query"])
    return {
        "index": item["index"],
        "type": item["question_type"],
        "query": item["query"],
        "gold": item["answer"],
        "short_answer": reply.short_answer,
        "abstained": reply.abstained,
        "correct": (not reply.abstained) and is_correct(reply.short_answer, item["answer"]),
        "text": text,
        "seconds": round(time.monotonic() - started, 2),
    }


def markdown(rows: list[dict], label: str, per_type: int) -> str:
    """Accuracy overall and per question type."""
    by_type: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        by_type[row["type"]].append(row["correct"])
    every = [row["correct"] for row in rows]
    lines = [
        f"### Gold-evidence accuracy: {label} "
        f"({len(rows)} answerable questions, {per_type} per type sampled)",
        "",
        "| type | n | accuracy | abstained |",
        "|---|---:|---:|---:|",
        f"| all | {len(every)} | {sum(every) / max(1, len(every)):.3f} | "
        f"{sum(r['abstained'] for r in rows) / max(1, len(rows)):.3f} |",
    ]
    for kind in TYPES:
        if by_type.get(kind):
            values = by_type[kind]
            abstained = [r["abstained"] for r in rows if r["type"] == kind]
            lines.append(
                f"| {kind} | {len(values)} | {sum(values) / len(values):.3f} | "
                f"{sum(abstained) / len(abstained):.3f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the ceiling measurement (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.gold_evidence", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--label", required=True, help="result file name part")
    parser.add_argument("--base-url", help="OpenAI-compatible server (default: OpenAI)")
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--api-key", default="not-needed")
    parser.add_argument(
        "--per-type", type=int, default=30, help="questions per type (as bench.answers)"
    )
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)

    from qa.answer.llm import ChatModel, LLMConfig

    model = ChatModel(
        LLMConfig(
            model=args.model, base_url=args.base_url, api_key=args.api_key, timeout_s=args.timeout
        )
    )
    items = [q for q in stratified_sample(load_queries(), args.per_type) if q["evidence_list"]]
    out = RESULTS / f"gold-evidence-{args.label}.jsonl"
    rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    done = {row["index"] for row in rows}
    for n, item in enumerate(items, 1):
        if item["index"] in done:
            continue
        row = ask(model, item)
        rows.append(row)
        with out.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        print(
            f"[{n}/{len(items)}] {row['type']}: {row['short_answer']!r} (gold {row['gold']!r}) "
            f"{'ok' if row['correct'] else 'wrong'} in {row['seconds']} s",
            flush=True,
        )
    table = markdown(rows, args.label, args.per_type)
    out.with_suffix(".md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
