"""The cases of the corroboration and conflict benchmark (``bench/data/claims.json``), read and
turned into articles.

A case is a question and a small set of articles, each either taken from the MultiHop-RAG
corpus by url (perhaps edited: a figure changed, a sentence reworded, published under another
outlet or on another day) or written in the file. Each article says which version of the
case's *statement* it states: a ``group`` label shared by the articles that agree, ``null``
for one that does not state it. The statement is found in an article by the case's
``statement`` words, or by the article's own ``key`` when it words it otherwise. From the
groups follow the expected answers:

- the corroboration count of a citation of the statement: the distinct outlets of the cited
  article's group;
- ``expect``: "conflict" (two groups, published the same day), "update" (two groups published
  on different days) or "none" (one group; the others, if any, state something else).

Each case belongs to a ``split``: "dev" for the cases the comparison rules were developed on,
"heldout" for those written after the rules were frozen and run once.

Every article is cut at the first paragraph end after ``cut`` characters (the statement must
lie before it), so that a copy of a long story costs a few passages, not a dozen. Every case's
index also holds the ``background`` articles, unchanged, so that retrieval has articles to
choose between. See bench/README.md, section Corroboration and conflicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from index import Article

__all__ = [
    "Case",
    "CaseArticle",
    "background_articles",
    "build_articles",
    "load_cases",
    "load_corpus",
]

EXPECTS = ("none", "conflict", "update")


@dataclass(frozen=True)
class CaseArticle:
    """One article of a case, as the file gives it."""

    outlet: str
    published: date
    group: str | None
    source_url: str = ""
    title: str = ""
    text: str = ""
    edits: tuple[tuple[str, str], ...] = ()
    lead: str = ""
    key: str = ""


@dataclass(frozen=True)
class Case:
    """One case: a question over a few articles, and what the answer should say."""

    id: str
    category: str
    question: str
    statement: str
    expect: str
    articles: tuple[CaseArticle, ...]
    note: str = ""
    cut: int = 3000
    split: str = "dev"

    def url(self, position: int) -> str:
        """The id of the case's article at ``position``."""
        return f"https://claims.bench.invalid/{self.id}/{position}"

    def group_of(self, article_id: str) -> str | None:
        """The group of one of the case's articles (None: another article, or no group)."""
        for position, article in enumerate(self.articles):
            if self.url(position) == article_id:
                return article.group
        return None

    def key_of(self, article_id: str) -> str:
        """The words that find the statement in one of the case's articles: its own ``key``
        (a report in other words), else the case's ``statement``; "" for another article."""
        for position, article in enumerate(self.articles):
            if self.url(position) == article_id:
                return article.key or self.statement
        return ""

    def outlets_of(self, group: str) -> int:
        """How many distinct outlets state the statement as ``group`` does."""
        return len({a.outlet.casefold() for a in self.articles if a.group == group})


def _article(raw: dict[str, Any], where: str) -> CaseArticle:
    for key in ("outlet", "published", "group"):
        if key not in raw:
            raise ValueError(f"{where}: article without {key!r}")
    if bool(raw.get("from")) == bool(raw.get("text")):
        raise ValueError(f"{where}: an article needs either 'from' (a corpus url) or 'text'")
    return CaseArticle(
        outlet=raw["outlet"],
        published=date.fromisoformat(raw["published"]),
        group=raw["group"],
        source_url=raw.get("from", ""),
        title=raw.get("title", ""),
        text=raw.get("text", ""),
        edits=tuple((old, new) for old, new in raw.get("edits", [])),
        lead=raw.get("lead", ""),
        key=raw.get("key", ""),
    )


def load_cases(path: Path) -> tuple[list[Case], list[str]]:
    """The cases and background urls of a claims file.

    Raises:
        ValueError: a case is malformed (the message names it).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    cases = []
    seen: set[str] = set()
    for raw in data["cases"]:
        where = f"case {raw.get('id', '?')}"
        if raw["id"] in seen:
            raise ValueError(f"{where}: id used twice")
        seen.add(raw["id"])
        if raw["expect"] not in EXPECTS:
            raise ValueError(f"{where}: expect must be one of {EXPECTS}")
        articles = tuple(_article(a, where) for a in raw["articles"])
        if not articles or articles[0].group is None:
            raise ValueError(f"{where}: the first article must state the statement")
        cases.append(
            Case(
                id=raw["id"],
                category=raw["category"],
                question=raw["question"],
                statement=raw["statement"],
                expect=raw["expect"],
                articles=articles,
                note=raw.get("note", ""),
                cut=raw.get("cut", data.get("cut", 3000)),
                split=raw.get("split", "dev"),
            )
        )
    return cases, list(data.get("background", []))


def load_corpus(path: Path) -> dict[str, dict[str, Any]]:
    """The MultiHop-RAG corpus records by url."""
    return {r["url"]: r for r in json.loads(Path(path).read_text(encoding="utf-8"))}


def _cut(text: str, limit: int, keep: str) -> str:
    """``text`` up to the first paragraph end after ``limit`` characters and after ``keep``."""
    at = text.find(keep) if keep else -1
    start = max(limit, at + len(keep) if at >= 0 else 0)
    end = text.find("\n", start)
    return text if end < 0 else text[:end].rstrip()


def build_articles(case: Case, corpus: dict[str, dict[str, Any]]) -> list[Article]:
    """The case's articles, edited as the file says.

    Raises:
        ValueError: a corpus url is unknown, an edit's text is not in the article, or an
            article of a group lacks the statement.
    """
    out = []
    for position, spec in enumerate(case.articles):
        where = f"case {case.id}, article {position}"
        if spec.source_url:
            record = corpus.get(spec.source_url)
            if record is None:
                raise ValueError(f"{where}: {spec.source_url} is not in the corpus")
            text, title = record["body"], spec.title or record["title"]
        else:
            text, title = spec.text, spec.title or spec.text.split(".")[0]
        for old, new in spec.edits:
            if old not in text:
                raise ValueError(f"{where}: edit {old!r} not found")
            text = text.replace(old, new, 1)
        if spec.lead:
            text = f"{spec.lead}\n\n{text}"
        key = spec.key or case.statement
        flat = " ".join(text.split())
        if spec.group is not None and " ".join(key.split()) not in flat:
            raise ValueError(f"{where}: the statement {key!r} is not in the text")
        if spec.source_url:
            text = _cut(text, case.cut, key if " ".join(key.split()) in flat else "")
        out.append(
            Article(
                id=case.url(position),
                title=title,
                text=text,
                source=spec.outlet,
                published=spec.published,
                url=case.url(position),
            )
        )
    return out


def background_articles(urls: list[str], corpus: dict[str, dict[str, Any]]) -> list[Article]:
    """The background articles, as in the corpus (cut like the cases' articles)."""
    out = []
    for url in urls:
        record = corpus[url]
        published = date.fromisoformat(record["published_at"][:10])
        out.append(
            Article(
                id=url,
                title=record["title"],
                text=_cut(record["body"], 3000, ""),
                source=record["source"],
                published=published,
                url=url,
            )
        )
    return out
