"""Re-take ``docs/screenshot.png``: the app on the bundled sample, answering one question.

Indexes ``corpus/`` into a fresh temporary data folder (``python -m index add``), starts
``python app.py`` on it (:func:`bench.ui_latency.start_app`), asks the question in Debian's
headless Chromium and saves the page at 1280x800 once the answer is complete.

Usage::

    .venv/bin/python -m scripts.screenshot            # writes docs/screenshot.png
    .venv/bin/python -m scripts.screenshot --out /tmp/page.png --question "..."
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.ui_latency import app_page, start_app

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Where did Azerbaijan set up a checkpoint on April 23?"


def main(argv: list[str] | None = None) -> int:
    """Take the screenshot; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="newsqa-screenshot-") as home:
        data_dir = Path(home) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
        subprocess.run(
            [sys.executable, "-m", "index", "add", str(args.corpus)],
            cwd=ROOT,
            env={**env, "NEWSQA_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False"},
            check=True,
        )
        proc, url = start_app(data_dir, Path(home) / "app.log")
        try:
            with app_page(url) as page:
                box = page.locator("#question textarea")
                box.fill(args.question)
                box.press("Enter")
                page.wait_for_selector('#conversation .turn[data-complete="true"]', timeout=120_000)
                # Let the fonts settle and the streaming cursor go before the picture.
                page.evaluate("document.fonts.ready")
                page.wait_for_timeout(500)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
