"""Re-take the README's pictures: the app on a small corpus, answering one question.

Indexes the corpus into a fresh temporary data folder (``python -m index add``), starts
``python app.py`` on it (:func:`bench.ui_latency.start_app`), asks the question in Debian's
headless Chromium and saves the page at 1280x800 once the answer is complete. Three pictures,
each a preset (``--preset``):

- ``sample`` (``docs/screenshot.png``): the bundled sample, a question about the Lachin corridor;
- ``stories`` (``docs/stories.png``): ``tests/data/claims.jsonl``, one earthquake story run by
  three outlets, two of them with one text (a copy: "Also in"), the third with another toll (a
  conflict); the first "Reported by" badge is opened;
- ``timeline`` (``docs/timeline.png``): the invented tram strike of ``tests/fixtures``, told
  by four articles, asked as a timeline.

Usage::

    .venv/bin/python -m scripts.screenshot                    # all three presets
    .venv/bin/python -m scripts.screenshot --preset stories
    .venv/bin/python -m scripts.screenshot --preset sample --out /tmp/page.png --question "..."
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from bench.ui_latency import app_page, start_app

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Preset:
    """One picture: what is indexed, what is asked, where it goes."""

    question: str
    out: Path
    corpus: Path | None = None  # None: written by write_corpus into the temporary folder
    open_badge: bool = False


def _tram_story(folder: Path) -> Path:
    from tests.fixtures.tram_strike import write_story

    return write_story(folder)


PRESETS = {
    "sample": Preset(
        "Where did Azerbaijan set up a checkpoint on April 23?",
        ROOT / "docs" / "screenshot.png",
        ROOT / "corpus",
    ),
    "stories": Preset(
        "What was the death toll of the Verano earthquake?",
        ROOT / "docs" / "stories.png",
        ROOT / "tests" / "data" / "claims.jsonl",
        open_badge=True,
    ),
    "timeline": Preset("How did the Veldmark tram strike unfold?", ROOT / "docs" / "timeline.png"),
}


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), help="one picture (default: all)")
    parser.add_argument("--question", help="ask this instead (with --preset)")
    parser.add_argument("--corpus", type=Path, help="index this instead (with --preset)")
    parser.add_argument("--out", type=Path, help="save here instead (with --preset)")
    args = parser.parse_args(argv)
    if args.preset is None and (args.question or args.corpus or args.out):
        parser.error("--question, --corpus and --out need --preset")
    names = [args.preset] if args.preset else list(PRESETS)
    for name in names:
        preset = PRESETS[name]
        preset = replace(
            preset,
            question=args.question or preset.question,
            corpus=args.corpus or preset.corpus,
            out=args.out or preset.out,
        )
        take(preset)
    return 0


def take(preset: Preset) -> None:
    """Index ``preset``'s corpus in a temporary folder, ask its question, save the page."""
    with tempfile.TemporaryDirectory(prefix="newsqa-screenshot-") as home:
        data_dir = Path(home) / "data"
        corpus = preset.corpus or _tram_story(Path(home) / "articles")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
        subprocess.run(
            [sys.executable, "-m", "index", "add", str(corpus)],
            cwd=ROOT,
            env={**env, "NEWSQA_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False"},
            check=True,
        )
        proc, url = start_app(data_dir, Path(home) / "app.log")
        try:
            with app_page(url) as page:
                box = page.locator("#question textarea")
                box.fill(preset.question)
                box.press("Enter")
                page.wait_for_selector('#conversation .turn[data-complete="true"]', timeout=120_000)
                # Let the fonts settle and the streaming cursor go before the picture.
                page.evaluate("document.fonts.ready")
                if preset.open_badge:
                    page.locator("#sources details.reported-by.many summary").first.click()
                page.wait_for_timeout(500)
                preset.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(preset.out))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"saved {preset.out}")


if __name__ == "__main__":
    sys.exit(main())
