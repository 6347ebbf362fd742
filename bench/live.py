"""Live writes on a big index, end to end: ``python -m bench.live --chunks 100000``.

The #14 targets measured through the real commands and processes, on the index
:mod:`bench.scale` loaded (``python -m bench.scale --chunks N --load-only`` first: N synthetic
chunks through the real write path, random vectors). Articles are dated as live news is: today
(``add-one``) and over the last 30 days (``add-many``), so with :mod:`bench.scale`'s 2023 corpus
they go to, and search, the newest vector shard only (:mod:`index.store.shards`; an article dated
within an old shard's days loads that shard too). Each step runs in a fresh process:

1. ``lexical``: the BM25 side brought to the store's generation (built once after the load, as
   the writer's commit would; loaded when saved already).
2. ``add-one``: two app-like processes (``open_index`` + :class:`qa.Answerer`, extractive, warmed
   up) are running; ``python -m index add`` adds one new 3-chunk article (real embedder). Measured:
   the command's wall time and peak RSS, its embedder time (from its summary line), and, per
   reader, the delay from the writer's commit (the generation appearing in the store's metadata,
   polled every 20 ms) to the end of its first answer that cites the new article (each reader
   checks the generation every 50 ms, as every question does first, then asks a question only
   that article answers).
3. ``add-many``: ``python -m index add`` of 1,000 new articles (~3 chunks each) in one file, its
   end-to-end chunks/s against the embedder alone on the same chunk texts (before and after,
   averaged; :func:`bench.ingest.raw_rate`).
4. ``remove-many``: that file deleted, ``python -m index add --prune`` removes its 1,000 articles
   in one write session (``python -m index remove ID ...`` is one session per id); then, in a new
   process, none of their chunks is in the store, in the BM25 index, nor among the passages the
   app's retriever returns for 100 of their titles.
5. ``probe`` and ``serve``: :mod:`bench.scale`'s app-like process (hybrid and app retriever
   latency) and the real web app's start to first page.
6. ``server``: ``chroma run`` serves the same store; two machines (two data folders with the
   lexical index as it stands, as two app machines that were up to date) point at it; one runs
   ``python -m index add`` of one article, the other is a running app process: its delay to a
   citing answer, and how its lexical index got there (caught up from the change log, time).
7. ``memory`` (only with ``--step memory``): ``add-one``'s write with no other process and beside
   two idle processes holding an app's memory, in turns (:func:`add_one_beside_memory`).

The default is 100k (a million chunks load into Chroma in about 31 minutes here); the
lexical side alone at 1M is :mod:`bench.lexical`. Results: ``bench/results/live-<N>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .ingest import chunk_texts, raw_rate
from .scale import DATASET, RESULTS, ROOT, _rss_peak_mb, bench_parser, run_step

#: Articles added (then removed) by ``add-many``.
MANY = 1000
#: Characters of body per article of ``add-many`` (about three 256-token chunks).
BODY_CHARS = 2600
#: Seconds a reader waits for the new article before giving up.
READER_TIMEOUT = 300.0


def _env(data_dir: Path, chroma_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update(NEWSQA_DATA_DIR=str(data_dir), ANONYMIZED_TELEMETRY="False")
    if chroma_url:
        env["NEWSQA_CHROMA_URL"] = chroma_url
    return env


def one_article(folder: Path, published: date | None = None) -> tuple[Path, str, str]:
    """Write one new article (three chunks) on a made-up subject; returns (file, id, question).

    The subject's name is new each run, so the question has one answer in the index: this
    article's. It is dated today, as live news is (``published`` for another day).
    """
    rng = random.Random()
    name = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))
    name = name.capitalize()
    article_id = f"https://live.example/one/{name.lower()}"
    opening = (
        f"The {name} desalination plant on Kellmore Bay opened on 14 March 2024, the regional "
        f"water authority said. The {name} plant produces 90,000 cubic metres of drinking water "
        f"a day, enough for about 400,000 people."
    )
    filler = [
        f"Engineers at the {name} site tested the membranes for six weeks before the opening. "
        f"The authority said the plant runs on power bought from two wind farms nearby, and that "
        f"the brine is diluted before it returns to the bay. Fishermen had asked for the outfall "
        f"to be moved further from the shore, and the final design placed it 1.2 kilometres out."
        for _ in range(7)
    ]
    body = "\n\n".join([opening, *filler])
    record = {
        "title": f"{name} desalination plant opens on Kellmore Bay",
        "source": "Live Bench Times",
        "url": article_id,
        "published_at": (published or datetime.now(UTC).date()).isoformat(),
        "body": body,
    }
    path = folder / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return path, article_id, f"When did the {name} desalination plant open?"


def many_articles(path: Path, n: int = MANY) -> dict[str, list[str]]:
    """Write ``n`` new articles (corpus bodies, cut to about three chunks, dated over the last
    30 days as a live feed's are) to ``path``.

    Returns:
        Their ids and titles.
    """
    records = json.loads((DATASET / "corpus.json").read_text())
    rng = random.Random()
    today = datetime.now(UTC).date()
    run = f"{rng.getrandbits(32):08x}"
    written: dict[str, list[str]] = {"ids": [], "titles": []}
    lines = []
    for i in range(n):
        record = rng.choice(records)
        body = record["body"][:BODY_CHARS]
        body = body[: body.rfind(". ") + 1] or body
        article = {
            "title": f"{record['title']} (live {run} {i})",
            "source": record["source"],
            "url": f"https://live.example/{run}/{i}",
            # Live news: published over the last 30 days.
            "published_at": (today - timedelta(days=i % 30)).isoformat(),
            "body": body,
        }
        written["ids"].append(article["url"])
        written["titles"].append(article["title"])
        lines.append(json.dumps(article))
    path.write_text("\n".join(lines) + "\n")
    return written


# ---- processes -------------------------------------------------------------------------------


def timed_command(args: list[str], env: dict[str, str]) -> dict:
    """Run a command to its end; wall seconds, peak RSS (its own, via wait4) and its output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "stdout": stdout,
        "started": started,
    }


class GenerationWatch:
    """Notes when the store's generation changes (the moment a writer commits), every 20 ms.

    Args:
        data_dir: the index's data folder.
        chroma_url: the Chroma server's url ("" for the embedded store).
    """

    def __init__(self, data_dir: Path, chroma_url: str = "") -> None:
        from index import Settings
        from index.store.records import collection_names, open_client

        settings = Settings(data_dir=data_dir, chroma_url=chroma_url or None)
        self._client = open_client(settings)
        self._name = collection_names(settings.collection)[1]
        self.changes: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = None
        while not self._stop.is_set():
            metadata = self._client.get_collection(self._name).metadata or {}
            generation = int(metadata.get("generation", 0))
            if generation != last:
                self.changes.append((generation, time.time()))
                last = generation
            time.sleep(0.02)

    def stop(self) -> list[tuple[int, float]]:
        """Stop watching; returns (generation, wall-clock time first seen), the first being the
        generation at start."""
        self._stop.set()
        self._thread.join()
        return self.changes


def start_reader(data_dir: Path, question: str, article_id: str, chroma_url: str = ""):
    """Start an app-like reader process and wait until it has answered once (warmed up)."""
    args = [sys.executable, "-m", "bench.live", "--step", "reader", "--data-dir", str(data_dir)]
    args += ["--question", question, "--article", article_id]
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=_env(data_dir, chroma_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        proc.kill()
        raise SystemExit(f"a reader did not start: {line!r}")
    return proc


def reader_result(proc) -> dict:
    """The JSON result a reader prints when it has cited the article (or given up)."""
    out, _ = proc.communicate(timeout=READER_TIMEOUT + 60)
    return json.loads(out.strip().splitlines()[-1])


def reader(question: str, article_id: str) -> dict:
    """An app-like process: wait for a new generation, then ask until an answer cites
    ``article_id``. Prints ``ready`` once warmed up, then its result (run as a step)."""
    from index import Settings, open_index
    from qa import Answerer

    index = open_index(Settings.from_env())
    answerer = Answerer(index)
    answerer.warm()
    for _ in range(2):  # the second is a warm answer, to compare the first citing one with
        t = time.perf_counter()
        first = answerer.ask(question)
        warm = time.perf_counter() - t
        assert not any(c.passage.article_id == article_id for c in first.citations)
    print("ready", flush=True)
    start = index.store.generation()
    deadline = time.monotonic() + READER_TIMEOUT
    seen = cited = 0.0
    asks: list[float] = []
    while time.monotonic() < deadline:
        # What every question does first (and reopens the store when it changed).
        if not seen:
            if index.store.generation() == start:
                time.sleep(0.05)
                continue
            seen = time.time()
        t = time.perf_counter()
        answer = answerer.ask(question)
        asks.append(time.perf_counter() - t)
        if any(c.passage.article_id == article_id for c in answer.citations):
            cited = time.time()
            break
    update = index.lexical.last_update
    return {
        "seen": seen,
        "cited": cited,
        "asks": len(asks),
        "last_ask_seconds": round(asks[-1], 2) if asks else None,
        "warm_ask_seconds": round(warm, 2),
        "lexical_origin": update.origin if update else "",
        "lexical_seconds": round(update.seconds, 3) if update else None,
        "lexical_rows_read": update.rows if update else None,
        "peak_rss_mb": round(_rss_peak_mb()),
    }


# ---- steps -----------------------------------------------------------------------------------


def _summary_numbers(stdout: str) -> dict:
    from .ingest import _SUMMARY

    match = _SUMMARY.search(stdout)
    if not match:
        raise SystemExit(f"no summary line in: {stdout!r}")
    _, _, _, _, embedded, seconds, rate = match.groups()
    return {
        "chunks_embedded": int(embedded),
        "run_seconds": float(seconds),
        "embed_seconds": round(int(embedded) / float(rate), 2) if rate else 0.0,
    }


def add_one(data_dir: Path, work: Path, chroma_url: str = "", readers: int = 2) -> dict:
    """One 3-chunk article added by ``python -m index add`` while readers run."""
    work.mkdir(parents=True, exist_ok=True)
    path, article_id, question = one_article(work)
    procs = [start_reader(data_dir, question, article_id, chroma_url) for _ in range(readers)]
    watch = GenerationWatch(data_dir, chroma_url)
    command = [sys.executable, "-m", "index", "add", "-q", str(path)]
    add = timed_command(command, _env(data_dir, chroma_url))
    results = [reader_result(p) for p in procs]
    changes = watch.stop()
    if len(changes) < 2:
        raise SystemExit(f"the writer's commit was not seen: {changes}")
    committed = changes[1][1]
    summary = _summary_numbers(add.pop("stdout"))
    out = {
        **{k: v for k, v in add.items() if k != "started"},
        **summary,
        "wall_minus_embedder_seconds": round(add["wall_seconds"] - summary["embed_seconds"], 2),
        "question": question,
        "readers": [],
    }
    for r in results:
        out["readers"].append(
            {
                "cited_after_commit_seconds": round(r["cited"] - committed, 2)
                if r["cited"]
                else None,
                "saw_generation_after_commit_seconds": round(r["seen"] - committed, 2)
                if r["seen"]
                else None,
                **{k: v for k, v in r.items() if k not in ("seen", "cited")},
            }
        )
    return out


#: What ``memory`` holds per idle process: about an app's resident memory at 1M chunks after
#: its first answer (every shard's vector graph loaded: 2.7 to 2.9 GB, measured).
HOLD_MB = 2900

#: Python that allocates ``{mb}`` MiB and writes one byte per page, so every page is touched.
_TOUCH = """
block = bytearray({mb} * 2**20)
for i in range(0, len(block), 4096):
    block[i] = 1
"""
#: A process that touches ``{mb}`` MiB, says "ready" and holds it until its stdin closes.
_HOLDER = "import sys\n" + _TOUCH + 'print("ready", flush=True)\nsys.stdin.read()\n'


def _page_touch_seconds(mb: int = 500) -> float:
    """Seconds to touch ``mb`` MiB of fresh memory in a new process (page faults alone)."""
    code = "import time\nt = time.perf_counter()\n" + _TOUCH.format(mb=mb)
    code += "print(time.perf_counter() - t)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(out.stdout), 3)


def add_one_beside_memory(data_dir: Path, work: Path, rounds: int = 3) -> dict:
    """``index add`` of one article with no other process, and beside two idle processes that
    hold an app's memory (``HOLD_MB`` each) but use no CPU, in turns.

    Why: on this machine (a virtual machine) a process touching fresh memory is several times
    slower while others hold a few GB, and the add-one step's two readers hold 2.9 GB each.
    """
    runs: dict[str, list[dict]] = {"alone": [], "beside memory": []}
    for _ in range(rounds):
        for mode in runs:
            holders = []
            if mode != "alone":
                for _ in range(2):
                    holder = subprocess.Popen(
                        [sys.executable, "-c", _HOLDER.format(mb=HOLD_MB)],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                    holder.stdout.readline()
                    holders.append(holder)
            time.sleep(2)
            folder = work / f"memory-{time.time_ns()}"
            folder.mkdir(parents=True)
            path, _, _ = one_article(folder)
            watch = GenerationWatch(data_dir)
            started = time.time()
            add = timed_command(
                [sys.executable, "-m", "index", "add", "-q", str(path)], _env(data_dir)
            )
            changes = watch.stop()
            # After the write: the probe's freed pages would serve the writer's first touches.
            touch = _page_touch_seconds()
            for holder in holders:
                holder.communicate("")
            summary = _summary_numbers(add.pop("stdout"))
            runs[mode].append(
                {
                    "wall_seconds": add["wall_seconds"],
                    "commit_after_seconds": round(changes[1][1] - started, 2)
                    if len(changes) > 1
                    else None,
                    "embed_seconds": summary["embed_seconds"],
                    "peak_rss_mb": add["peak_rss_mb"],
                    "touch_500mb_seconds": touch,
                }
            )
    return {
        "hold_mb_per_process": HOLD_MB,
        **runs,
        "median_wall_seconds": {
            mode: statistics.median(r["wall_seconds"] for r in rs) for mode, rs in runs.items()
        },
    }


def add_many(data_dir: Path, work: Path, n: int = MANY) -> dict:
    """``n`` new articles in one ``python -m index add``, against the embedder alone."""
    from index.settings import Settings

    folder = work / "many"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "many.jsonl"
    written = many_articles(path, n)
    (work / "many.json").write_text(json.dumps(written))
    settings = Settings.from_env()
    texts = chunk_texts(path)
    before, _ = raw_rate(texts, settings.embed_batch_size, settings.embed_threads)
    command = [sys.executable, "-m", "index", "add", "-q", str(path)]
    add = timed_command(command, _env(data_dir))
    summary = _summary_numbers(add.pop("stdout"))
    after, _ = raw_rate(texts, settings.embed_batch_size, settings.embed_threads)
    end_to_end = summary["chunks_embedded"] / add["wall_seconds"]
    raw = statistics.mean([before, after])
    return {
        "articles": len(written["ids"]),
        "chunk_texts": len(texts),
        "wall_seconds": add["wall_seconds"],
        "peak_rss_mb": add["peak_rss_mb"],
        **summary,
        "end_to_end_chunks_per_s": round(end_to_end, 2),
        "raw_chunks_per_s_before_after": [round(before, 2), round(after, 2)],
        "ratio": round(end_to_end / raw, 3),
    }


def remove_many(data_dir: Path, work: Path) -> dict:
    """The 1,000 articles of ``add-many`` removed in one write session (``add --prune``)."""
    folder = work / "many"
    (folder / "many.jsonl").unlink()
    command = [sys.executable, "-m", "index", "add", "-q", "--prune", str(folder)]
    removed = timed_command(command, _env(data_dir))
    stdout = removed.pop("stdout")
    removed.pop("started")
    return {**removed, "summary": stdout.strip().splitlines()[-1]}


def check_removed(work: Path, titles: int = 100) -> dict:
    """None of the removed articles' chunks in the store, the BM25 index or retrieval."""
    from index import Settings, open_index
    from index.chunking import article_key
    from qa import Answerer

    written = json.loads((work / "many.json").read_text())
    ids = set(written["ids"])
    index = open_index(Settings.from_env())
    keys = {article_key(i) for i in ids}
    bm25 = index.lexical.ensure_current()
    answerer = Answerer(index)
    returned = 0
    for title in written["titles"][:titles]:
        returned += sum(1 for p in answerer.retrieve(title, k=10) if p.article_id in ids)
    return {
        "removed_articles": len(ids),
        "chunks_left_in_store": len(index.store.chunks_of(sorted(ids))),
        "articles_left_in_store": len(index.store.article_infos(sorted(ids))),
        "chunks_left_in_bm25": sum(1 for c in bm25.live_chunk_ids() if c.rsplit("-", 1)[0] in keys),
        "articles_left_in_bm25_catalogue": sum(1 for a in bm25.catalogue.articles if a.id in ids),
        "titles_searched": min(titles, len(written["titles"])),
        "removed_passages_returned": returned,
    }


def server(data_dir: Path, work: Path) -> dict:
    """Server mode: a second machine catches up with one article added by the first."""
    from tests.fixtures.chroma_server import running_chroma

    machines = {}
    for name in ("writer", "reader"):
        machines[name] = work / f"machine-{name}"
        shutil.rmtree(machines[name], ignore_errors=True)
        # Both machines were up to date: each holds the lexical index of the current generation.
        shutil.copytree(data_dir / "bm25", machines[name] / "bm25")
    with running_chroma(data_dir / "chroma") as url:
        path, article_id, question = one_article(work)
        proc = start_reader(machines["reader"], question, article_id, url)
        watch = GenerationWatch(machines["reader"], url)
        command = [sys.executable, "-m", "index", "add", "-q", str(path)]
        add = timed_command(command, _env(machines["writer"], url))
        result = reader_result(proc)
        changes = watch.stop()
    committed = changes[1][1] if len(changes) > 1 else None
    summary = _summary_numbers(add.pop("stdout"))
    add.pop("started")
    return {
        "writer": {**add, **summary},
        "reader_cited_after_commit_seconds": round(result["cited"] - committed, 2)
        if committed and result["cited"]
        else None,
        "reader": result,
    }


# ---- report ----------------------------------------------------------------------------------


def _markdown(r: dict) -> str:
    one, many, rem, chk = r["add-one"], r["add-many"], r["remove-many"], r["check-removed"]
    raw = statistics.mean(many["raw_chunks_per_s_before_after"])
    probe, srv = r["probe"], r.get("server")
    delays = " / ".join(
        f"{x['cited_after_commit_seconds']} s"
        if x["cited_after_commit_seconds"] is not None
        else "not cited"
        for x in one["readers"]
    )
    lines = [
        f"### Live writes at {r['chunks']:,} chunks ({r['when']}, {r['machine']})",
        "",
        "| measure | value | #14 target (at 1M chunks) |",
        "|---|---|---|",
        f"| `index add` of one 3-chunk article: wall / peak RSS | {one['wall_seconds']} s / "
        f"{one['peak_rss_mb']:,} MB | <= 5 s + embedder, <= 1.5 GB |",
        f"| of which in the embedder / the rest | {one['embed_seconds']} s / "
        f"{one['wall_minus_embedder_seconds']} s | |",
        f"| first answer citing it, after the commit (two running app processes) | {delays} | "
        f"<= 2 s |",
        f"| add {many['articles']:,} articles ({many['chunks_embedded']:,} chunks): end to end / "
        f"embedder alone | {many['end_to_end_chunks_per_s']} / {raw:.2f} chunks/s = "
        f"**{many['ratio']}** | >= 0.90 |",
        f"| remove those {chk['removed_articles']:,} (`index add --prune`, one session): wall / "
        f"peak RSS | "
        f"{rem['wall_seconds']} s / {rem['peak_rss_mb']:,} MB | <= 30 s |",
        f"| their chunks left: store / BM25 / retrieval of {chk['titles_searched']} titles | "
        f"{chk['chunks_left_in_store']} / {chk['chunks_left_in_bm25']} / "
        f"{chk['removed_passages_returned']} | none |",
        f"| hybrid / app retriever latency (median, n={probe['hybrid']['n']}) | "
        f"{probe['hybrid']['median_ms']} / {probe['app_retrieve']['median_ms']} ms | <= 300 ms "
        f"(app retriever) |",
        f"| web app: process start to first page | {probe['serve_seconds']} s | <= 15 s |",
    ]
    if srv:
        reader = srv["reader"]
        lines.append(
            f"| server mode: second machine's first citing answer after the commit / its lexical "
            f"catch-up | {srv['reader_cited_after_commit_seconds']} s / "
            f"{reader['lexical_origin']} in {reader['lexical_seconds']} s "
            f"({reader['lexical_rows_read']} rows read) | <= 5 s at 100k |"
        )
    share = many["embed_seconds"] / many["wall_seconds"]
    lines += [
        "",
        f"Adding {many['articles']:,} articles spent {share:.0%} of its wall time inside the "
        f"embedder ({many['chunks_embedded'] / many['embed_seconds']:.2f} chunks/s there; the "
        f"embedder alone: {' and '.join(map(str, many['raw_chunks_per_s_before_after']))} "
        f"chunks/s before and after). Each reader's warm answer took "
        f"{' / '.join(str(x['warm_ask_seconds']) for x in one['readers'])} s. Load average "
        f"(1 min) at the end: {r.get('load_average_1min', '–')}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one step of it, in this process); returns the exit status."""
    parser = bench_parser("python -m bench.live", __doc__, 100_000)
    parser.add_argument("--data-dir", type=Path, help="the loaded index (/tmp/newsqa-scale-N)")
    parser.add_argument("--many", type=int, default=MANY, help="articles added, then removed")
    parser.add_argument("--no-server", action="store_true", help="skip the server-mode step")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--question", help=argparse.SUPPRESS)
    parser.add_argument("--article", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(f"/tmp/newsqa-scale-{args.chunks}")
    work = data_dir.parent / f"{data_dir.name}-live"
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.step:
        if args.step == "reader":
            result = reader(args.question, args.article)
        else:
            os.environ["NEWSQA_DATA_DIR"] = str(data_dir)
            result = {
                "add-one": lambda: add_one(data_dir, work),
                "add-many": lambda: add_many(data_dir, work, args.many),
                "remove-many": lambda: remove_many(data_dir, work),
                "check-removed": lambda: check_removed(work),
                "server": lambda: server(data_dir, work),
                "memory": lambda: add_one_beside_memory(data_dir, work),
            }[args.step]()
        print(json.dumps(result))
        return 0
    if not (data_dir / "chroma").is_dir():
        raise SystemExit(
            f"no index at {data_dir}: run `python -m bench.scale --chunks {args.chunks} "
            f"--load-only` first"
        )
    from .retrieval import machine

    def step(name: str, module: str = "bench.live", *extra: str) -> dict:
        print(f"  {name} ...", flush=True)
        flags = [name] if module == "bench.scale" else ["--step", name]
        done = run_step(module, *flags, "--data-dir", str(data_dir), *extra)
        print(f"    {done}", flush=True)
        return done

    result: dict = {"chunks": args.chunks}
    scale = ("bench.scale", "--chunks", str(args.chunks), "--queries", str(args.queries))
    result["lexical"] = step("--build-lexical", *scale)
    result["add-one"] = step("add-one")
    result["add-many"] = step("add-many", "bench.live", "--many", str(args.many))
    for name in ("remove-many", "check-removed"):
        result[name] = step(name)
    result["probe"] = {**step("--probe", *scale), **step("--serve", *scale)}
    if not args.no_server:
        result["server"] = step("server")
    result["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["machine"] = machine() + (f"; {args.note}" if args.note else "")
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"live-{args.chunks}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(_markdown(result))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
