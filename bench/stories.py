"""Copies and stories benchmark: ``python -m bench.stories``.

Builds the articles of the labelled pairs in ``bench/data/story-pairs.json`` (the 609 articles of
``../shared/eval/multihop-rag/corpus.json`` plus the edited versions :mod:`bench.story_edits`
makes of some of them), ingests them all into a fresh index under ``bench/results/tmp/stories``
through :meth:`index.NewsIndex.add_articles` (the code path of every ingestion: copies and
stories are decided there, group by group), in order of publication, and reads back what each
article was given. Then each section measures one thing and returns a table:

* ``copies and stories``: precision and recall of "copy" (the pair's articles got one copy
  group) and of "same story" (one story), over all pairs and over the pairs that are not
  copies, per kind of pair, and every pair decided wrongly.
* ``top 10``: for each source article of an edited copy, its headline asked as a question
  (``k`` = 10) with copies folded and not: near-identical passages of different articles in the
  top 10, and the copies listed as ``also_in``.

* ``corroboration and conflicts``: :mod:`bench.claims` (its cases build their own small
  indexes).
* ``timelines``: :mod:`bench.timelines` (its questions are asked over the 609-article index
  it keeps, built on first use).

Sections are the functions in :data:`SECTIONS`: each takes the :class:`Run` and returns a
:class:`Section`.

The embedder's vectors are cached by text in ``bench/results/tmp/stories-vectors.npz``
(``--seed-index`` fills the cache from an index of the same corpus, such as the one
``bench.retrieval`` builds), so only the first run embeds (about 7,300 chunks: some 10 minutes on
2 cores); ingestion otherwise runs as it always does. Results: ``bench/results/stories.md`` and
``.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .retrieval import DATASET, RESULTS, ROOT, machine
from .story_edits import edit

PAIRS = ROOT / "bench" / "data" / "story-pairs.json"
DATA_DIR = RESULTS / "tmp" / "stories"
CACHE = RESULTS / "tmp" / "stories-vectors.npz"
DEFAULT_SEED = RESULTS / "tmp" / "multihop-rag"


@dataclass(frozen=True)
class Pair:
    """A labelled pair of articles.

    Attributes:
        id: the pair's id in the pairs file.
        kind: what sort of pair it is ("edited copy", "same event", ...).
        label: "copy", "same story" or "different".
        a, b: the two article ids.
        note: what the labeller wrote about it.
    """

    id: str
    kind: str
    label: str
    a: str
    b: str
    note: str = ""


@dataclass
class Run:
    """What the sections read: the articles, the index they went into, the pairs.

    Attributes:
        articles: every article ingested, by id.
        index: the opened index.
        pairs: the labelled pairs.
        groups: by article id, its (copy group, story) as stored.
        edited: the edited articles' ids, by the id of their source article.
    """

    articles: dict
    index: Any
    pairs: list[Pair]
    groups: dict[str, tuple[str, str]]
    edited: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One section of the results: a markdown part and its figures as data."""

    title: str
    markdown: str
    data: dict[str, Any]


# ---- the articles and the index ------------------------------------------------------------


def load_pairs(path: Path, corpus: dict) -> tuple[list[Pair], dict]:
    """The pairs of ``path`` and every article they need beyond ``corpus`` (the edited ones).

    Raises:
        SystemExit: a pair names an article the corpus lacks.
    """
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    pairs: list[Pair] = []
    extra: dict = {}

    def resolve(ref) -> str:
        if isinstance(ref, str):
            if ref not in corpus:
                raise SystemExit(f"{path}: {ref} is not a corpus article")
            return ref
        source = resolve(ref["of"])
        edited = edit(corpus[source], ref["edit"])
        extra[edited.id] = edited
        return edited.id

    for item in raw["pairs"]:
        pairs.append(
            Pair(
                item["id"],
                item["kind"],
                item["label"],
                resolve(item["a"]),
                resolve(item["b"]),
                item.get("note", ""),
            )
        )
    return pairs, extra


class CachedEmbedder:
    """The packaged embedder, with its vectors kept by text across runs.

    Args:
        inner: the embedder.
        path: the cache file (``.npz``: keys and vectors).
    """

    def __init__(self, inner, path: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.embedded = 0
        if path.is_file():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, embedding only those not cached."""
        from index.embedding import vector_key

        keys = [vector_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            todo = {k: t for k, t in zip(keys, texts)}
            for key, vector in zip(missing, self.inner.embed([todo[k] for k in missing])):
                self.vectors[key] = vector
            self.embedded += len(missing)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self.vectors[key]
        return out

    def seed(self, data_dir: Path) -> int:
        """Add the vectors of every chunk stored in the index at ``data_dir``; returns how many."""
        from index import Settings
        from index.store import Store

        store = Store(Settings(data_dir=data_dir), self.model_id)
        before = len(self.vectors)
        for _ids, _docs, metas, vectors in store.chroma.chunk_records(include_vectors=True):
            for meta, vector in zip(metas, vectors if vectors is not None else []):
                if meta and meta.get("hash"):
                    self.vectors.setdefault(str(meta["hash"]), np.asarray(vector, np.float32))
        return len(self.vectors) - before

    def save(self) -> None:
        """Write the cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.asarray(list(self.vectors), dtype=str)
        vectors = np.asarray(list(self.vectors.values()), dtype=np.float32)
        np.savez(self.path, keys=keys, vectors=vectors)


def build(
    corpus_path: Path, pairs_path: Path, data_dir: Path, seed: Path | None, cache: Path
) -> Run:
    """Ingest the corpus and the edited articles into a fresh index and read the groups back."""
    from index import Settings, load_file, open_index
    from index.embedding import MiniLMEmbedder

    loaded = load_file(corpus_path)
    if loaded.error:
        raise SystemExit(f"{corpus_path}: {loaded.error}")
    corpus = {a.id: a for a in loaded.articles}
    pairs, extra = load_pairs(pairs_path, corpus)
    articles = {**corpus, **extra}
    embedder = CachedEmbedder(MiniLMEmbedder(), cache)
    if seed is not None and seed.is_dir():
        print(f"seeded {embedder.seed(seed)} vectors from {seed}", file=sys.stderr)
    shutil.rmtree(data_dir, ignore_errors=True)
    index = open_index(Settings(data_dir=data_dir), embedder=embedder)
    order = sorted(articles.values(), key=lambda a: (a.published or datetime.min.date(), a.id))
    started = time.perf_counter()
    report = index.add_articles(order)
    print(
        f"{report.summary()}; {embedder.embedded} chunk texts embedded, the rest cached "
        f"({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    embedder.save()
    groups = {a.id: (a.copy_group, a.story) for a in index.store.list_articles()}
    edited: dict[str, list[str]] = {}
    for pair in pairs:
        if pair.b in extra:
            edited.setdefault(pair.a, []).append(pair.b)
    return Run(articles, index, pairs, groups, edited)


# ---- sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Precision and recall of one yes/no decision over some pairs."""

    pairs: int
    positives: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are labelled so (1.0 when none is predicted)."""
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled pairs that are predicted (1.0 when none is labelled)."""
        return self.correct / self.positives if self.positives else 1.0


def score(
    pairs: Sequence[Pair], truth: Callable[[Pair], bool], said: Callable[[Pair], bool]
) -> Scores:
    """:class:`Scores` of ``said`` against ``truth`` over ``pairs``."""
    return Scores(
        pairs=len(pairs),
        positives=sum(truth(p) for p in pairs),
        predicted=sum(said(p) for p in pairs),
        correct=sum(truth(p) and said(p) for p in pairs),
    )


def copies_and_stories(run: Run) -> Section:
    """Precision and recall of "copy" and "same story" on the labelled pairs."""
    groups = run.groups

    def said_copy(p: Pair) -> bool:
        return groups[p.a][0] == groups[p.b][0]

    def said_story(p: Pair) -> bool:
        return groups[p.a][1] == groups[p.b][1]

    def is_copy(p: Pair) -> bool:
        return p.label == "copy"

    def is_story(p: Pair) -> bool:
        return p.label in ("copy", "same story")

    scopes = {"all": run.pairs}
    rows = []
    data: dict[str, Any] = {}
    for name, pairs in scopes.items():
        copy = score(pairs, is_copy, said_copy)
        story = score(pairs, is_story, said_story)
        apart = [p for p in pairs if p.label != "copy"]
        story_apart = score(apart, is_story, said_story)
        rows.append(
            f"| {name} | {len(pairs)} | {copy.positives} | {copy.precision:.3f} | "
            f"{copy.recall:.3f} | {story.positives} | {story.precision:.3f} | {story.recall:.3f} "
            f"| {story_apart.positives} | {story_apart.precision:.3f} | {story_apart.recall:.3f} |"
        )
        data[name] = {
            "copy": {**vars(copy), "precision": copy.precision, "recall": copy.recall},
            "same_story": {**vars(story), "precision": story.precision, "recall": story.recall},
            "same_story_not_copies": {
                **vars(story_apart),
                "precision": story_apart.precision,
                "recall": story_apart.recall,
            },
        }
    head = (
        "| pairs | n | copies | copy P | copy R | same story | story P | story R | "
        "same story, copies left out | P | R |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    kinds: dict[str, list[Pair]] = {}
    for pair in run.pairs:
        kinds.setdefault(pair.kind, []).append(pair)
    kind_rows = []
    for kind, pairs in kinds.items():
        shared = [_shared(run.articles[p.a].text, run.articles[p.b].text) for p in pairs]
        jaccard = [j for j, _ in shared]
        contained = [c for _, c in shared]
        kind_rows.append(
            f"| {kind} | {pairs[0].label} | {len(pairs)} | {min(jaccard):.2f}-{max(jaccard):.2f} "
            f"| {min(contained):.2f}-{max(contained):.2f} | {sum(map(said_copy, pairs))} | "
            f"{sum(map(said_story, pairs))} |"
        )
        data.setdefault("kinds", {})[kind] = {
            "label": pairs[0].label,
            "pairs": len(pairs),
            "jaccard": [min(jaccard), max(jaccard)],
            "containment": [min(contained), max(contained)],
            "said_copy": sum(map(said_copy, pairs)),
            "said_same_story": sum(map(said_story, pairs)),
        }
    wrong = [p for p in run.pairs if said_copy(p) != is_copy(p) or said_story(p) != is_story(p)]
    data["wrong"] = [
        {"id": p.id, "label": p.label, "said_copy": said_copy(p), "said_story": said_story(p)}
        for p in wrong
    ]

    def said(p: Pair) -> str:
        return "copy" if said_copy(p) else ("same story" if said_story(p) else "different")

    wrong_rows = [
        f"| {p.id} | {p.label} | {said(p)} | {_cell(p.note or run.articles[p.a].title)} |"
        for p in wrong
    ]
    markdown = "\n".join(
        [
            head,
            *rows,
            "",
            "Per kind of pair: the exact share of four-word runs the two texts have in common "
            "(Jaccard, and containment: of the smaller), and how many the index called a copy "
            "and the same story:",
            "",
            "| kind | label | pairs | Jaccard | containment | said copy | said same story |",
            "|---|---|---|---|---|---|---|",
            *kind_rows,
            "",
            f"Pairs decided wrongly ({len(wrong)}):",
            "",
            "| pair | label | said | about |",
            "|---|---|---|---|",
            *wrong_rows,
        ]
    )
    return Section("Copies and stories: labelled pairs", markdown, data)


def top_ten(run: Run) -> Section:
    """Near-identical passages in the top 10, with copies folded and not."""
    from index.sketch import text_overlap
    from qa.retrieval.retriever import RetrievalConfig, Retriever

    sources = [
        a for a in run.edited if any(run.groups[e][0] == run.groups[a][0] for e in run.edited[a])
    ]
    rows = []
    data: dict[str, Any] = {"questions": len(sources)}
    configs = {"folded (default)": True, "not folded": False}
    retrievers = {
        name: Retriever(run.index, RetrievalConfig(fold_copies=f)) for name, f in configs.items()
    }
    for retriever in retrievers.values():  # untimed: loads the table, splits the sentences
        for source in sources:
            retriever.retrieve(run.articles[source].title, k=10)
    for name, retriever in retrievers.items():
        repeats = with_repeats = listed = articles = 0
        latencies = []
        for source in sources:
            started = time.perf_counter()
            passages = retriever.retrieve(run.articles[source].title, k=10).passages
            latencies.append((time.perf_counter() - started) * 1000.0)
            found = sum(
                1
                for i, p in enumerate(passages)
                for q in passages[i + 1 :]
                if p.article_id != q.article_id and text_overlap(p.text, q.text) >= 0.5
            )
            repeats += found
            with_repeats += found > 0
            if found and configs[name]:
                data.setdefault("near_identical_when_folded", []).append(source)
            listed += sum(len(p.also_in) for p in passages)
            articles += len({p.article_id for p in passages})
        n = max(1, len(sources))
        rows.append(
            f"| {name} | {len(sources)} | {repeats / n:.2f} | {with_repeats} | "
            f"{articles / n:.1f} | {listed / n:.2f} | {float(np.median(latencies)):.0f} |"
        )
        data[name] = {
            "near_identical_pairs_per_question": repeats / n,
            "questions_with_near_identical": with_repeats,
            "articles_per_question": articles / n,
            "also_in_per_question": listed / n,
            "latency_median_ms": float(np.median(latencies)),
        }
    markdown = "\n".join(
        [
            "Each question is the headline of an article with an edited copy (that the index "
            "found), asked with k = 10.",
            "",
            "| top 10 | questions | near-identical passage pairs per question | questions with any "
            "| articles per question | copies listed as also in, per question | median ms |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    return Section("Top 10 with copies", markdown, data)


def corroboration_and_conflicts(run: Run) -> Section:
    """Corroboration counts and conflicts (:mod:`bench.claims`): each case builds its own
    small index from the corpus, so this section does not read ``run``'s index."""
    from . import claims

    markdown, figures = claims.section()
    return Section("Corroboration and conflicts", markdown, figures)


def timelines(run: Run) -> Section:
    """Timeline questions (:mod:`bench.timelines`), asked over the 609 corpus articles as
    ``python -m bench.timelines`` asks them, so this section does not read ``run``'s index."""
    from . import timelines as timeline_bench

    markdown, figures = timeline_bench.section()
    return Section("Timelines", markdown, figures)


#: The sections, in order.
SECTIONS: list[Callable[[Run], Section]] = [
    copies_and_stories,
    top_ten,
    corroboration_and_conflicts,
    timelines,
]


def _shared(a: str, b: str) -> tuple[float, float]:
    """Exact Jaccard similarity and containment of two texts' shingles (:mod:`index.sketch`)."""
    from index.sketch import shingles

    sa, sb = shingles(a), shingles(b)
    both = int(np.intersect1d(sa, sb).size)
    union = sa.size + sb.size - both
    return (both / union if union else 0.0), (both / min(sa.size, sb.size) if both else 0.0)


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")[:110]


def render(sections: Sequence[Section], meta: dict[str, Any]) -> str:
    """The results as markdown."""
    parts = [
        "# Copies and stories",
        "",
        f"{meta['when']}; {meta['machine']}; {meta['articles']} articles ({meta['edited']} "
        f"edited), {meta['pairs']} labelled pairs (`{meta['pairs_file']}`).",
        "",
    ]
    for section in sections:
        parts += [f"## {section.title}", "", section.markdown, ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.stories", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--corpus", type=Path, default=DATASET / "corpus.json")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="scratch index (replaced)")
    parser.add_argument(
        "--seed-index",
        type=Path,
        default=DEFAULT_SEED,
        help="an index of the same corpus whose vectors fill the cache (default %(default)s)",
    )
    parser.add_argument("--name", default="stories", help="result file stem")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        parser.error(f"{args.corpus} not found (the MultiHop-RAG corpus, see bench/README.md)")

    run = build(args.corpus, args.pairs, args.data_dir, args.seed_index, CACHE)
    sections = [section(run) for section in SECTIONS]
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "articles": len(run.articles),
        "edited": sum(len(v) for v in run.edited.values()),
        "pairs": len(run.pairs),
        "pairs_file": str(
            args.pairs.relative_to(ROOT) if args.pairs.is_relative_to(ROOT) else args.pairs
        ),
    }
    report = render(sections, meta)
    print(report)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, "sections": {s.title: s.data for s in sections}}
        (RESULTS / f"{args.name}.json").write_text(json.dumps(payload, indent=2) + "\n")
        (RESULTS / f"{args.name}.md").write_text(report)
        print(f"wrote {RESULTS / args.name}.json and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
