"""JSON and JSON Lines: ``.json`` (one article object, a list of them, or a feed export such as
``{"articles": [...]}``), ``.jsonl``/``.ndjson`` (one object a line; a file that starts with
``[`` is read as one JSON list whatever its extension).

A record needs a string ``body`` (or ``text``, ``content``); ``title``, ``source`` (or
``outlet``), ``url``, ``author`` and ``published_at`` (or ``date``, ``published``) are read when
present, and ``category`` is kept as extra metadata. Bad records are skipped with a line each
(``item 3: ...`` or ``line 7: ...``) while the good ones load; a repeated id keeps the first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..article import Article
from ..errors import LoadError
from .base import LoadLimits, check_article, date_note, make_article

EXTENSIONS = frozenset({".json", ".jsonl", ".ndjson"})

_BODY_KEYS = ("body", "text", "content")
_FEED_KEYS = ("articles", "items", "data")


def load_json(
    path: Path, text: str, limits: LoadLimits, jsonl: bool
) -> tuple[list[Article], list[str], list[str]]:
    """Read the articles of a JSON or JSON Lines file's decoded content.

    Args:
        path: the file.
        text: its content.
        limits: the per-article text limit.
        jsonl: read one object a line (unless the content is one JSON list).

    Returns:
        The articles, the problems of skipped records, and notes on loaded ones.

    Raises:
        LoadError: the file as a whole is malformed or holds no records.
    """
    records, problems = _records(path, text, jsonl)
    if not records:
        raise LoadError(str(path), "JSON holds no articles")
    where = "line" if jsonl and not text.lstrip().startswith("[") else "item"
    multi = len(records) > 1
    articles: list[Article] = []
    notes: list[str] = []
    seen: set[str] = set()
    for position, record in records:
        label = f"{where} {position}: " if multi else ""
        try:
            article = _article(path, record, position if multi else None)
            article = check_article(article, limits, path)
        except LoadError as exc:
            problems.append(label + exc.reason)
            continue
        if article.id in seen:
            problems.append(f"{label}duplicate id {article.id!r} (first one kept)")
            continue
        seen.add(article.id)
        articles.append(article)
        note = date_note(article)
        if note:
            notes.append(label + note)
    return articles, problems, notes


def _records(path: Path, text: str, jsonl: bool) -> tuple[list[tuple[int, Any]], list[str]]:
    """The records with their positions (item index or line number), and malformed lines."""
    if not jsonl or text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                str(path), f"malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if isinstance(data, dict) and not any(k in data for k in _BODY_KEYS):
            data = next(
                (data[k] for k in _FEED_KEYS if isinstance(data.get(k), list)),
                data,
            )
        return list(enumerate(data if isinstance(data, list) else [data])), []
    records: list[tuple[int, Any]] = []
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((lineno, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: malformed JSON ({exc.msg})")
    return records, problems


def _article(path: Path, record: Any, position: int | None) -> Article:
    if not isinstance(record, dict):
        raise LoadError(str(path), f"not an article object (got {type(record).__name__})")
    body = record.get("body", record.get("text", record.get("content")))
    if body is None:
        raise LoadError(str(path), "article has no 'body' or 'text' field")
    if not isinstance(body, str):
        raise LoadError(str(path), "article text is not a string")

    def text_field(name: str) -> str:
        value = record.get(name)
        return "" if value in (None, "None") else str(value).strip()

    return make_article(
        path,
        text=body.strip(),
        title=text_field("title"),
        source=text_field("source") or text_field("outlet"),
        date=record.get("published_at", record.get("date", record.get("published"))),
        url=text_field("url"),
        author=text_field("author"),
        position=position,
        extra={k: record[k] for k in ("category",) if k in record},
    )
