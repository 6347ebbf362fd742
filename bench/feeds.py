"""Following feeds at scale: ``python -m bench.feeds``.

Five feeds of 100 items each (RSS and Atom, alternating), every feed on its own loopback host
(127.0.0.1 to 127.0.0.5, so the per-host pause applies per feed as it would on the web), served
by the tests' HTTP server (:mod:`tests.fixtures.feeds`) with ETag or Last-Modified validators. The
item pages are built at run time from the MultiHop-RAG corpus text
(``../shared/eval/multihop-rag/corpus.json``, first 500 articles; nothing of it is written into
the repository), cut to ``--chars`` characters at a paragraph end so the run takes minutes, not
the ten minutes the embedder needs for whole articles on two cores. Without the corpus, pages
are made of generated sentences (said in the result).

Three passes into a fresh index with the real embedder, each :func:`index.feeds.follow_once`,
which is what ``python -m index follow --once`` runs:

1. first read: every item's page fetched, read and ingested in one write session;
2. re-read: the feeds answer 304 to the validators; pages requested must be 0;
3. re-read without validators (the servers stop sending ETag/Last-Modified, so every feed is
   read in full): every item is recognised as seen; pages requested must be 0.

Then the embedder alone embeds the same chunk texts (:func:`bench.ingest.raw_rate`), for the
end-to-end throughput of pass 1 against the embedder's own rate.

Results: ``bench/results/feeds.json`` and ``.md`` (``--name`` changes the stem).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.ingest import raw_rate
from bench.retrieval import machine

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
RESULTS = ROOT / "bench" / "results"
FEEDS = 5


def stories(count: int, chars: int, corpus: Path) -> tuple[list[dict], str]:
    """``count`` stories (title, source, author, published, paragraphs) and where they came from."""
    if corpus.is_file():
        records = json.loads(corpus.read_text(encoding="utf-8"))[:count]
        out = []
        for r in records:
            paragraphs, size = [], 0
            for para in (p.strip() for p in r["body"].split("\n")):
                if para and (size < chars or not paragraphs):
                    paragraphs.append(para)
                    size += len(para)
            out.append(
                {
                    "title": r["title"],
                    "source": r.get("source") or "",
                    "author": r.get("author") or "",
                    "published": str(r.get("published_at") or "")[:10],
                    "paragraphs": paragraphs,
                }
            )
        if len(out) == count:
            return out, f"MultiHop-RAG corpus, first {count} articles, ~{chars} characters each"
    rng = random.Random(14)
    words = (
        "council harbour minister court storm election budget bridge market strike vaccine "
        "railway school river tariff drought festival factory senate museum"
    ).split()
    out = []
    for n in range(count):
        sentences = [
            f"The {rng.choice(words)} report number {n} said the {rng.choice(words)} and the "
            f"{rng.choice(words)} would meet again on day {rng.randint(1, 28)}."
            for _ in range(max(3, chars // 110))
        ]
        out.append(
            {
                "title": f"Story {n}: the {words[n % len(words)]} question",
                "source": "Synthetic Times",
                "author": "A. Writer",
                "published": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "paragraphs": [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)],
            }
        )
    return out, f"generated sentences (no corpus at {corpus}), ~{chars} characters each"


def serve(texts: list[dict], items_per_feed: int):
    """Start one server per feed; returns the servers and the feed urls."""
    from tests.fixtures.feeds import FeedServer, Route, atom, page, rss

    servers, urls = [], []
    for f in range(FEEDS):
        server = FeedServer(host=f"127.0.0.{f + 1}")
        items = []
        for i in range(items_per_feed):
            story = texts[f * items_per_feed + i]
            path = f"/news/{i}"
            server.routes[path] = Route(
                page(
                    story["title"],
                    story["paragraphs"],
                    site=story["source"],
                    published=story["published"],
                    canonical=server.url(path),
                    author=story["author"],
                )
            )
            day = story["published"] or "2024-01-01"
            items.append({"title": story["title"], "link": server.url(path), "day": day})
        if f % 2 == 0:
            body = rss(
                f"Feed {f}",
                [
                    {"title": it["title"], "link": it["link"], "guid": it["link"],
                     "pubDate": _rfc822(it["day"])}
                    for it in items
                ],
            )  # fmt: skip
            server.routes["/feed"] = Route(body, "application/rss+xml", etag=f'"feed-{f}"')
        else:
            body = atom(
                f"Feed {f}",
                [
                    {"id": it["link"], "title": it["title"], "link": it["link"],
                     "updated": f"{it['day']}T08:00:00Z"}
                    for it in items
                ],
            )  # fmt: skip
            server.routes["/feed"] = Route(
                body, "application/atom+xml", last_modified="Mon, 01 Jan 2024 08:00:00 GMT"
            )
        servers.append(server)
        urls.append(server.url("/feed"))
    return servers, urls


def _rfc822(day: str) -> str:
    parsed = datetime.strptime(day, "%Y-%m-%d").replace(hour=8, tzinfo=UTC)
    return parsed.strftime("%a, %d %b %Y %H:%M:%S GMT")


def page_requests(servers) -> int:
    """Requests for item pages (not feeds) the servers have answered so far."""
    return sum(n for s in servers for path, n in s.requests.items() if path != "/feed")


def run(args: argparse.Namespace) -> dict:
    """The three passes and the raw embedder run."""
    from index import Settings, open_index
    from index.chunking import chunk_article
    from index.embedding import passage_text
    from index.feeds import FetchOptions, FollowOptions, follow_once

    texts, origin = stories(FEEDS * args.items, args.chars, args.corpus)
    servers, urls = serve(texts, args.items)
    data_dir = Path(tempfile.mkdtemp(prefix="feeds-", dir=_tmp()))
    settings = Settings.from_env().with_(data_dir=data_dir)
    options = FollowOptions(
        fetch=FetchOptions(timeout=20.0, host_delay=args.delay), workers=args.workers
    )
    passes = []
    try:
        index = open_index(settings)
        for name in ("first read", "re-read (conditional GET)", "re-read without validators"):
            if name == "re-read without validators":
                for server in servers:
                    server.routes["/feed"].etag = server.routes["/feed"].last_modified = ""
            before = page_requests(servers)
            report = follow_once(index, urls, options)
            ingest = report.ingest
            passes.append(
                {
                    "pass": name,
                    "feeds": {s: sum(f.status == s for f in report.feeds) for s in _STATUSES},
                    "items_listed": sum(f.listed for f in report.feeds),
                    "items_unchanged": sum(f.unchanged for f in report.feeds),
                    "pages_requested": page_requests(servers) - before,
                    "page_failures": len(report.failures),
                    "articles_added": ingest.added if ingest else 0,
                    "articles_updated": ingest.updated if ingest else 0,
                    "chunks_embedded": ingest.chunks_embedded if ingest else 0,
                    "embed_seconds": round(ingest.embed_seconds, 2) if ingest else 0.0,
                    "ingest_seconds": round(ingest.seconds, 2) if ingest else 0.0,
                    "seconds": round(report.seconds, 2),
                    "summary": report.summary(),
                }
            )
            print(f"{name}: {report.summary()}", flush=True)
            for failure in report.failures[:5]:
                print(f"  failed: {failure.link}: {failure.error}", file=sys.stderr)
        chunk_texts = [
            passage_text(info.title, chunk.text)
            for info in index.articles()
            for chunk in chunk_article(
                _article(index, info.id), settings.chunk_tokens, settings.chunk_overlap
            )
        ]
        articles = index.count_articles()
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    raw, raw_seconds = raw_rate(chunk_texts, settings.embed_batch_size, settings.embed_threads)
    print(f"raw embedder: {raw:.2f} chunks/s over {len(chunk_texts)} chunks", flush=True)
    first = passes[0]
    e2e = first["chunks_embedded"] / first["seconds"]
    return {
        "pages": origin,
        "feeds": FEEDS,
        "items_per_feed": args.items,
        "host_delay_s": args.delay,
        "workers": args.workers,
        "batch_size": settings.embed_batch_size,
        "threads": settings.embed_threads,
        "articles_in_index": articles,
        "passes": passes,
        "raw_chunks_per_s": round(raw, 2),
        "raw_seconds": round(raw_seconds, 1),
        "end_to_end_chunks_per_s": round(e2e, 2),
        "ratio": round(e2e / raw, 3),
        "fetch_and_read_seconds": round(first["seconds"] - first["ingest_seconds"], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_met": (
            first["articles_added"] == FEEDS * args.items
            and all(p["pages_requested"] == 0 and p["articles_added"] == 0 for p in passes[1:])
        ),
    }


_STATUSES = ("read", "not modified", "failed")


def _article(index, article_id: str):
    """The indexed article rebuilt for chunking (the texts ingestion embedded)."""
    from index.article import Article

    info, text = index.get_article(article_id)
    return Article(id=info.id, title=info.title, text=text)


def _tmp() -> Path:
    folder = RESULTS / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def markdown(r: dict) -> str:
    """The result as the tables bench/README.md quotes."""
    rows = "\n".join(
        f"| {p['pass']} | {p['feeds']['read']} read, {p['feeds']['not modified']} not modified, "
        f"{p['feeds']['failed']} failed | {p['items_listed']} | {p['pages_requested']} "
        f"| {p['page_failures']} | {p['articles_added']} | {p['chunks_embedded']} "
        f"| {p['seconds']} |"
        for p in r["passes"]
    )
    return (
        f"### Following feeds ({r['when']}, {r['machine']})\n\n"
        f"{r['feeds']} feeds x {r['items_per_feed']} items, one loopback host each; pages: "
        f"{r['pages']}; per-host pause {r['host_delay_s']} s, {r['workers']} hosts at a time; "
        f"embedder batch {r['batch_size']}, {r['threads']} threads.\n\n"
        "| pass | feeds | items listed | pages requested | page failures | articles added "
        "| chunks embedded | seconds |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
        f"{rows}\n\n"
        "| measure | value |\n|---|---|\n"
        f"| first read, end to end | {r['end_to_end_chunks_per_s']} chunks/s |\n"
        f"| embedder alone, same chunk texts | {r['raw_chunks_per_s']} chunks/s |\n"
        f"| ratio | **{r['ratio']}** |\n"
        f"| fetching and reading {r['feeds'] * r['items_per_feed']} pages (first pass minus "
        "its ingestion) "
        f"| {r['fetch_and_read_seconds']} s |\n"
        f"| peak RSS of the process | {r['peak_rss_mb']} MB |\n"
        f"| target (all ingested; re-reads ingest nothing, request no page) "
        f"| {'met' if r['target_met'] else 'NOT met'} |\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--items", type=int, default=100, help="items per feed")
    parser.add_argument("--chars", type=int, default=1500, help="page text per story (about)")
    parser.add_argument("--delay", type=float, default=0.0, help="per-host pause, seconds")
    parser.add_argument("--workers", type=int, default=5, help="hosts fetched at the same time")
    parser.add_argument("--name", default="feeds", help="result file stem")
    args = parser.parse_args(argv)
    result = run(args)
    result["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["machine"] = machine()
    report = markdown(result)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(report)
    print(f"wrote {RESULTS / args.name}.json and .md", file=sys.stderr)
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
