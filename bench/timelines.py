"""Timeline benchmark: are the events of a story there, cited and in the right order?
``python -m bench.timelines``.

Each question of ``bench/data/timelines.json`` ("How did X unfold?", "Timeline of X", "What
happened after Y?") comes with the story's key events in their true order, each a short
description and the key words any sentence reporting it holds (groups of alternatives: an entry
matches an event when every group has one of its words at a word start, ignoring case; see
``bench/data/README.md``). Every question is asked through the real :class:`qa.Answerer` over the
609-article MultiHop-RAG index, and its ``Answer.timeline`` is scored:

- **found**: the gold event matches a timeline entry; its place is the first entry it matches;
- **cited**: that entry's citation number is one of the answer's citations and the cited
  passage holds the entry's sentence (white space ignored);
- **in order**: the places of the events found rise strictly in gold order (two events in one
  entry, or an event first matched after a later one, break it);
- **fully right**: every gold event found, each cited, all in order (the headline figure).

The figures are given for all questions and per ``split``: ``dev``, the questions the
timeline settings were developed on (all of them were looked at while developing), and
``held-out``, questions written after development and run once, never used to choose anything;
``held-out-2`` to ``held-out-19``, eighteen more held-out sets, each written by
someone who had not seen the system's timelines.

:func:`section` returns the Markdown table and the figures, for a report that gathers several
benchmarks; :func:`main` writes ``bench/results/timelines.md`` and ``.json`` (the figures and,
per question, what was found where; no article text).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "data" / "timelines.json"
CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
DEFAULT_DATA_DIR = ROOT / "bench" / "results" / "tmp" / "multihop-rag"
RESULTS = ROOT / "bench" / "results"

#: The question sets, in the order the tables show them.
SPLITS = (
    "dev",
    "held-out",
    "held-out-2",
    "held-out-3",
    "held-out-4",
    "held-out-5",
    "held-out-6",
    "held-out-7",
    "held-out-8",
    "held-out-9",
    "held-out-10",
    "held-out-11",
    "held-out-12",
    "held-out-13",
    "held-out-14",
    "held-out-15",
    "held-out-16",
    "held-out-17",
    "held-out-18",
    "held-out-19",
)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    """The timeline questions: ``id``, ``split``, ``question``, ``events`` (``what``, ``date``,
    ``keywords``, ``url``), in their true order."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """White space collapsed, curly quotes and dashes made plain (keywords are typed plainly)."""
    return " ".join(text.translate(_QUOTES).split())


def matches(keywords: Sequence[Sequence[str]], text: str) -> bool:
    """True when every keyword group has an alternative in ``text`` at a word start (case
    ignored)."""
    plain = normalise(text)
    return all(
        any(
            re.search(r"(?<!\w)" + re.escape(normalise(word)), plain, re.IGNORECASE)
            for word in group
        )
        for group in keywords
    )


def check_questions(questions: Sequence[dict], corpus: Sequence[dict]) -> list[str]:
    """Problems with the question file: structure, unique ids, and every event's key words
    found in one sentence of the article it names (so every event can be found).

    Returns:
        One line per problem (empty when the file is sound).
    """
    from index.text import sentence_spans

    bodies = {a["url"]: a["body"] for a in corpus}
    problems: list[str] = []
    ids = [q.get("id") for q in questions]
    if len(set(ids)) != len(ids):
        problems.append("ids are not unique")
    for q in questions:
        name = q.get("id", "?")
        if not q.get("question"):
            problems.append(f"{name}: no question")
        if len(q.get("events", [])) < 3:
            problems.append(f"{name}: fewer than 3 events")
        if q.get("split") not in SPLITS:
            problems.append(f"{name}: split must be one of {SPLITS}")
        for n, event in enumerate(q.get("events", []), 1):
            keywords = event.get("keywords") or []
            if not keywords or not all(isinstance(g, list) and g for g in keywords):
                problems.append(f"{name} event {n}: keywords must be non-empty groups")
                continue
            body = bodies.get(event.get("url", ""))
            if body is None:
                problems.append(f"{name} event {n}: url not in the corpus")
                continue
            sentences = [body[s:e] for s, e in sentence_spans(body)]
            if not any(matches(keywords, s) for s in sentences):
                problems.append(f"{name} event {n}: no sentence of its article holds {keywords}")
    return problems


def score(question: dict, answer: Any) -> dict:
    """What one answer got right (see the module docstring)."""
    entries = list(answer.timeline)
    numbers = {c.number: c for c in answer.citations}
    places: list[int | None] = []
    cited: list[bool] = []
    for event in question["events"]:
        place = next((i for i, e in enumerate(entries) if matches(event["keywords"], e.text)), None)
        places.append(place)
        if place is None:
            cited.append(False)
            continue
        entry = entries[place]
        citation = numbers.get(entry.citation)
        cited.append(citation is not None and _squash(entry.text) in _squash(citation.passage.text))
    found = [p for p in places if p is not None]
    in_order = all(a < b for a, b in pairwise(found))
    all_found = len(found) == len(places)
    return {
        "id": question["id"],
        "split": question.get("split", "dev"),
        "timeline": bool(entries),
        "abstained": answer.abstained,
        "entries": len(entries),
        "places": places,
        "found": len(found),
        "events": len(places),
        "cited": sum(cited),
        "all_cited": all(c for c, p in zip(cited, places) if p is not None),
        "in_order": in_order,
        "fully_right": all_found and all(cited) and in_order,
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def run(answerer: Any, questions: Sequence[dict]) -> list[dict]:
    """Ask every question (``answerer.ask``) and score its answer; rows in question order."""
    rows = []
    for q in questions:
        started = time.perf_counter()
        answer = answerer.ask(q["question"])
        row = score(q, answer)
        row["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(row)
    return rows


def summarise(rows: Sequence[dict]) -> dict:
    """The figures of a set of rows: all questions, and each split."""

    def figures(group: Sequence[dict]) -> dict:
        events = sum(r["events"] for r in group)
        found = sum(r["found"] for r in group)
        ordered = [r for r in group if r["found"] >= 2]
        return {
            "questions": len(group),
            "fully_right": _share(sum(r["fully_right"] for r in group), len(group)),
            "timeline_answers": _share(sum(r["timeline"] for r in group), len(group)),
            "events_found": _share(found, events),
            "all_events_found": _share(sum(r["found"] == r["events"] for r in group), len(group)),
            "found_events_cited": _share(sum(r["cited"] for r in group), found),
            "in_order": _share(sum(r["in_order"] for r in ordered), len(ordered)),
            "entries_per_timeline": round(
                sum(r["entries"] for r in group) / max(1, sum(r["timeline"] for r in group)), 1
            ),
        }

    out = {"all": figures(rows)}
    for split in SPLITS:
        out[split] = figures([r for r in rows if r["split"] == split])
    return out


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def markdown_table(summary: dict) -> str:
    """The figures as a Markdown table: one column for all questions, one per split."""
    labels = [
        ("questions", "questions"),
        ("fully_right", "**fully right** (all events, each cited, in order)"),
        ("timeline_answers", "answered with a timeline"),
        ("events_found", "gold events found"),
        ("all_events_found", "questions with every event found"),
        ("found_events_cited", "found events cited to a passage holding them"),
        ("in_order", "in the right order (questions with 2+ events found)"),
        ("entries_per_timeline", "entries per timeline"),
    ]
    lines = [
        "| figure | " + " | ".join(("all", *SPLITS)) + " |",
        "|---|" + "---:|" * (1 + len(SPLITS)),
    ]
    for key, label in labels:
        cells = [_cell(summary[h][key]) for h in ("all", *SPLITS)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def open_answerer(data_dir: Path = DEFAULT_DATA_DIR, corpus: Path = CORPUS) -> Any:
    """The default answerer (extractive unless the environment names an LLM) over the
    MultiHop-RAG index in ``data_dir``, indexing ``corpus`` there first when it is missing."""
    from qa import Answerer, QASettings

    from .reader import Indexes

    index = Indexes().multihop(Path(data_dir), Path(corpus))
    return Answerer.from_settings(index, QASettings.from_env())


def section(
    answerer: Any = None,
    questions: Path = QUESTIONS,
    data_dir: Path = DEFAULT_DATA_DIR,
    corpus: Path = CORPUS,
) -> tuple[str, dict]:
    """Run the benchmark: the Markdown table and the figures.

    Args:
        answerer: the answerer to ask (default: :func:`open_answerer` over ``data_dir``).
        questions: the question file.
        data_dir: the index folder (a copy: opening it may write the BM25 side's cache).
        corpus: the MultiHop-RAG corpus (indexed into ``data_dir`` when missing there).

    Returns:
        ``(markdown_table, figures)``; ``figures`` holds the summary, the mode and the
        per-question rows.
    """
    answerer = answerer or open_answerer(data_dir, corpus)
    rows = run(answerer, load_questions(questions))
    summary = summarise(rows)
    figures = {"summary": summary, "mode": answerer.mode.label, "rows": rows}
    return markdown_table(summary), figures


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Timeline benchmark over MultiHop-RAG")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="NEWSQA_DATA_DIR of an index of the 609 articles (a copy: it may be written to)",
    )
    parser.add_argument("--name", default="timelines", help="names the result files")
    parser.add_argument("--check", action="store_true", help="only check the question file")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    problems = check_questions(questions, corpus)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems or args.check:
        print(f"{len(questions)} questions, {len(problems)} problems")
        return 1 if problems else 0
    started = time.perf_counter()
    table, figures = section(None, args.questions, args.data_dir, args.corpus)
    from .retrieval import machine

    figures["config"] = {
        "questions": str(args.questions.relative_to(ROOT))
        if args.questions.is_relative_to(ROOT)
        else str(args.questions),
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    header = (
        f"# Timelines: {figures['mode']}\n\n"
        f"{len(questions)} questions of `{figures['config']['questions']}` asked through "
        "`Answerer.ask` over the 609-article MultiHop-RAG index (`python -m bench.timelines`).\n\n"
    )
    (RESULTS / f"{args.name}.md").write_text(header + table)
    print(header + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
