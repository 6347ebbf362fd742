"""Train the reader's two small models: ``python -m bench.train_reader``.

The reader (:mod:`qa.answer.reader`) scores candidate answers and the question's answerability
with two logistic models over hand-made features. This script fits them and writes
``qa/answer/reader_model.json``. Training data, development questions only:

- **SQuAD 2.0**, the ``dev`` part (first byte of sha1(id) even; :func:`bench.reader_metrics.
  part_of`) of ``../shared/eval/squad2/dev-v2.0.json``, asked over the index of every paragraph
  as :mod:`bench.reader` builds it. The ``report`` part is never read here. CC BY-SA 4.0.
  Each answerable question is also asked again with its paragraph kept out of the retrieved
  passages: a near-topic question the remaining passages do not answer (left out when one of
  them holds a gold answer), the kind a news reader meets ("the articles cover the trial, not
  its verdict"); these teach the answerability model only.
- **MultiHop-RAG** development questions (``--multihop``, on by default) that are outside every
  sample :mod:`bench.reader` reports on (40 and 100 per type, seed 13): inference questions for
  the candidate model (their gold answer is a name), and with the null ones for answerability.

Steps: each question is answered by the shipped retriever and sentence scorer; the reader's
:func:`~qa.answer.reader.collect` lists the candidate mentions with their features (cached in
``bench/results/tmp/reader-train.pkl``; ``--refit`` reuses the cache). The candidate model is
a softmax over each question's mentions fitted to their SQuAD F1 against the gold answers
(:func:`fit_listwise`); the answerability model a logistic regression of "answerable" on the
questions the reader reads. The abstention threshold is the one
with the best overall F1 on the SQuAD dev part while false abstention on answerable questions
stays at or under ``--max-false-abstention`` (default 0.10; on all training questions).

Both are fitted with numpy alone (a few dozen weights) on standardised features.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from qa import Answerer
from qa.answer.reader import (
    CANDIDATE_FEATURES,
    MODEL_FILE,
    QUESTION_FEATURES,
    Candidate,
    LinearModel,
    ReaderModel,
    collect,
    question_features,
    readable,
)

from . import answers
from .reader import DEFAULT_SQUAD_DIR, MULTIHOP, SEED, SQUAD_FILE, Indexes, load_squad
from .reader_metrics import f1_score

CACHE = Path(__file__).resolve().parent / "results" / "tmp" / "reader-train.pkl"
#: Samples bench.reader reports on (per type, seed 13): never trained on.
REPORTED_SAMPLES = (40, 100)


@dataclass
class Example:
    """One question's candidates: features, labels, and the answerability label."""

    source: str  # "squad" or "multihop"
    question: str
    answerable: bool
    golds: tuple[str, ...]
    rows: list[tuple[float, ...]]
    labels: list[float]  # F1 of each mention against the golds (0 when unanswerable)
    keys: list[str]
    texts: list[str]
    question_inputs: Any  # (plan, table, scored) are not pickled; see _question_rows


def standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and spread (1 for a constant column, which then stays 0)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 30
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Logistic regression by Newton's method on standardised ``x`` (soft labels allowed).

    Returns:
        (weights, bias, mean, scale) with ``p = sigmoid(((x - mean) / scale) @ w + b)``.
    """
    mean, scale = standardisation(x)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1]), mean, scale


def fit_listwise(
    groups: Sequence[np.ndarray],
    targets: Sequence[Sequence[float]],
    l2: float = 1e-3,
    iterations: int = 400,
    rate: float = 0.05,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """A linear scorer trained to put the most probability on each question's best candidates.

    Each group (a question's candidate mentions) gets a softmax over its scores; the loss is the
    cross-entropy against the group's labels normalised to sum to one (groups whose labels are
    all zero are skipped). This ranks candidates within a question, which is all the reader
    asks of the score, and learned markedly better rankings than one log-loss over all
    mentions. Adam, full batch, on standardised features.

    Returns:
        (weights, 0.0, mean, scale), as :func:`fit_logistic` (a softmax needs no bias).
    """
    keep = [i for i, y in enumerate(targets) if sum(y) > 0]
    x = np.vstack([groups[i] for i in keep]).astype(np.float64)
    mean, scale = standardisation(x)
    x = (x - mean) / scale
    group = np.concatenate([np.full(len(groups[i]), n) for n, i in enumerate(keep)])
    target = np.concatenate([np.asarray(targets[i]) / sum(targets[i]) for i in keep])
    count = len(keep)
    w = np.zeros(x.shape[1])
    first = np.zeros_like(w)
    second = np.zeros_like(w)
    for step in range(1, iterations + 1):
        scores = x @ w
        top = np.full(count, -np.inf)
        np.maximum.at(top, group, scores)
        exp = np.exp(scores - top[group])
        total = np.zeros(count)
        np.add.at(total, group, exp)
        gradient = x.T @ ((exp / total[group] - target) / count) + l2 * w
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        w -= rate * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return w, 0.0, mean, scale


def linear(names: Sequence[str], fitted: tuple[np.ndarray, float, np.ndarray, np.ndarray]):
    """A :class:`LinearModel` from :func:`fit_logistic`'s result."""
    weights, bias, mean, scale = fitted
    return LinearModel(
        features=tuple(names),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in weights),
        bias=bias,
    )


@dataclass(frozen=True)
class Item:
    """A training question; ``without`` names an article kept out of its retrieval."""

    question: str
    answerable: bool
    golds: tuple[str, ...]
    without: str = ""


def gather(answerer: Answerer, source: str, items: Sequence[Item]) -> list[Example]:
    """Retrieve, score and collect candidates for each item.

    An item with ``without`` set is asked with that article's passages removed from the
    retrieved ones (the next ones move up): a near-topic question the remaining passages
    do not answer, unless one of them holds a gold answer too (then it is left out).
    """
    out = []
    k = answerer.settings.top_k
    for item in tqdm(items, desc=source, unit="q", file=sys.stderr):
        question = item.question
        result = answerer.retriever.retrieve(question, k=k + 6 if item.without else k)
        passages = [p for p in result.passages if p.article_id != item.without][:k]
        if item.without and any(g.lower() in p.text.lower() for p in passages for g in item.golds):
            continue
        table = answerer.extractive.table(passages)
        scored = answerer.extractive.score_sentences(question, table)
        plan = result.plan
        if not readable(plan) or not scored:
            continue
        mentions = collect(plan, table, scored)
        answerable = item.answerable and not item.without
        labels = [f1_score(m.text, item.golds) if answerable else 0.0 for m in mentions]
        example = Example(
            source=source + ("-removed" if item.without else ""),
            question=question,
            answerable=answerable,
            golds=item.golds,
            rows=[m.features for m in mentions],
            labels=labels,
            keys=[m.key for m in mentions],
            texts=[m.text for m in mentions],
            question_inputs=None,
        )
        # The question features need the candidate model, fitted later: keep what they need.
        example.question_inputs = _QuestionInputs(plan, table, scored, mentions)
        out.append(example)
    return out


@dataclass
class _QuestionInputs:
    plan: Any
    table: Any
    scored: Any
    mentions: list[Candidate]

    def __getstate__(self):
        # Passages and scores pickle; the table's embedder does not, and is not needed.
        table = self.table
        return {
            "plan": self.plan,
            "passages": table.passages,
            "sentences": table.sentences,
            "scored": self.scored,
            "mentions": self.mentions,
        }

    def __setstate__(self, state):
        from qa.answer.sentences import SentenceTable

        table = SentenceTable.__new__(SentenceTable)
        table.passages = state["passages"]
        table.sentences = state["sentences"]
        table.embedder = None
        self.plan, self.table = state["plan"], table
        self.scored, self.mentions = state["scored"], state["mentions"]


def recollect(examples: Sequence[Example]) -> list[Example]:
    """The cached questions' candidates collected again by the current reader code: the
    retrieved passages and sentence scores are reused, so changing a feature costs a minute,
    not a new pass over the index."""
    for e in tqdm(examples, desc="recollect", unit="q", file=sys.stderr):
        inputs = e.question_inputs
        mentions = collect(inputs.plan, inputs.table, inputs.scored)
        inputs.mentions = mentions
        e.rows = [m.features for m in mentions]
        e.labels = [f1_score(m.text, e.golds) if e.answerable else 0.0 for m in mentions]
        e.keys = [m.key for m in mentions]
        e.texts = [m.text for m in mentions]
    return list(examples)


def squad_items(path: Path, removed: bool = True) -> list[Item]:
    """The SQuAD dev-part questions (the report part is never read), and with ``removed`` each
    answerable one again without its paragraph (a near-topic unanswerable question)."""
    _, questions = load_squad(path)
    dev = [q for q in questions if q.part == "dev"]
    items = [Item(q.question, q.answerable, q.golds) for q in dev]
    if removed:
        items += [Item(q.question, False, q.golds, q.article_id) for q in dev if q.answerable]
    return items


def multihop_items(queries_file: Path) -> list[Item]:
    """MultiHop-RAG inference and null questions outside every reported sample."""
    queries = answers.load_queries(queries_file)
    reported = {
        item["index"]
        for n in REPORTED_SAMPLES
        for item in answers.stratified_sample(queries, n, SEED)
    }
    out = []
    for i, q in enumerate(queries):
        if i in reported or q["question_type"] not in {"inference_query", "null_query"}:
            continue
        answerable = q["question_type"] == "inference_query"
        out.append(Item(q["query"], answerable, (q["answer"],) if answerable else ()))
    return out


def fit(
    examples: Sequence[Example], max_false_abstention: float, l2: float
) -> tuple[ReaderModel, dict]:
    """Fit both models and the threshold; return the model and its training figures."""
    answerable = [e for e in examples if e.answerable and e.rows]
    groups = [np.array(e.rows, dtype=np.float64) for e in answerable]
    candidate = linear(CANDIDATE_FEATURES, fit_listwise(groups, [e.labels for e in answerable]))

    q_rows, q_labels, chosen_f1, sources = [], [], [], []
    for e in examples:
        inputs = e.question_inputs
        if not e.rows:
            continue
        logits = candidate.logits(e.rows)
        q_rows.append(
            question_features(
                inputs.plan, inputs.table, inputs.scored, inputs.mentions, logits.tolist()
            )
        )
        q_labels.append(float(e.answerable))
        best = int(np.argmax(logits))
        chosen_f1.append(e.labels[best])
        sources.append(e.source)
    qx = np.array(q_rows, dtype=np.float64)
    qy = np.array(q_labels)
    answerability = linear(QUESTION_FEATURES, fit_logistic(qx, qy, l2=l2))
    probs = 1 / (1 + np.exp(-answerability.logits(q_rows)))
    f1s = np.array(chosen_f1)
    squad = np.array([s == "squad" for s in sources])

    def figures(t: float, mask: np.ndarray) -> dict[str, float]:
        answer = probs >= t
        pos, neg = (qy == 1) & mask, (qy == 0) & mask
        overall = np.where(qy == 1, np.where(answer, f1s, 0.0), np.where(answer, 0.0, 1.0))
        return {
            "false_abstention": float((~answer & pos).sum() / max(pos.sum(), 1)),
            "abstention": float((~answer & neg).sum() / max(neg.sum(), 1)),
            "f1_answerable": float(np.where(answer, f1s, 0.0)[pos].mean()) if pos.any() else 0.0,
            "overall_f1": float(overall[mask].mean()) if mask.any() else 0.0,
        }

    every = np.ones(len(qy), dtype=bool)
    grid = np.round(np.arange(0.02, 0.98, 0.01), 2)
    allowed = [t for t in grid if figures(t, every)["false_abstention"] <= max_false_abstention]
    threshold = max(allowed, key=lambda t: figures(t, squad)["overall_f1"]) if allowed else 0.0
    about = {
        "trained": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "script": "python -m bench.train_reader",
        "data": {
            "squad": "SQuAD 2.0 dev-v2.0.json, dev part only (sha1(id)[0] even), CC BY-SA 4.0",
            "squad-removed": "the answerable ones again, their paragraph kept out of retrieval",
            "multihop": "MultiHop-RAG dev inference and null questions"
            " outside bench.reader's samples",
        },
        "questions": {s: int(sum(1 for x in sources if x == s)) for s in sorted(set(sources))},
        "mentions": sum(len(g) for g in groups),
        "max_false_abstention": max_false_abstention,
        "l2": l2,
        "training_figures": {
            **{s: figures(threshold, np.array(sources) == s) for s in sorted(set(sources))},
            "all": figures(threshold, every),
        },
    }
    return ReaderModel(candidate, answerability, float(threshold), about), about


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.train_reader", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--squad", type=Path, default=SQUAD_FILE)
    parser.add_argument("--squad-data-dir", type=Path, default=DEFAULT_SQUAD_DIR)
    parser.add_argument("--multihop-queries", type=Path, default=MULTIHOP / "queries-dev.json")
    parser.add_argument("--multihop-corpus", type=Path, default=MULTIHOP / "corpus.json")
    parser.add_argument(
        "--multihop-data-dir",
        type=Path,
        default=None,
        help="the 609-article index (default: bench.reader's)",
    )
    parser.add_argument("--no-multihop", action="store_true", help="train on SQuAD only")
    parser.add_argument("--limit", type=int, default=0, help="at most N SQuAD questions (0: all)")
    parser.add_argument("--refit", action="store_true", help="reuse the cached candidates")
    parser.add_argument(
        "--recollect",
        action="store_true",
        help="reuse the cached retrieval, collect the candidates again (after a feature change)",
    )
    parser.add_argument("--max-false-abstention", type=float, default=0.10)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Collect, fit, write the model (see ``--help``)."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    if (args.refit or args.recollect) and CACHE.is_file():
        examples = pickle.loads(CACHE.read_bytes())
        if args.recollect:
            examples = recollect(examples)
            CACHE.write_bytes(pickle.dumps(examples))
        widths = {len(r) for e in examples for r in e.rows}
        if widths - {len(CANDIDATE_FEATURES)}:
            raise SystemExit(f"{CACHE} holds other features: run with --recollect")
    else:
        from .reader import DEFAULT_MULTIHOP_DIR, ensure_indexed

        indexes = Indexes()
        articles, _ = load_squad(args.squad)
        index = indexes.open(args.squad_data_dir)
        ensure_indexed(
            index,
            {a.id for a in articles},
            lambda: index.add_articles(articles),
            "SQuAD paragraphs",
            args.squad_data_dir,
        )
        items = squad_items(args.squad)
        if args.limit:
            items = items[: args.limit]
        examples = gather(Answerer(index), "squad", items)
        if not args.no_multihop:
            data_dir = args.multihop_data_dir or DEFAULT_MULTIHOP_DIR
            mh = indexes.multihop(data_dir, args.multihop_corpus)
            examples += gather(Answerer(mh), "multihop", multihop_items(args.multihop_queries))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(examples))
    model, about = fit(examples, args.max_false_abstention, args.l2)
    model.save(args.out)
    print(json.dumps(about, indent=1))
    for name, w in zip(CANDIDATE_FEATURES, model.candidate.weights):
        print(f"candidate {name:22s} {w:+.3f}")
    for name, w in zip(QUESTION_FEATURES, model.answerable.weights):
        print(f"answerable {name:21s} {w:+.3f}")
    print(
        f"threshold {model.threshold}; wrote {args.out} in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
