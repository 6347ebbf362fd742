"""Many users at once through the real web app (issue #14, point 6).

Starts ``python app.py`` (:func:`bench.ui_latency.start_app`) on a copy of an existing index and
talks to it over HTTP on loopback, as the page does (:mod:`bench.page_client`: the Ask tab's
question event, the Library tab's upload). Three measurements, for each question limit given
(``NEWSQA_MAX_CONCURRENT_QUESTIONS``; 1 is the old single queue slot, for comparison):

1. **Throughput.** The same questions (MultiHop-RAG dev queries, used only as query text),
   asked by one user in sequence, then by ``--users`` users at once, each asking its share in
   sequence. Reported: answers per second of each and their ratio, errors, lost requests
   (sent and never completed), median and slowest answer time. Each timed pass runs in an app
   of its own, first warmed by an untimed pass of as many *other* questions (the next ones of
   the file): the app remembers what it has read (sentence vectors, parses), so both timed
   passes find the same things remembered and neither finds its own questions read already.
2. **Questions during an upload.** ``--upload`` articles (copies of corpus articles under new
   urls and titles, so every chunk is embedded anew) uploaded as one batch of files while four
   users keep asking; reported: the upload's time, the answers completed while it ran.
3. **Slow LLM.** A second app process, answering with a loopback Chat Completions server
   (:mod:`tests.chat_server`) that streams each reply over ``--llm-seconds``; a first user asks,
   a second asks two seconds later. Reported: when each answer's text started and ended,
   measured from the first question.

Timing on a shared machine: each phase records the machine's CPU use by other processes
(``/proc/stat`` less the app's own CPU time) and the load average, because other work slows
every figure. Ratios are only compared within one run.

Usage::

    python -m bench.concurrency --data-dir /work/bench-data/multihop-rag --limits 1,4 \\
        --out bench/results/concurrency

The index is copied to a temporary folder first (the upload phase changes it). Only question
positions are written to the results, never the dataset's text.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.page_client import EventRun, PageSession
from bench.retrieval import machine
from bench.ui_latency import DEFAULT_QUERIES, start_app
from tests.fixtures.processes import stop

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = DEFAULT_QUERIES.parent / "corpus.json"
LLM_REPLY = "The articles report it as the passage says [1]. A second source agrees with it [2]."
LLM_PIECE_CHARS = 7


@dataclass
class CpuWindow:
    """CPU use over one phase: the app's and everyone else's, in cores."""

    seconds: float = 0.0
    app_cores: float = 0.0
    other_cores: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0


class CpuMeter:
    """Measures :class:`CpuWindow` between :meth:`start` and :meth:`stop` (Linux ``/proc``)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._tick = os.sysconf("SC_CLK_TCK")

    def _sample(self) -> tuple[float, float, float]:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        with open(f"/proc/{self.pid}/stat") as f:
            after_name = f.read().rsplit(")", 1)[1].split()
        app = int(after_name[11]) + int(after_name[12])  # utime + stime
        return time.monotonic(), busy / self._tick, app / self._tick

    def start(self) -> None:
        """Begin a window."""
        self._load = os.getloadavg()[0]
        self._begin = self._sample()

    def stop(self) -> CpuWindow:
        """End the window."""
        end = self._sample()
        wall = max(1e-6, end[0] - self._begin[0])
        app = (end[2] - self._begin[2]) / wall
        busy = (end[1] - self._begin[1]) / wall
        return CpuWindow(
            round(wall, 2),
            round(app, 2),
            round(max(0.0, busy - app), 2),
            round(self._load, 2),
            round(os.getloadavg()[0], 2),
        )


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@dataclass
class Pass:
    """One timed pass of questions."""

    users: int
    questions: int
    seconds: float
    answers_per_s: float
    errors: int
    lost: int
    median_s: float
    slowest_s: float
    slowest_over_median: float
    cpu: CpuWindow
    peak_rss_mb: float
    error_examples: list[str] = field(default_factory=list)


def ask(tab: PageSession, question: str) -> EventRun:
    """One question in a new chat in the Ask tab (inputs: question, transcript, since, until,
    outlets, as of): a new session each time, so no question is read as a follow-up of the last."""
    tab.reload()
    return tab.run("question", "submit", [question, None, None, None, [], None])


def complete(run: EventRun) -> bool:
    """A question answered without error, ending with a complete turn."""
    return (
        run.error is None
        and bool(run.updates)
        and 'data-complete="true"' in str(run.updates[-1].outputs[0])
    )


def ask_all(
    url: str, questions: Sequence[str], users: int, meter: CpuMeter, pid: int
) -> tuple[Pass, dict[str, EventRun]]:
    """``users`` users, each asking its share of ``questions`` in sequence, all at once.

    Returns:
        The pass, and the run of each question.
    """
    shares = [list(questions[u::users]) for u in range(users)]
    tabs = [PageSession(url, timeout=300) for _ in range(users)]
    for tab in tabs:
        tab.config()  # read before the clock starts, as a page has it loaded
    runs: list[list[EventRun]] = [[] for _ in range(users)]

    by_question: dict[str, EventRun] = {}

    def user(n: int) -> None:
        for question in shares[n]:
            runs[n].append(ask(tabs[n], question))
            by_question[question] = runs[n][-1]

    meter.start()
    started = time.monotonic()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    seconds = time.monotonic() - started
    cpu = meter.stop()
    for tab in tabs:
        tab.close()
    flat = [r for rs in runs for r in rs]
    ok = [r for r in flat if complete(r)]
    times = sorted(r.ended - r.sent for r in ok)
    median = statistics.median(times) if times else 0.0
    timed = Pass(
        users=users,
        questions=len(questions),
        seconds=round(seconds, 2),
        answers_per_s=round(len(ok) / seconds, 3),
        errors=sum(1 for r in flat if r.error is not None),
        lost=len(questions) - len(flat) + sum(1 for r in flat if not r.updates),
        median_s=round(median, 3),
        slowest_s=round(times[-1], 3) if times else 0.0,
        slowest_over_median=round(times[-1] / median, 2) if median else 0.0,
        cpu=cpu,
        peak_rss_mb=peak_rss_mb(pid),
        error_examples=[str(r.error)[:200] for r in flat if r.error][:3],
    )
    return timed, by_question


def upload_copies(corpus: Path, folder: Path, count: int) -> list[Path]:
    """``count`` corpus articles as JSON files, each under a new url and title (new articles
    whose every chunk must be embedded)."""
    folder.mkdir(parents=True, exist_ok=True)
    records = json.loads(corpus.read_text())[:count]
    paths = []
    for n, record in enumerate(records):
        path = folder / f"copy-{n:03d}.json"
        copy = {
            "title": f"Copy {n}: {record['title']}",
            "body": record["body"],
            "source": record.get("source", ""),
            "published_at": record.get("published_at", ""),
            "url": f"https://copies.example/{n}",
        }
        path.write_text(json.dumps(copy), encoding="utf-8")
        paths.append(path)
    return paths


def during_upload(
    url: str, questions: Sequence[str], files: Sequence[Path], meter: CpuMeter
) -> dict[str, Any]:
    """Four users asking in a loop while ``files`` are uploaded as one batch."""
    stop_asking = threading.Event()
    answered: list[EventRun] = []

    def user(n: int) -> None:
        with PageSession(url, timeout=300) as tab:
            position = n
            while not stop_asking.is_set():
                answered.append(ask(tab, questions[position % len(questions)]))
                position += 4

    with PageSession(url, timeout=900) as librarian:
        sent = librarian.upload(list(files))
        meter.start()
        with ThreadPoolExecutor(4) as pool:
            users = [pool.submit(user, n) for n in range(4)]
            time.sleep(1.0)  # the users are asking before the upload starts
            upload = librarian.run("upload", "upload", [sent, "", []])
            stop_asking.set()
            for future in users:
                future.result()
        cpu = meter.stop()
    inside = [r for r in answered if upload.sent <= r.ended <= upload.ended and complete(r)]
    results = str(upload.updates[-1].outputs[0]) if upload.updates else ""
    return {
        "files": len(files),
        "upload_seconds": round(upload.ended - upload.sent, 2),
        "upload_error": upload.error,
        "files_added": results.count("1 article added"),
        "answers_during_upload": len(inside),
        "answers_per_s_during_upload": round(
            len(inside) / max(1e-6, upload.ended - upload.sent), 3
        ),
        "median_answer_s_during_upload": round(
            statistics.median([r.ended - r.sent for r in inside]), 3
        )
        if inside
        else None,
        "errors": sum(1 for r in answered if r.error),
        "cpu": asdict(cpu),
    }


def slow_llm(
    data_dir: Path,
    log: Path,
    seconds: float,
    asked: Sequence[str],
    extra: dict[str, str],
) -> dict[str, Any]:
    """Two users of an app whose LLM streams each reply over ``seconds``, asking the two
    questions ``asked`` (ones the articles answer: an abstention never calls the LLM)."""
    from tests.chat_server import ChatServer, ChatServerState

    pieces = -(-len(LLM_REPLY) // LLM_PIECE_CHARS)
    state = ChatServerState(
        reply=lambda messages: LLM_REPLY,
        piece_chars=LLM_PIECE_CHARS,
        piece_delay_s=seconds / max(1, pieces - 1),
    )
    with ChatServer(state) as server:
        env = {
            **extra,
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "bench",
            "NEWSQA_LLM_MODEL": "scripted",
            "NEWSQA_LLM_TIMEOUT": str(max(60.0, 3 * seconds)),
        }
        proc, url = start_app(data_dir, log, extra_env=env)
        try:
            with PageSession(url, timeout=300) as warm:
                # Loads what the first answer would otherwise load; abstains, so no LLM call.
                ask(warm, "What did the mayor of the Moon say about the tides?")
            with (
                ThreadPoolExecutor(2) as pool,
                PageSession(url, 300) as a,
                PageSession(url, 300) as b,
            ):
                first = pool.submit(ask, a, asked[0])
                time.sleep(2.0)
                second = pool.submit(ask, b, asked[1])
                one, two = first.result(), second.result()
        finally:
            stop(proc, timeout=15)

    def started(run: EventRun) -> float | None:
        return run.first(lambda outputs: "answer-text" in str(outputs[0]))

    zero = one.sent

    def rel(value: float | None) -> float | None:
        return round(value - zero, 2) if value is not None else None

    return {
        "llm_seconds_per_answer": seconds,
        "first_user": {"asked": 0.0, "text_starts": rel(started(one)), "ends": rel(one.ended)},
        "second_user": {
            "asked": rel(two.sent),
            "text_starts": rel(started(two)),
            "ends": rel(two.ended),
        },
        "second_starts_before_first_ends": (started(two) or 1e18) < one.ended,
        "errors": [r.error for r in (one, two) if r.error],
        "llm_requests": len(state.requests),
    }


@contextmanager
def warmed_app(
    data_dir: Path, log: Path, extra: dict[str, str], warm: Sequence[str], users: int
) -> Iterator[tuple[str, CpuMeter, int]]:
    """A new ``python app.py`` on ``data_dir``, warmed by ``users`` users asking ``warm``
    (untimed); yields its url, a CPU meter on it and its pid, and stops it after."""
    proc, url = start_app(data_dir, log, extra_env=extra)
    try:
        meter = CpuMeter(proc.pid)
        say(f"a new app, warming up ({len(warm)} other questions, {users} users)")
        ask_all(url, warm, users, meter, proc.pid)
        yield url, meter, proc.pid
    finally:
        stop(proc, timeout=15)


def run_limit(
    limit: int, args: argparse.Namespace, questions: list[str], warm: list[str], work: Path
) -> dict[str, Any]:
    """All three measurements with ``NEWSQA_MAX_CONCURRENT_QUESTIONS=limit``."""
    data_dir = work / f"index-{limit}"
    shutil.copytree(args.data_dir, data_dir)
    extra = {"NEWSQA_MAX_CONCURRENT_QUESTIONS": str(limit)}
    if args.embed_threads:
        extra["NEWSQA_EMBED_THREADS"] = str(args.embed_threads)
    if args.sentence_cache is not None:
        extra["NEWSQA_SENTENCE_CACHE"] = str(args.sentence_cache)
    result: dict[str, Any] = {"limit": limit}
    # Each timed pass gets an app of its own, warmed on other questions than it is timed on:
    # the app remembers what it read (sentence vectors, parses), and a pass after another on
    # the same questions, or after a warm-up on them, would find everything read already.
    with warmed_app(data_dir, work / f"app-{limit}-one.log", extra, warm, args.users) as app:
        url, meter, pid = app
        say(f"limit {limit}: one user, {len(questions)} questions in sequence")
        one_user, runs = ask_all(url, questions, 1, meter, pid)
        result["one_user"] = asdict(one_user)
    with warmed_app(data_dir, work / f"app-{limit}.log", extra, warm, args.users) as app:
        url, meter, pid = app
        say(f"limit {limit}: {args.users} users at once")
        result["many_users"] = asdict(ask_all(url, questions, args.users, meter, pid)[0])
        one, many = result["one_user"], result["many_users"]
        result["throughput_ratio"] = round(many["answers_per_s"] / one["answers_per_s"], 2)
        if args.upload:
            say(f"limit {limit}: {args.upload} articles uploaded while four users ask")
            files = upload_copies(args.corpus, work / f"upload-{limit}", args.upload)
            result["upload"] = during_upload(url, questions, files, meter)
    if args.llm_seconds:
        say(f"limit {limit}: slow LLM ({args.llm_seconds:g} s an answer), two users")
        answered = [
            q
            for q, r in runs.items()
            if complete(r) and "abstained" not in str(r.updates[-1].outputs[0])
        ]
        result["slow_llm"] = slow_llm(
            data_dir, work / f"app-llm-{limit}.log", args.llm_seconds, answered[:2], extra
        )
    return result


def say(line: str) -> None:
    """Progress on stdout."""
    print(line, flush=True)


def render(report: dict[str, Any]) -> str:
    """The results as a markdown page."""
    lines = [
        "# Many users at once (`python -m bench.concurrency`)",
        "",
        f"{report['machine']}; {report['users']} users; {report['questions']} MultiHop-RAG dev "
        f"questions (extractive); index {report['index']}; embedder threads "
        f"{report['embed_threads'] or 'default'}; sentence cache "
        f"{'default' if report.get('sentence_cache') is None else report['sentence_cache']}; "
        f"{report['date']}.",
        "",
        "| limit | 1 user answers/s | "
        f"{report['users']} users answers/s | ratio | errors | lost | median s | slowest s | "
        "slowest/median | peak RSS MB | app cores | other processes' cores |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["runs"]:
        one, many = row["one_user"], row["many_users"]
        lines.append(
            f"| {row['limit']} | {one['answers_per_s']} | {many['answers_per_s']} | "
            f"{row['throughput_ratio']} | {many['errors']} | {many['lost']} | "
            f"{many['median_s']} | {many['slowest_s']} | {many['slowest_over_median']} | "
            f"{many['peak_rss_mb']} | {one['cpu']['app_cores']} / {many['cpu']['app_cores']} | "
            f"{one['cpu']['other_cores']} / {many['cpu']['other_cores']} |"
        )
    lines += [
        "",
        "One user: median answer "
        + ", ".join(f"{r['one_user']['median_s']} s (limit {r['limit']})" for r in report["runs"])
        + ". Cores: the app's and other processes' average CPU use, one user / many users.",
    ]
    uploads = [r for r in report["runs"] if "upload" in r]
    if uploads:
        lines += [
            "",
            "## Questions while an upload is embedding",
            "",
            "| limit | files | upload s | files added | answers during it | answers/s | "
            "median answer s | errors |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in uploads:
            u = r["upload"]
            lines.append(
                f"| {r['limit']} | {u['files']} | {u['upload_seconds']} | {u['files_added']} | "
                f"{u['answers_during_upload']} | {u['answers_per_s_during_upload']} | "
                f"{u['median_answer_s_during_upload']} | {u['errors']} |"
            )
    llms = [r for r in report["runs"] if "slow_llm" in r]
    if llms:
        lines += [
            "",
            "## Slow LLM: two users",
            "",
            f"Each answer streams over about {llms[0]['slow_llm']['llm_seconds_per_answer']:g} s; "
            "times in seconds from the first user's question.",
            "",
            "| limit | first starts | first ends | second asked | second starts | second ends "
            "| second before first ends |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in llms:
            s = r["slow_llm"]
            one, two = s["first_user"], s["second_user"]
            lines.append(
                f"| {r['limit']} | {one['text_starts']} | {one['ends']} | {two['asked']} | "
                f"{two['text_starts']} | {two['ends']} | "
                f"{'yes' if s['second_starts_before_first_ends'] else 'no'} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="an existing index")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="for the upload")
    parser.add_argument("--questions", type=int, default=64)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--limits", default="4", help="comma-separated question limits")
    parser.add_argument("--upload", type=int, default=50, help="articles uploaded (0: skip)")
    parser.add_argument("--llm-seconds", type=float, default=20.0, help="0: skip")
    parser.add_argument("--embed-threads", type=int, default=0, help="0: the app's default")
    parser.add_argument(
        "--sentence-cache", type=int, help="NEWSQA_SENTENCE_CACHE (0: off; default: the app's)"
    )
    parser.add_argument("--out", type=Path, help="write OUT.json and OUT.md")
    args = parser.parse_args(argv)
    queries = [q["query"] for q in json.loads(args.queries.read_text())]
    questions = queries[: args.questions]
    warm = queries[args.questions : 2 * args.questions]
    report: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "index": str(args.data_dir),
        "users": args.users,
        "questions": len(questions),
        "embed_threads": args.embed_threads,
        "sentence_cache": args.sentence_cache,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="newsqa-concurrency-") as tmp:
        for limit in (int(v) for v in args.limits.split(",")):
            report["runs"].append(run_limit(limit, args, questions, warm, Path(tmp)))
    page = render(report)
    print(page)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
        args.out.with_suffix(".md").write_text(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
