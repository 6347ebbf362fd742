"""Browser latency of the web UI: submit -> first streamed answer text, and -> complete answer.

Starts ``python app.py`` on an existing index (``--data-dir``; it refuses an empty one, which the
app would fill with the sample corpus), drives Debian's Chromium with Playwright and asks the
first ``--questions`` questions of a MultiHop-RAG query file in file order, each in a new chat
(so no follow-up rewriting). Times are taken inside the page with ``performance.now()``: from
the Enter keypress in the question box to the first mutation that shows answer text, and to the
mutation that marks the turn complete. A first, untimed question warms the app up (lazy BM25
load, model session); its times are reported separately as ``warmup``.

Usage::

    cp -r /tmp/nq609 /tmp/nq609-ui   # never point a benchmark at a shared index
    python bench/ui_latency.py --data-dir /tmp/nq609-ui --questions 30 \\
        --out bench/results/ui_latency.json

Only question positions are written to the results, not the dataset's text.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = ROOT.parent / "shared" / "eval" / "multihop-rag" / "queries-dev.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Installed before each question: records the Enter keypress, the first answer text and the
# completion of the newest turn, all on the page's own clock.
TIMER_JS = """
() => {
  const box = document.querySelector('#question textarea');
  const root = document.querySelector('#conversation');
  const t = window.__t = {submit: null, first: null, done: null, abstained: null};
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && t.submit === null) t.submit = performance.now();
  }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const turn = root.querySelector('.turn:last-of-type');
    if (!turn || t.submit === null) return;
    const text = turn.querySelector('.answer-text');
    if (t.first === null && text && text.textContent.trim()) t.first = performance.now();
    if (turn.dataset.complete === 'true') {
      t.done = performance.now();
      t.abstained = !!turn.querySelector('.abstained');
      observer.disconnect();
    }
  });
  observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
}
"""


def _free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    data_dir: Path,
    log: Path,
    timeout: float = 300.0,
    *,
    extra_env: Mapping[str, str] | None = None,
    sample: bool = False,
) -> tuple[subprocess.Popen, str]:
    """Start ``python app.py`` on a free loopback port and wait for its first page.

    The app gets a clean environment: none of the caller's ``NEWSQA_*``, ``OPENAI_*`` or
    ``GRADIO_*`` variables, only ``extra_env``.

    Args:
        data_dir: the app's ``NEWSQA_DATA_DIR``.
        log: file for the app's output.
        timeout: seconds to wait for the page.
        extra_env: more environment variables (an LLM endpoint, limits).
        sample: False (benchmarks) requires an existing index: an app that starts indexing the
            sample corpus is stopped. True lets it (the tests start from an empty folder).

    Returns:
        The process and its url, as soon as ``/`` answers.

    Raises:
        SystemExit: the app exited, did not answer in time or (unless ``sample``) found no index
            (and was terminated).
    """
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_", "GRADIO_"))
    }
    env.update(
        NEWSQA_DATA_DIR=str(data_dir),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(port),
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(
                    f"the app exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
                )
            if not sample and "indexing the sample articles" in log.read_text():
                raise SystemExit(
                    f"{data_dir} holds no index: the app started indexing the sample corpus"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return proc, url
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(
            f"the app did not answer at {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}"
        )
    except BaseException:
        proc.terminate()
        raise


@contextlib.contextmanager
def chromium(playwright) -> Iterator[Any]:
    """Debian's Chromium (:data:`CHROMIUM`), headless, launched by ``playwright``; closed after."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@contextlib.contextmanager
def app_page(url: str) -> Iterator[Any]:
    """A 1280x800 page of headless Chromium on the app at ``url``, once its conversation shows."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, chromium(playwright) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.wait_for_selector("#conversation .conversation")
        yield page


def ask_timed(page, question: str, timeout_ms: int) -> dict:
    """Ask in a new chat; returns {'first_s', 'complete_s', 'abstained'}."""
    page.locator("#new-chat").click()
    page.wait_for_selector("#conversation .conversation.empty")
    page.evaluate(TIMER_JS)
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("window.__t.done !== null", timeout=timeout_ms)
    t = page.evaluate("window.__t")
    return {
        "first_s": round((t["first"] - t["submit"]) / 1000, 3),
        "complete_s": round((t["done"] - t["submit"]) / 1000, 3),
        "abstained": bool(t["abstained"]),
    }


def summarise(values: list[float]) -> dict:
    """Median, p90, min and max of a list of seconds."""
    ordered = sorted(values)
    return {
        "median_s": round(statistics.median(ordered), 3),
        "p90_s": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 3),
        "min_s": ordered[0],
        "max_s": ordered[-1],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; prints a summary and writes the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="NEWSQA_DATA_DIR of an existing index (a copy)"
    )
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per question")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ui_latency.json")
    parser.add_argument(
        "--screenshot", type=Path, help="save the page after the last question here"
    )
    args = parser.parse_args(argv)

    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    questions = [q["query"] for q in queries[: args.questions + 1]]
    log = Path(tempfile.gettempdir()) / "newsqa-ui-latency-app.log"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load_before = round(os.getloadavg()[0], 2)  # other work on the machine slows every figure
    started = time.monotonic()
    proc, url = start_app(args.data_dir, log)
    startup_s = round(time.monotonic() - started, 1)
    rows = []
    try:
        with app_page(url) as page:
            status = page.locator("#status .status-bar").inner_text()
            warmup = ask_timed(page, questions[0], int(args.timeout * 1000))
            for position, question in enumerate(questions[1:], start=1):
                row = ask_timed(page, question, int(args.timeout * 1000))
                rows.append({"position": position, **row})
                print(
                    f"{position:3d}  first {row['first_s']:6.2f} s  "
                    f"complete {row['complete_s']:6.2f} s"
                    f"{'  (abstained)' if row['abstained'] else ''}",
                    flush=True,
                )
            if args.screenshot:
                page.screenshot(path=str(args.screenshot))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result = {
        "benchmark": "ui_latency",
        "what": "browser time from Enter in the question box to the first answer text and to "
        "the complete answer, each question in a new chat",
        "queries": str(args.queries.name),
        "questions": len(rows),
        "question_positions": f"1..{len(rows)} of the file (0 was the untimed warm-up)",
        "status_bar": status,
        "app_startup_s": startup_s,
        "warmup": warmup,
        "first_text": summarise([r["first_s"] for r in rows]),
        "complete": summarise([r["complete_s"] for r in rows]),
        "abstained": sum(r["abstained"] for r in rows),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_1m_before_after": [load_before, round(os.getloadavg()[0], 2)],
        },
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: result[k] for k in ("status_bar", "warmup", "first_text", "complete", "abstained")},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
