"""Reader benchmark: is ``Answer.short_answer`` the answer, and does the answerer abstain when
the articles don't say? ``python -m bench.reader``.

Three question sets, each answered through ``Answerer.ask`` by every named variant:

- **MultiHop-RAG dev** (``../shared/eval/multihop-rag/queries-dev.json``, over the 609-article
  index): on inference questions (the ones whose gold answer is a name or phrase), short-answer
  accuracy and "gold in text"; abstention on null questions; false abstention on the answerable
  ones (inference, comparison, temporal); citation precision as :mod:`bench.answers` computes it
  (its own ``run_question`` and ``summarise``).
- **SQuAD 2.0 dev** (``../shared/eval/squad2/dev-v2.0.json``): every paragraph indexed as an
  article ("Title (n)", n its 1-based position in the Wikipedia article; url
  ``https://squad2.invalid/<title>/<n>``; no date, no outlet) and every question asked with no
  filter. Official exact match and F1 of the short answer on answerable questions, abstention
  on unanswerable ones, false abstention, and overall EM / F1 (an abstention scores 1 on an
  unanswerable question and 0 on an answerable one; an answer to an unanswerable question
  scores 0). The questions are split by id into ``dev`` (first byte of sha1(id) even: the part
  to develop on) and ``report`` (only measured); ``--sample N`` draws N per part, half
  answerable and half not, with a fixed seed, so the overall figures weigh both kinds equally.
- **Our news questions** (``bench/data/news-questions.json``, when present): short-answer
  accuracy overall and per ``answer_type``, abstention on the unanswerable ones, over the
  MultiHop index unless ``--news-data-dir`` names another.

Shared definitions (:mod:`bench.reader_metrics`): answers are compared after SQuAD's
normalisation; a text *contains* a gold answer when the normalised gold is a run of whole words
of it; a short answer is *correct* when it is at most ``SHORT_WORDS`` (8) words, citation
markers not counted, and contains the gold answer or one of its aliases, and "gold in text" is
the same containment in ``Answer.text`` with no length limit; an abstention is never correct.
Latency is the wall time of one ``ask`` (retrieval included), after :data:`WARMUP` warm-up
questions per set and variant that are not counted.

Variants: :data:`VARIANTS` maps a name to a function building an answerer from an opened index;
each idea of the reader issue is meant to be one more entry, so the ladder is one command.

Results: ``bench/results/reader-<name>.json`` (every figure, the configuration of each
variant), ``.md`` (the tables, also printed) and ``.jsonl`` (one row per question and variant;
git-ignored, since it holds the datasets' question text). Scratch indexes go under
``bench/results/tmp/`` (the SQuAD one is built on the first run, then reused: an index that
holds every paragraph's id is not touched, so delete the folder after changing how paragraphs
become articles).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from index import Article, NewsIndex, Settings, open_index
from qa import Answer, Answerer
from qa.answer.crosscheck import CrossCheckConfig
from qa.answer.extractive import ExtractiveConfig
from qa.answer.reader import ReaderConfig

from . import answers
from .reader_metrics import (
    PARTS,
    SHORT_WORDS,
    contains_answer,
    part_of,
    short_answer_correct,
    squad_scores,
    summarise_multihop,
    summarise_news,
    summarise_squad,
    word_count,
)
from .retrieval import machine

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"
MULTIHOP = SHARED / "multihop-rag"
SQUAD_FILE = SHARED / "squad2" / "dev-v2.0.json"
NEWS_FILE = ROOT / "bench" / "data" / "news-questions.json"
DEFAULT_MULTIHOP_DIR = RESULTS / "tmp" / "multihop-rag"
DEFAULT_SQUAD_DIR = RESULTS / "tmp" / "squad2"
SETS = ("multihop", "squad", "news")
WARMUP = 3
SEED = 13


# --- Variants --------------------------------------------------------------------------------


def baseline(index: NewsIndex) -> Answerer:
    """The extractive answerer before the reader (``NEWSQA_READER=0``): no LLM; the short answer
    is the first cited sentence."""
    return Answerer(index, extractive=ExtractiveConfig(reader=False))


def reader_patterns(index: NewsIndex) -> Answerer:
    """The reader with pattern candidates only (money, dates, counts, capitalised names ...),
    scored by the trained candidate model; never abstains on its own."""
    reading = ReaderConfig(use_nlp=False, abstain=False)
    return Answerer(index, extractive=ExtractiveConfig(reader=True, reading=reading))


def reader_spacy(index: NewsIndex) -> Answerer:
    """The reader with spaCy's entities and noun phrases as candidates too; never abstains on
    its own."""
    reading = ReaderConfig(abstain=False)
    return Answerer(index, extractive=ExtractiveConfig(reader=True, reading=reading))


def reader(index: NewsIndex) -> Answerer:
    """The full reader: spaCy and pattern candidates, and the answerability model's abstention
    (``ExtractiveConfig(reader=True)``, the default)."""
    return Answerer(index, extractive=ExtractiveConfig(reader=True))


def reader_support_only(index: NewsIndex) -> Answerer:
    """The full reader, the short answer followed only by sentences stating the same answer
    (``support_only=True``), not by the sentence answer's other sentences."""
    config = ExtractiveConfig(reader=True, support_only=True)
    return Answerer(index, extractive=config)


def reader_no_crosscheck(index: NewsIndex) -> Answerer:
    """The full reader without corroboration and conflicts (``CrossCheckConfig(enabled=False)``):
    beside ``reader``, what the cross-check costs per answer."""
    return Answerer(
        index,
        extractive=ExtractiveConfig(reader=True),
        crosscheck=CrossCheckConfig(enabled=False),
    )


#: The ladder: name -> function building the answerer under test from an opened index.
VARIANTS: dict[str, Callable[[NewsIndex], Any]] = {
    "baseline": baseline,
    "reader-patterns": reader_patterns,
    "reader-spacy": reader_spacy,
    "reader": reader,
    "reader-support-only": reader_support_only,
    "reader-no-crosscheck": reader_no_crosscheck,
}


# --- Question sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SquadQuestion:
    """A SQuAD 2.0 question (``golds`` empty when unanswerable)."""

    id: str
    question: str
    golds: tuple[str, ...]
    answerable: bool
    part: str
    article_id: str = ""  # the paragraph's article (its url)


def load_squad(path: Path) -> tuple[list[Article], list[SquadQuestion]]:
    """One article per paragraph of a SQuAD 2.0 file, and every question, in file order.

    Returns:
        (articles, questions).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    articles, questions = [], []
    for entry in data:
        title = entry["title"]
        for n, paragraph in enumerate(entry["paragraphs"], 1):
            url = f"https://squad2.invalid/{title}/{n}"
            articles.append(
                Article(
                    id=url,
                    title=f"{title.replace('_', ' ')} ({n})",
                    text=paragraph["context"],
                    url=url,
                )
            )
            for qa in paragraph["qas"]:
                answerable = not qa.get("is_impossible", False)
                golds = tuple(a["text"] for a in qa["answers"]) if answerable else ()
                questions.append(
                    SquadQuestion(
                        qa["id"], qa["question"], golds, answerable, part_of(qa["id"]), url
                    )
                )
    return articles, questions


def sample_squad(
    questions: Sequence[SquadQuestion], per_part: int, seed: int = SEED
) -> list[SquadQuestion]:
    """``per_part`` questions of each part, half answerable and half not (all when 0).

    The draw is fixed by ``seed``; the result keeps file order, ``dev`` part first.
    """
    out: list[SquadQuestion] = []
    for part in PARTS:
        for answerable, want in ((True, per_part // 2), (False, per_part - per_part // 2)):
            pool = [q for q in questions if q.part == part and q.answerable == answerable]
            if per_part and want < len(pool):
                rng = random.Random(f"{seed}:{part}:{answerable}")
                keep = set(rng.sample(range(len(pool)), want))
                pool = [q for i, q in enumerate(pool) if i in keep]
            out.extend(pool)
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(out, key=lambda q: (PARTS.index(q.part), order[q.id]))


@dataclass(frozen=True)
class NewsQuestion:
    """A question of our news set; ``golds`` are the answer and its aliases."""

    id: str
    question: str
    answerable: bool
    golds: tuple[str, ...]
    answer_type: str
    url: str


def load_news(path: Path) -> list[NewsQuestion]:
    """The news questions (a JSON list, or an object with a ``questions`` list)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    records = data["questions"] if isinstance(data, dict) else data
    out = []
    for n, record in enumerate(records):
        answerable = bool(record.get("answerable", True))
        golds = [record.get("answer") or "", *(record.get("aliases") or [])]
        out.append(
            NewsQuestion(
                id=str(record.get("id", n)),
                question=record["question"],
                answerable=answerable,
                golds=tuple(g for g in golds if g.strip()) if answerable else (),
                answer_type=record.get("answer_type") or "other",
                url=record.get("url") or "",
            )
        )
    return out


# --- Running ---------------------------------------------------------------------------------


def ensure_indexed(
    index: NewsIndex, ids: set[str], add: Callable[[], Any], what: str, data_dir: Path
) -> None:
    """Index what ``add`` adds unless ``index`` already holds every id in ``ids``.

    Raises:
        SystemExit: indexing reported errors.
    """
    missing = ids - set(index.store.article_hashes())
    if not missing:
        return
    print(
        f"indexing {len(missing)} of {len(ids)} {what} into {data_dir} (later runs reuse it)",
        file=sys.stderr,
        flush=True,
    )
    report = add()
    print(report.summary(), file=sys.stderr, flush=True)
    if not report.ok:
        raise SystemExit("indexing failed: " + "; ".join(report.errors[:3]))


def timed_ask(answerer: Any, question: str) -> tuple[Answer, float]:
    """The answer to ``question`` and the seconds ``ask`` took."""
    started = time.perf_counter()
    answer = answerer.ask(question)
    return answer, time.perf_counter() - started


def run_multihop(answerer: Any, items: Sequence[dict]) -> list[dict]:
    """Answer MultiHop-RAG questions (rows of :func:`bench.answers.run_question`, extended)."""
    for item in items[:WARMUP]:
        answerer.ask(item["query"])
    rows = []
    for item in items:
        row = answers.run_question(answerer, item)
        row.update(
            id=str(item["index"]),
            seconds=row["total_s"],
            short_words=word_count(row["short_answer"]),
            short_correct=(not row["abstained"])
            and short_answer_correct(row["short_answer"], [item["answer"]]),
            gold_in_text=(not row["abstained"]) and contains_answer(row["text"], [item["answer"]]),
        )
        rows.append(row)
    return rows


def run_squad(answerer: Any, questions: Sequence[SquadQuestion]) -> list[dict]:
    """Answer SQuAD questions and score each one."""
    for q in questions[:WARMUP]:
        answerer.ask(q.question)
    rows = []
    for q in questions:
        answer, seconds = timed_ask(answerer, q.question)
        em, f1 = squad_scores(answer.short_answer, q.golds, q.answerable, answer.abstained)
        rows.append(
            {
                "id": q.id,
                "part": q.part,
                "question": q.question,
                "answerable": q.answerable,
                "golds": list(q.golds),
                "short_answer": answer.short_answer,
                "short_words": word_count(answer.short_answer),
                "abstained": answer.abstained,
                "abstain_reason": answer.abstain_reason,
                "em": em,
                "f1": round(f1, 4),
                "gold_in_text": q.answerable
                and not answer.abstained
                and contains_answer(answer.text, q.golds),
                "cited": [c.passage.article_id for c in answer.citations],
                "text": answer.text,
                "seconds": round(seconds, 4),
            }
        )
    return rows


def run_news(answerer: Any, questions: Sequence[NewsQuestion]) -> list[dict]:
    """Answer our news questions and score each one."""
    for q in questions[:WARMUP]:
        answerer.ask(q.question)
    rows = []
    for q in questions:
        answer, seconds = timed_ask(answerer, q.question)
        answered = q.answerable and not answer.abstained
        cited = [c.passage.article_id for c in answer.citations]
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "answerable": q.answerable,
                "answer_type": q.answer_type,
                "golds": list(q.golds),
                "short_answer": answer.short_answer,
                "short_words": word_count(answer.short_answer),
                "abstained": answer.abstained,
                "abstain_reason": answer.abstain_reason,
                "short_correct": answered and short_answer_correct(answer.short_answer, q.golds),
                "gold_in_text": answered and contains_answer(answer.text, q.golds),
                "cites_url": bool(q.url) and q.url in cited,
                "cited": cited,
                "text": answer.text,
                "seconds": round(seconds, 4),
            }
        )
    return rows


# --- Report ----------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


#: (column title, summary key) of each set's table, after the label columns.
_MULTIHOP_COLUMNS = [
    ("inference n", "inference"),
    ("short-answer acc", "short_answer_accuracy"),
    ("gold in text", "gold_in_text"),
    ("null n", "null"),
    ("abstention (null)", "abstention_null"),
    ("false abstention", "false_abstention"),
    ("citation precision", "citation_precision"),
]
_SQUAD_COLUMNS = [
    ("answerable n", "answerable"),
    ("EM", "em"),
    ("F1", "f1"),
    ("gold in text", "gold_in_text"),
    ("false abstention", "false_abstention"),
    ("unanswerable n", "unanswerable"),
    ("abstention", "abstention"),
    ("overall EM", "overall_em"),
    ("overall F1", "overall_f1"),
]
_NEWS_COLUMNS = [
    ("answerable n", "answerable"),
    ("short-answer acc", "short_answer_accuracy"),
    ("gold in text", "gold_in_text"),
    ("false abstention", "false_abstention"),
    ("unanswerable n", "unanswerable"),
    ("abstention", "abstention"),
]
_LATENCY_COLUMNS = [("n", "n"), ("median ms", "median_ms"), ("p95 ms", "p95_ms")]


def table(
    labels: Sequence[str],
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[Sequence[str], dict[str, Any]]],
) -> str:
    """A Markdown table: label columns, then one column per (title, key) of each summary."""
    head = [*labels, *(title for title, _ in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(labels) + "---:|" * len(columns)]
    for label, summary in rows:
        cells = [*label, *(_fmt(summary.get(key)) for _, key in columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    """The Markdown report: one table per set, one row per variant (and part or answer type)."""
    sets = meta["sets"]
    out = [
        f"# Reader benchmark: {meta['name']}",
        "",
        f"Variants {', '.join(meta['variants'])}; {meta['machine']}; {meta['when']}; "
        f"{meta['seconds']:.0f} s in all. A short answer is correct when it is at most "
        f"{SHORT_WORDS} words and holds the normalised gold answer (definitions: "
        "bench/README.md, section Reader).",
    ]
    if "multihop" in sets:
        m = sets["multihop"]
        rows = [((name,), r["multihop"]) for name, r in results.items()]
        out += [
            "",
            "## MultiHop-RAG dev",
            "",
            f"{m['questions']} questions ({m['sample']}), index {m['index']}.",
            "",
            table(["variant"], _MULTIHOP_COLUMNS, rows),
        ]
    if "squad" in sets:
        q = sets["squad"]
        rows = [
            ((name, part), r["squad"][part])
            for name, r in results.items()
            for part in (*PARTS, "all")
        ]
        out += [
            "",
            "## SQuAD 2.0 dev",
            "",
            f"{q['questions']} questions ({q['sample']}), "
            f"index {q['index']}. EM and F1 of the short answer on answerable questions; "
            "overall: all questions, an abstention on an unanswerable one scoring 1.",
            "",
            table(["variant", "part"], _SQUAD_COLUMNS, rows),
        ]
    news = sets.get("news")
    if news is not None and "skipped" in news:
        out += ["", "## News questions", "", f"Skipped: {news['skipped']}."]
    elif news is not None:
        missing = news["urls_missing"]
        lacks = (
            f"; answerable questions whose article the index lacks: {missing}" if missing else ""
        )
        rows = [
            ((name, kind), s)
            for name, r in results.items()
            for kind, s in [("all", r["news"]["all"]), *r["news"]["by_type"].items()]
        ]
        out += [
            "",
            "## News questions",
            "",
            f"{news['questions']} questions from "
            f"`{news['file']}`, index {news['index']}{lacks}. Per answer type: answerable "
            "questions only.",
            "",
            table(["variant", "answer type"], _NEWS_COLUMNS, rows),
        ]
    rows = [((name, kind), s["latency"]) for name, r in results.items() for kind, s in r.items()]
    out += [
        "",
        f"## Latency (one `ask`, after {WARMUP} warm-up questions per set)",
        "",
        table(["variant", "set"], _LATENCY_COLUMNS, rows),
        "",
        "## Variants",
        "",
    ]
    out += [f"- `{name}`: {meta['configs'][name]['description']}" for name in results]
    return "\n".join(out) + "\n"


def describe(name: str, answerer: Any) -> dict[str, Any]:
    """A variant's configuration as plain data (what the results file records)."""
    doc = (VARIANTS[name].__doc__ or "").strip().split("\n\n")[0]
    out: dict[str, Any] = {"description": " ".join(doc.split()), "class": type(answerer).__name__}
    mode = getattr(answerer, "mode", None)
    out["mode"] = getattr(mode, "label", str(mode))
    for key, value in (
        ("retrieval", getattr(getattr(answerer, "retriever", None), "config", None)),
        ("extractive", getattr(getattr(answerer, "extractive", None), "config", None)),
        ("verify", getattr(getattr(answerer, "verifier", None), "config", None)),
        ("top_k", getattr(getattr(answerer, "settings", None), "top_k", None)),
    ):
        if value is not None:
            out[key] = asdict(value) if is_dataclass(value) else value
    return out


# --- Command ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.reader", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--variants",
        default="baseline",
        help=f"comma-separated, from: {', '.join(VARIANTS)} (default %(default)s)",
    )
    p.add_argument("--sets", default=",".join(SETS), help="which sets (default %(default)s)")
    p.add_argument("--name", default="", help="result file stem (default: the variants)")
    p.add_argument("--multihop-queries", type=Path, default=MULTIHOP / "queries-dev.json")
    p.add_argument(
        "--multihop-corpus",
        type=Path,
        default=MULTIHOP / "corpus.json",
        help="articles indexed when the MultiHop index lacks them",
    )
    p.add_argument("--multihop-data-dir", type=Path, default=DEFAULT_MULTIHOP_DIR)
    p.add_argument(
        "--multihop-sample",
        type=int,
        default=0,
        help="questions per type, fixed seed (default: all)",
    )
    p.add_argument("--squad", type=Path, default=SQUAD_FILE, help="SQuAD 2.0 file")
    p.add_argument("--squad-data-dir", type=Path, default=DEFAULT_SQUAD_DIR)
    p.add_argument(
        "--sample",
        type=int,
        default=300,
        help="SQuAD questions per part, half answerable (0: all; default %(default)s)",
    )
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--news-questions", type=Path, default=NEWS_FILE)
    p.add_argument("--news-data-dir", type=Path, default=None, help="default: the MultiHop index")
    p.add_argument("--out", type=Path, default=RESULTS, help="results folder (default %(default)s)")
    p.add_argument("--no-save", action="store_true", help="print only")
    return p


@dataclass
class QuestionSet:
    """One set ready to run: its index, its questions, how to run and summarise them."""

    index: NewsIndex
    questions: list
    run: Callable[[Any, Sequence[Any]], list[dict]]
    summarise: Callable[[Sequence[dict]], dict[str, Any]]


class Indexes:
    """The indexes of one benchmark run, each data folder opened once.

    Args:
        embedder: the embedding model of every index (default: the one its settings name).
    """

    def __init__(self, embedder: Any = None) -> None:
        self.embedder = embedder
        self._opened: dict[Path, NewsIndex] = {}

    def open(self, data_dir: Path) -> NewsIndex:
        """The index in ``data_dir`` (created empty when there is none)."""
        key = data_dir.resolve()
        if key not in self._opened:
            self._opened[key] = open_index(Settings(data_dir=data_dir), embedder=self.embedder)
        return self._opened[key]

    def multihop(self, data_dir: Path, corpus: Path) -> NewsIndex:
        """The MultiHop-RAG index, ``corpus`` indexed first unless every article is there."""
        index = self.open(data_dir)
        if corpus.is_file():
            records = json.loads(corpus.read_text(encoding="utf-8"))
            urls = {r["url"] for r in records if r.get("url")}
            add = partial(index.add, [corpus])
            ensure_indexed(index, urls, add, "MultiHop-RAG articles", data_dir)
        return index


def shown(path: Path) -> str:
    """``path`` as the results record it: relative to the repository root when it lies beside
    or inside it (``bench/data/...``, ``../shared/...``), so results read the same anywhere."""
    resolved = Path(path).resolve()
    if resolved.is_relative_to(ROOT.parent):
        return os.path.relpath(resolved, ROOT)
    return str(resolved)


def _index_line(index: NewsIndex) -> str:
    stats = index.stats()
    return f"{stats.articles} articles / {stats.chunks} chunks"


def prepare_sets(
    args: argparse.Namespace, sets: Sequence[str], indexes: Indexes
) -> tuple[dict[str, QuestionSet], dict[str, dict[str, Any]]]:
    """Load the questions of ``sets`` and open (building when needed) their indexes.

    Returns:
        The sets to run, and what the results file records about each (a skipped news set
        included, with the reason).

    Raises:
        SystemExit: the news questions have no index to run on.
    """
    plan: dict[str, QuestionSet] = {}
    meta: dict[str, dict[str, Any]] = {}
    if "multihop" in sets:
        queries = answers.load_queries(args.multihop_queries)
        items = [dict(q, index=i) for i, q in enumerate(queries)]
        sample = "all"
        if args.multihop_sample:
            items = answers.stratified_sample(queries, args.multihop_sample, args.seed)
            sample = f"{args.multihop_sample} per type, seed {args.seed}"
        index = indexes.multihop(args.multihop_data_dir, args.multihop_corpus)
        plan["multihop"] = QuestionSet(index, items, run_multihop, summarise_multihop)
        meta["multihop"] = {
            "file": shown(args.multihop_queries),
            "questions": len(items),
            "sample": sample,
            "data_dir": shown(args.multihop_data_dir),
            "index": _index_line(index),
        }
    if "squad" in sets:
        articles, every = load_squad(args.squad)
        questions = sample_squad(every, args.sample, args.seed)
        index = indexes.open(args.squad_data_dir)
        ids = {a.id for a in articles}
        add = partial(index.add_articles, articles)
        ensure_indexed(index, ids, add, "SQuAD paragraphs", args.squad_data_dir)
        plan["squad"] = QuestionSet(index, questions, run_squad, summarise_squad)
        half = f"{args.sample} per part, half answerable, seed {args.seed}"
        meta["squad"] = {
            "file": shown(args.squad),
            "questions": len(questions),
            "sample": half if args.sample else "all",
            "parts": dict(Counter(q.part for q in questions)),
            "data_dir": shown(args.squad_data_dir),
            "index": _index_line(index),
        }
    if "news" in sets and not args.news_questions.is_file():
        meta["news"] = {"skipped": f"{args.news_questions} not found"}
        print(f"news set skipped: {args.news_questions} not found", file=sys.stderr)
    elif "news" in sets:
        news = load_news(args.news_questions)
        data_dir = args.news_data_dir or args.multihop_data_dir
        if data_dir.resolve() == args.multihop_data_dir.resolve():
            index = indexes.multihop(data_dir, args.multihop_corpus)
        else:
            index = indexes.open(data_dir)
        if index.is_empty():
            raise SystemExit(f"no index at {data_dir} for the news questions")
        have = set(index.store.article_hashes())
        plan["news"] = QuestionSet(index, news, run_news, summarise_news)
        meta["news"] = {
            "file": shown(args.news_questions),
            "questions": len(news),
            "data_dir": shown(data_dir),
            "index": _index_line(index),
            "urls_missing": sum(1 for q in news if q.answerable and q.url not in have),
        }
    return plan, meta


def main(argv: Sequence[str] | None = None, *, embedder: Any = None) -> int:
    """Run the benchmark (see ``--help``).

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).
        embedder: the embedding model of every index opened (default: the one each index's
            settings name; tests pass a fake).

    Returns:
        The exit status.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown or not names:
        parser.error(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}")
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not sets or any(s not in SETS for s in sets):
        parser.error(f"--sets takes names from {', '.join(SETS)}")
    for wanted, path in (("multihop", args.multihop_queries), ("squad", args.squad)):
        if wanted in sets and not path.is_file():
            parser.error(f"{path} not found (the {wanted} set needs it)")

    started = time.perf_counter()
    plan, meta_sets = prepare_sets(args, sets, Indexes(embedder))
    results: dict[str, dict[str, Any]] = {}
    configs: dict[str, dict[str, Any]] = {}
    rows_out: list[dict] = []
    for name in names:
        results[name] = {}
        for kind, qset in plan.items():
            answerer = VARIANTS[name](qset.index)
            configs.setdefault(name, describe(name, answerer))
            set_started = time.perf_counter()
            rows = qset.run(answerer, qset.questions)
            seconds = round(time.perf_counter() - set_started, 1)
            results[name][kind] = {**qset.summarise(rows), "seconds": seconds}
            rows_out += [{"variant": name, "set": kind, **row} for row in rows]
            print(f"{name} / {kind}: {len(rows)} questions, {seconds:.0f} s", file=sys.stderr)

    name = args.name or "-".join(names)
    meta = {
        "name": name,
        "variants": names,
        "configs": configs,
        "sets": meta_sets,
        "short_words": SHORT_WORDS,
        "warmup": WARMUP,
        "seed": args.seed,
        "machine": machine(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(time.perf_counter() - started, 1),
        "rows_file": f"reader-{name}.jsonl",
    }
    report = render(results, meta)
    print(report)
    if not args.no_save:
        stem = args.out / f"reader-{name}"
        args.out.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, "results": results}
        Path(f"{stem}.json").write_text(json.dumps(payload, indent=2) + "\n")
        Path(f"{stem}.md").write_text(report)
        with Path(f"{stem}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows_out)
        print(f"wrote {stem}.json, .md and .jsonl", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
